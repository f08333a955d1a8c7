"""Driving Debian's wrk and reading its report: requests/s, p50/p99 latency, errors and response statuses."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("wrk.lua")
TIMEOUT = 30   # seconds wrk waits for one response
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


class WrkError(RuntimeError):
    """wrk is missing, failed, or printed something the parser does not understand."""


def version() -> str:
    """wrk's version line, e.g. 'wrk debian/4.1.0-3+b2 [epoll]'."""
    if shutil.which("wrk") is None:
        raise WrkError("wrk is not installed: apt-get install wrk (make bench does it when run as root)")
    out = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout + ""
    line = next((line for line in out.splitlines() if line.startswith("wrk ")), "wrk ?")
    return line.split(" Copyright")[0].strip()


def _ms(value: str, unit: str) -> float:
    return float(value) * UNITS_MS[unit]


def parse(output: str) -> dict:
    """The figures of one `wrk --latency` report (and the statuses wrk.lua counted, when present)."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m),", output, re.M)
    percentiles = {int(p): _ms(v, u) for p, v, u in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$",
                                                                 output, re.M)}
    if not rps or not total or 50 not in percentiles or 99 not in percentiles:
        raise WrkError(f"cannot read wrk's report:\n{output}")
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    socket_errors = dict(zip(("connect", "read", "write", "timeout"), map(int, socket.groups()), strict=True)) \
        if socket else {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    statuses = re.search(r"^BENCH-STATUSES (\{.*\})$", output, re.M)
    return {
        "rps": float(rps.group(1)),
        "requests": int(total.group(1)),
        "seconds": _ms(total.group(2), total.group(3)) / 1000,
        "p50_ms": round(percentiles[50], 2),
        "p99_ms": round(percentiles[99], 2),
        "socket_errors": socket_errors,
        "non_2xx_3xx": int(non_2xx.group(1)) if non_2xx else 0,
        "statuses": {int(k): v for k, v in json.loads(statuses.group(1)).items()} if statuses else None,
    }


def errors(figures: dict, expected: int) -> int:
    """Socket errors plus responses other than the expected status (wrk alone would count a 303 as success)."""
    socket = sum(figures["socket_errors"].values())
    if figures["statuses"] is None:
        return socket + figures["non_2xx_3xx"]
    return socket + sum(n for status, n in figures["statuses"].items() if status != expected)


def run(url: str, duration: float, connections: int, threads: int = 2, headers: dict | None = None,
        method: str = "GET", keys_file: Path | None = None, form: str = "") -> dict:
    """Load url for duration seconds and return the parsed report (raises WrkError when wrk fails)."""
    # wrk gives up on a response after 2 s by default and leaves it out of the latency: a slow endpoint's p99
    # would be capped and its slow answers counted as socket errors. Wait long enough to measure them.
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", f"--timeout={TIMEOUT}s",
           "--latency", "-s", str(SCRIPT)]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    cmd += [url, "--", method]
    if method == "POST":
        cmd += [str(keys_file), form]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + TIMEOUT + 60)
    if done.returncode != 0:
        raise WrkError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    figures = parse(done.stdout)
    figures["output"] = done.stdout
    return figures
