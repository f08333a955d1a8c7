"""`python -m bench.inprocess`: CPU time per request of bench endpoints in-process, as a ratio to bare Flask.

For a busy machine, where `make bench` is too noisy: Flask's test client, no gunicorn and no wrk, the CPU time of
this process (`time.process_time`), the baseline app (`bench/baseline/`) measured in the same loop before and
after. Anonymous endpoints are asked without cookies, as wrk asks them (a first-time visitor every time).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import seed as seeding
from .endpoints import endpoints
from .profile import _csrf

READS = ("menu_page", "menu_search", "tracking_page", "staff_queue", "disclosure_json", "open311_get")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__.splitlines()[0])
    parser.add_argument("endpoints", nargs="*", metavar="ENDPOINT", help=f"some of {', '.join(READS)} (default: all)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per endpoint (after 50 unmeasured)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the best (least disturbed) one counts")
    parser.add_argument("--tickets", type=int, default=5000, help="tickets in community bench when seeding")
    parser.add_argument("--data", type=Path, default=None, help="SQLite data directory seeded by an earlier run")
    return parser.parse_args(argv)


def _per_request(one, n: int) -> float:
    """Milliseconds of CPU per call of one(), over n calls after 50 unmeasured."""
    for _ in range(50):
        one()
    started = time.process_time()
    for _ in range(n):
        one()
    return (time.process_time() - started) / n * 1000


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    unknown = set(args.endpoints) - set(READS)
    if unknown:
        raise SystemExit(f"unknown endpoints {sorted(unknown)}: choose from {', '.join(READS)}")
    args.endpoints = args.endpoints or list(READS)
    from .baseline.app import app as baseline

    workdir = None
    data_dir = args.data
    if data_dir is None:
        workdir = Path(tempfile.mkdtemp(prefix="hall-inprocess-"))
        data_dir = workdir / "data"
    try:
        info = seeding.load_info(data_dir) or seeding.seed(data_dir, None, args.tickets,
                                                            log=lambda m: print(m, file=sys.stderr))
        community = info["communities"][seeding.BENCH]
        chosen = [e for e in endpoints(seeding.BENCH, community) if e.name in args.endpoints]
        bare = baseline.test_client(use_cookies=False)
        with seeding.hall_app(seeding.app_environment(data_dir, None, "inprocess-" + "0" * 32), context=False) as app:
            clients = {None: app.test_client(use_cookies=False)}
            # as a browser does, follow the redirects (which show the flashed "signed in": a pending message
            # keeps pages out of the page cache)
            staff, tracked = app.test_client(), app.test_client()
            staff.post("/login", data={"username": community["staff"], "password": info["password"],
                                       "csrf_token": _csrf(staff, "/login")}, follow_redirects=True)
            track = f"/c/{seeding.BENCH}/track"
            tracked.post(track, data={**community["tracked"], "csrf_token": _csrf(tracked, track)}, follow_redirects=True)
            clients.update(staff=staff, tracked=tracked)
            best: dict[str, float] = {}
            for _ in range(args.rounds):
                best["baseline"] = min(best.get("baseline", 1e9), _per_request(lambda: bare.get("/"), args.requests))
                for e in chosen:
                    client = clients[e.session]
                    response = client.get(e.path, headers=e.headers)
                    if response.status_code != e.expected:
                        raise SystemExit(f"{e.path} answered {response.status_code}, expected {e.expected}")
                    ms = _per_request(lambda c=client, e=e: c.get(e.path, headers=e.headers), args.requests)
                    best[e.name] = min(best.get(e.name, 1e9), ms)
        print(f"in-process CPU ms per request (best of {args.rounds} rounds of {args.requests}); "
              f"ratio = baseline ms ÷ endpoint ms")
        for name, ms in best.items():
            print(f"  {name:16} {ms:7.3f} ms   ratio {best['baseline'] / ms:5.3f}")
        return 0
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
