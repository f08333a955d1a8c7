"""`python -m bench.run`: seed, serve with gunicorn, load with wrk, and report each figure as a ratio to bare Flask.

Writes results.json (the SQLite run in the issue's format, the PostgreSQL run under "postgresql") and a Markdown
table (results.md beside it), and prints the table.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import secrets
import shutil
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from . import seed as seeding
from . import wrk
from .endpoints import P99_MS, Endpoint, endpoints, growth_endpoints, prove, request_once, sign_in
from .server import gunicorn

HERE = Path(__file__).resolve().parent
GROWTH_TARGET = 1.5


def log(message: str) -> None:
    """Progress on stderr (the table goes to stdout)."""
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--duration", type=float, default=None, help="seconds of load per endpoint (default 10)")
    parser.add_argument("--warmup", type=float, default=None, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--tickets", type=int, default=None, help="tickets in community bench (default 100,000)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 1,000 tickets, 2 s per endpoint, quick many-communities measurement")
    parser.add_argument("--skip-communities", action="store_true", help="leave out the many-communities measurement")
    parser.add_argument("--data", type=Path, default=None,
                        help="SQLite data directory to seed once and reuse (saves the seeding while iterating)")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args(argv)
    args.duration = args.duration or (2.0 if args.quick else 10.0)
    args.warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 2.0)
    args.tickets = args.tickets or (1_000 if args.quick else 100_000)
    return args


def machine() -> dict:
    """What the figures were measured on."""
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = "?"
    try:
        kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": memory, "kernel": platform.release(),
            "python": platform.python_version(), "load_average": [round(x, 2) for x in os.getloadavg()]}


def measure(base: str, endpoint: Endpoint, args, cookie: str | None, keys_file: Path | None) -> dict:
    """Warm up, then load one endpoint with wrk; the figures with errors counted against the expected status."""
    headers = dict(endpoint.headers)
    if cookie:
        headers["Cookie"] = cookie
    options = {"headers": headers, "method": endpoint.method, "keys_file": keys_file, "form": endpoint.form}
    if args.warmup > 0:
        wrk.run(base + endpoint.path, args.warmup, args.connections, **options)
    figures = wrk.run(base + endpoint.path, args.duration, args.connections, **options)
    result = {"rps": round(figures["rps"], 1), "p50_ms": figures["p50_ms"], "p99_ms": figures["p99_ms"],
              "errors": wrk.errors(figures, endpoint.expected), "requests": figures["requests"],
              "statuses": {str(k): v for k, v in sorted((figures["statuses"] or {}).items())}}
    if not figures["requests"]:
        raise SystemExit(f"{endpoint.name}: no request completed in {args.duration:g} s; give it a longer --duration")
    limited = (figures["statuses"] or {}).get(429, 0)
    if limited:
        raise SystemExit(f"{endpoint.name}: {limited} of {figures['requests']} requests were refused with 429 (rate "
                         "limit); the figures would measure refusals, not the endpoint. Statuses: "
                         f"{result['statuses']}")
    log(f"    {endpoint.name:16} {result['rps']:>8} req/s  p50 {result['p50_ms']:>6} ms  p99 {result['p99_ms']:>6} ms"
        f"  errors {result['errors']}")
    return result


def measure_baseline(env: dict, workdir: Path, args, which: str) -> dict:
    """The bare Flask app under the same gunicorn settings."""
    log(f"  baseline ({which})")
    page = Endpoint("baseline", "bare Flask + Jinja", "/", 1.0)
    with gunicorn("bench.baseline.app:app", env, workdir / "gunicorn-baseline.log") as base:
        check(base, page, None, None)
        return measure(base, page, args, None, None)


def check(base: str, endpoint: Endpoint, cookie: str | None, api_key: str | None) -> None:
    """One plain request must answer the expected status before wrk measures anything."""
    status, body = request_once(base, endpoint, cookie, api_key)
    if status == 429:
        raise SystemExit(f"{endpoint.name}: {endpoint.method} {endpoint.path} is rate limited (429) before the bench "
                         "even starts")
    if status != endpoint.expected:
        raise SystemExit(f"{endpoint.name}: {endpoint.method} {endpoint.path} answered {status}, expected "
                         f"{endpoint.expected}:\n{body[:600]}")


def target_of(endpoint: Endpoint) -> dict:
    """The issue's target for an endpoint."""
    target = {"ratio": endpoint.target, "p99_ms": P99_MS}
    if endpoint.writes:
        target["errors"] = 0
    return target


def run_backend(backend: str, workdir: Path, args) -> dict:
    """Seed (or reuse), measure the baseline, every endpoint, the growth endpoints, and the baseline again."""
    cluster = None
    try:
        if backend == "postgresql":
            from tests.pgcluster import Cluster, find_bindir

            bindir = find_bindir()
            if bindir is None:
                raise SystemExit("PostgreSQL is not installed (initdb, pg_ctl): apt-get install postgresql")
            cluster = Cluster(bindir)
            cluster.start()
            database_url = cluster.create_database("hall_bench")
            data_dir = workdir / "data-postgresql"
        else:
            database_url = None
            data_dir = args.data or workdir / "data-sqlite"
        return _run(backend, data_dir, database_url, workdir, args)
    finally:
        if cluster is not None:
            cluster.stop()


def _run(backend: str, data_dir: Path, database_url: str | None, workdir: Path, args) -> dict:
    log(f"== {backend}")
    info = seeding.load_info(data_dir) if database_url is None else None
    if info is None:
        info = seeding.seed(data_dir, database_url, args.tickets, api_keys=50 if args.quick else seeding.API_KEYS,
                            log=log)
    else:
        log(f"  reusing {data_dir} ({info['communities'][seeding.BENCH]['tickets']:,} tickets)")
    env = seeding.process_environment(seeding.app_environment(data_dir, database_url, secrets.token_hex(32)))
    keys_file = workdir / f"api-keys-{backend}.txt"
    keys_file.write_text("\n".join(info["api_keys"]) + "\n")
    first = measure_baseline(env, workdir, args, "first")
    bench, small = info["communities"][seeding.BENCH], info["communities"][seeding.SMALL]
    measured, growth = {}, {}
    log("  app")
    with gunicorn("app:app", env, workdir / f"gunicorn-app-{backend}.log") as base:
        cookies = {}
        for slug, community in ((seeding.BENCH, bench), (seeding.SMALL, small)):
            cookies[slug] = {"staff": sign_in(base, community["staff"], info["password"]),
                             "tracked": prove(base, slug, community["tracked"]["number"],
                                              community["tracked"]["digits"])}
        plan = endpoints(seeding.BENCH, bench)
        for endpoint in plan:
            check(base, endpoint, cookies[seeding.BENCH].get(endpoint.session), info["api_keys"][0])
        small_plan = growth_endpoints(seeding.SMALL, small)
        for endpoint in small_plan:
            check(base, endpoint, cookies[seeding.SMALL].get(endpoint.session), None)
        for endpoint in [e for e in plan if not e.writes]:
            measured[endpoint.name] = measure(base, endpoint, args, cookies[seeding.BENCH].get(endpoint.session),
                                              None)
        log(f"  growth: the same in community {seeding.SMALL} ({small['tickets']:,} tickets)")
        for endpoint in small_plan:
            growth[endpoint.name] = measure(base, endpoint, args, cookies[seeding.SMALL].get(endpoint.session), None)
        # the writes last: the tickets they add do not change what the reads above saw
        log("  writes")
        for endpoint in [e for e in plan if e.writes]:
            measured[endpoint.name] = measure(base, endpoint, args, None, keys_file)
    last = measure_baseline(env, workdir, args, "last")
    baseline_rps = (first["rps"] + last["rps"]) / 2
    result = {
        "baseline": {"rps": round(baseline_rps, 1), "p99_ms": round((first["p99_ms"] + last["p99_ms"]) / 2, 2),
                     "runs": [first, last]},
        "endpoints": {},
        "scale": {"growth": {}},
        "backend": backend,
        "tickets": {seeding.BENCH: bench["tickets"], seeding.SMALL: small["tickets"]},
        "seed_seconds": info.get("seconds"),
        "api_keys": len(info["api_keys"]),    # the write endpoint's client systems, one per request in turn
    }
    for endpoint in plan:
        figures = measured[endpoint.name]
        ratio = round(figures["rps"] / baseline_rps, 3) if baseline_rps else 0.0
        target = target_of(endpoint)
        met = ratio >= endpoint.target and figures["p99_ms"] <= P99_MS and figures["errors"] == 0
        result["endpoints"][endpoint.name] = {"rps": figures["rps"], "p50_ms": figures["p50_ms"],
                                              "p99_ms": figures["p99_ms"], "ratio": ratio, "errors": figures["errors"],
                                              "target": target, "met": met, "requests": figures["requests"],
                                              "statuses": figures["statuses"]}
    for name, small_figures in growth.items():
        large = measured[name]
        cost = round(small_figures["rps"] / large["rps"], 3) if large["rps"] else None
        result["scale"]["growth"][name] = {
            "rps_1k": small_figures["rps"], "rps_100k": large["rps"], "p99_1k": small_figures["p99_ms"],
            "p99_100k": large["p99_ms"], "cost_ratio": cost, "target": GROWTH_TARGET,
            "met": cost is not None and cost <= GROWTH_TARGET, "errors_1k": small_figures["errors"]}
    return result


def _cell(value, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def table(results: dict) -> str:
    """The Markdown table for docs/performance.md: SQLite and PostgreSQL side by side."""
    runs = [results] if results.get("backend") == "sqlite" else []
    pg = results.get("postgresql") or (results if results.get("backend") == "postgresql" else None)
    sqlite = runs[0] if runs else None
    lines = [f"Measured {results['date'][:16].replace('T', ' ')} UTC on {results['machine']['cpu']} "
             f"({results['machine']['cores']} cores, {results['machine']['memory']}), Python "
             f"{results['machine']['python']}, {results['settings']['wrk']}: {results['settings']['connections']} "
             f"connections, {results['settings']['duration']:g} s per endpoint, "
             f"{results['settings']['tickets']:,} tickets. Ratio = requests/s ÷ bare Flask's requests/s.", "",
             "| endpoint | SQLite rps | p50 ms | p99 ms | ratio | PG rps | p99 ms | ratio | target | met |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"]

    def row(name: str, label: str, s: dict | None, p: dict | None, target: str, met: str) -> str:
        return (f"| {label} | {_cell(s and s['rps'])} | {_cell(s and s.get('p50_ms'), 2)} | "
                f"{_cell(s and s['p99_ms'], 2)} | {_cell(s and s.get('ratio', 1.0), 3)} | {_cell(p and p['rps'])} | "
                f"{_cell(p and p['p99_ms'], 2)} | {_cell(p and p.get('ratio', 1.0), 3)} | {target} | {met} |")

    def met_text(name: str) -> str:
        marks = []
        for label, run in (("SQLite", sqlite), ("PG", pg)):
            if run is not None:
                marks.append(f"{label} {'yes' if run['endpoints'][name]['met'] else 'no'}")
        return ", ".join(marks)

    lines.append(row("baseline", "bare Flask + Jinja (baseline, mean of first and last)", sqlite and {
        **sqlite["baseline"], "p50_ms": sum(r["p50_ms"] for r in sqlite["baseline"]["runs"]) / 2},
        pg and pg["baseline"], "", ""))
    labels = {e.name: e.label for e in endpoints("x", {"tracked": {"number": ""}, "service_code": "", "search": ""})}
    names = list((sqlite or pg)["endpoints"])
    for name in names:
        s = sqlite["endpoints"][name] if sqlite else None
        p = pg["endpoints"][name] if pg else None
        t = (s or p)["target"]
        target = f"≥ {t['ratio']}, p99 ≤ {t['p99_ms']:g} ms" + (", no errors" if "errors" in t else "")
        lines.append(row(name, labels.get(name, name), s, p, target, met_text(name)))
    lines += ["", "| growth (1,000 vs {:,} tickets) | SQLite rps 1k | rps large | cost ratio | PG rps 1k | rps large "
              "| cost ratio | target | met |".format((sqlite or pg)["tickets"]["bench"]),
              "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for name in (sqlite or pg)["scale"]["growth"]:
        s = sqlite["scale"]["growth"][name] if sqlite else None
        p = pg["scale"]["growth"][name] if pg else None
        marks = ", ".join(f"{label} {'yes' if run['scale']['growth'][name]['met'] else 'no'}"
                          for label, run in (("SQLite", sqlite), ("PG", pg)) if run)
        lines.append(f"| {labels.get(name, name)} | {_cell(s and s['rps_1k'])} | {_cell(s and s['rps_100k'])} | "
                     f"{_cell(s and s['cost_ratio'], 3)} | {_cell(p and p['rps_1k'])} | {_cell(p and p['rps_100k'])} | "
                     f"{_cell(p and p['cost_ratio'], 3)} | ≤ {GROWTH_TARGET} | {marks} |")
    errors = [(label, name, run["endpoints"][name]["errors"]) for label, run in (("SQLite", sqlite), ("PG", pg)) if run
              for name in run["endpoints"] if run["endpoints"][name]["errors"]]
    if errors:
        lines += ["", "Errors: " + ", ".join(f"{label} {name} {n}" for label, name, n in errors)]
    return "\n".join(lines) + "\n"


def _interrupt_on_signals() -> None:
    # SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, so every server and cluster is stopped; SIGINT too even
    # when the shell started us with it ignored (a background job).
    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    _interrupt_on_signals()
    wrk_version = wrk.version()
    if not args.skip_communities and importlib.util.find_spec("bench.communities") is None:
        raise SystemExit("bench/communities.py (the many-communities measurement) is missing; "
                         "run with --skip-communities")
    if args.data is not None and args.backend != "sqlite":
        log("note: --data is reused for the SQLite run only; PostgreSQL is always seeded afresh")
    started = time.monotonic()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    workdir = Path(tempfile.mkdtemp(prefix="hall-bench-"))
    try:
        backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
        runs = {backend: run_backend(backend, workdir, args) for backend in backends}
        results = dict(runs.get("sqlite") or runs["postgresql"])
        if "sqlite" in runs and "postgresql" in runs:
            results["postgresql"] = runs["postgresql"]
        if not args.skip_communities:
            from bench import communities

            log("== many communities")
            (workdir / "communities").mkdir()
            results["scale"]["communities"] = communities.measure(workdir / "communities", args.quick)
        results["machine"] = {**machine(), "load_average_at_start": load_at_start}
        results["date"] = datetime.now(UTC).isoformat(timespec="seconds")
        results["settings"] = {"connections": args.connections, "duration": args.duration, "warmup": args.warmup,
                               "tickets": args.tickets, "wrk": wrk_version, "threads": 2,
                               "gunicorn": "2 sync workers on 127.0.0.1", "api_keys": results.get("api_keys"),
                               "quick": args.quick}
        results["wall_seconds"] = round(time.monotonic() - started, 1)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
        markdown = table(results)
        args.out.with_suffix(".md").write_text(markdown)
        print(markdown)
        log(f"wrote {args.out} and {args.out.with_suffix('.md')} in {results['wall_seconds']} s")
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
