"""The short soak in `make test`: real gunicorn, many writers, kill -9 of a worker and then of everything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_short_soak_loses_nothing_through_two_crashes(tmp_path):
    out = tmp_path / "soak.json"
    run = subprocess.run([sys.executable, "-m", "soak.run", "--tickets", "240", "--connections", "16",
                          "--activities", "3", "--data", str(tmp_path / "data"), "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=1200)
    result = json.loads(out.read_text())
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert result["ok"] and result["problems"] == []
    assert result["acknowledged"] == 240 and result["server_errors"] == 0 and result["logged_tracebacks"] == 0
    assert [c.get("killed") for c in result["crashes"] if "killed" in c] == ["one worker", "master and workers"]
    assert result["by_channel"]["open311"] > 0 and result["by_channel"]["web"] > 0
    states = {}
    for community in result["communities"].values():
        for state, n in community["states"].items():
            states[state] = states.get(state, 0) + n
        assert community["confirmed"] == community["activities"] == 3
    assert states.get("done", 0) > 0 and states.get("accepted", 0) + states.get("done", 0) > 0
