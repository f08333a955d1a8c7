"""The benchmark harness: wrk's report is read right, and a quick real run writes results in the issue's format.

Speed is never asserted here (machines are noisy): only that every endpoint answered, without errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import wrk

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
ENDPOINTS = {"menu_page", "menu_search", "tracking_page", "staff_queue", "disclosure_json", "open311_get",
             "open311_post"}


def test_parse_reads_a_real_wrk_report():
    figures = wrk.parse((HERE / "wrk_ok.txt").read_text())
    assert figures["rps"] == 841.98
    assert figures["requests"] == 1686 and figures["seconds"] == 2.0
    assert (figures["p50_ms"], figures["p99_ms"]) == (18.93, 40.4)
    assert figures["statuses"] == {200: 1686}
    assert figures["non_2xx_3xx"] == 0 and sum(figures["socket_errors"].values()) == 0
    assert wrk.errors(figures, 200) == 0
    assert wrk.errors(figures, 201) == 1686     # a write endpoint must answer 201, so 200s are errors there


def test_parse_counts_refused_responses_and_socket_errors():
    report = (HERE / "wrk_404.txt").read_text()
    figures = wrk.parse(report)
    assert figures["non_2xx_3xx"] == 1437 and figures["statuses"] == {404: 1437}
    assert wrk.errors(figures, 200) == 1437
    # the statuses line is wrk.lua's; without it wrk's own counts are used
    bare = report.replace('BENCH-STATUSES {"404": 1437}\n', "").replace(
        "  Non-2xx", "  Socket errors: connect 0, read 3, write 0, timeout 2\n  Non-2xx")
    figures = wrk.parse(bare)
    assert figures["statuses"] is None and figures["socket_errors"]["timeout"] == 2
    assert wrk.errors(figures, 200) == 1437 + 5


def test_parse_converts_units_and_refuses_garbage():
    report = (HERE / "wrk_ok.txt").read_text().replace("50%   18.93ms", "50%  930.00us").replace(
        "99%   40.40ms", "99%    1.20s")
    figures = wrk.parse(report)
    assert (figures["p50_ms"], figures["p99_ms"]) == (0.93, 1200.0)
    with pytest.raises(wrk.WrkError):
        wrk.parse("unable to connect to 127.0.0.1:1 Connection refused\n")


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)")
def test_a_quick_run_writes_results_in_the_issues_format(tmp_path):
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "-m", "bench.run", "--quick", "--backend", "sqlite", "--skip-communities",
                           "--duration", "1", "--warmup", "1", "--connections", "4", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=110)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())
    assert results["backend"] == "sqlite"
    assert {"baseline", "endpoints", "scale", "machine", "date", "settings"} <= set(results)
    baseline = results["baseline"]
    assert baseline["rps"] > 0 and baseline["p99_ms"] > 0 and len(baseline["runs"]) == 2
    assert baseline["rps"] == pytest.approx(sum(r["rps"] for r in baseline["runs"]) / 2, abs=0.1)
    assert set(results["endpoints"]) == ENDPOINTS
    for name, figures in results["endpoints"].items():
        assert {"rps", "p50_ms", "p99_ms", "ratio", "errors", "target", "met"} <= set(figures), name
        assert figures["errors"] == 0 and figures["rps"] > 0, (name, figures)
        assert figures["ratio"] == round(figures["rps"] / baseline["rps"], 3), name
    assert results["endpoints"]["open311_post"]["statuses"] == {"201": results["endpoints"]["open311_post"]["requests"]}
    growth = results["scale"]["growth"]
    assert set(growth) == {"tracking_page", "staff_queue"}
    for figures in growth.values():
        assert figures["rps_1k"] > 0 and figures["cost_ratio"] == round(figures["rps_1k"] / figures["rps_100k"], 3)
    assert results["settings"]["connections"] == 4 and results["settings"]["wrk"].startswith("wrk ")
    table = out.with_suffix(".md").read_text()
    assert "| public menu page |" in table and "| staff queue fragment |" in table
