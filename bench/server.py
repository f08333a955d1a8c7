"""gunicorn as production runs it here (2 sync workers on 127.0.0.1), started and always stopped by the bench."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(module: str, port: int) -> list[str]:
    """The same gunicorn settings for the app and the baseline."""
    return [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--worker-class", "sync",
            "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5",
            "--no-control-socket",  # gunicorn 27 shares one control socket path between instances by default
            module]


def _stop(proc: subprocess.Popen) -> None:
    # gunicorn runs in its own process group (session): signal the whole group, the workers too.
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            continue
    try:    # workers left behind by a master that died first
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@contextmanager
def gunicorn(module: str, env: dict[str, str], log: Path, timeout: float = 60) -> Iterator[str]:
    """Serve module (e.g. 'app:app') until the block ends; yields the base URL once /healthz answers 200."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log, "ab") as out:
        proc = subprocess.Popen(command(module, port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn {module} exited with {proc.returncode}; its log:\n{tail(log)}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:  # nosec B310
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn {module}: /healthz did not answer within {timeout} s; log:\n{tail(log)}")
            time.sleep(0.2)
        yield base
    finally:
        _stop(proc)


def tail(path: Path, lines: int = 40) -> str:
    """The end of a log file."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
