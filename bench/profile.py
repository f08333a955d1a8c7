"""`python -m bench.profile ENDPOINT`: pyinstrument over N in-process requests of one bench endpoint.

For whoever optimises: the same seeded data and the same requests as `python -m bench.run`, through Flask's test
client (no gunicorn, no wrk), printing where the time goes.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import seed as seeding
from .endpoints import endpoints


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    names = [e.name for e in endpoints("x", {"tracked": {"number": ""}, "service_code": "", "search": ""})]
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("endpoint", choices=names)
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets in community bench when seeding")
    parser.add_argument("--requests", type=int, default=300, help="requests profiled (after 20 unprofiled)")
    parser.add_argument("--community", choices=(seeding.BENCH, seeding.SMALL), default=seeding.BENCH)
    parser.add_argument("--data", type=Path, default=None,
                        help="SQLite data directory seeded by an earlier run (seeded here when empty)")
    parser.add_argument("--html", type=Path, default=None, help="also write pyinstrument's HTML report here")
    return parser.parse_args(argv)


def _csrf(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit("pyinstrument is missing: .venv/bin/pip install -e '.[bench]'") from None
    workdir = None
    data_dir = args.data
    if data_dir is None:
        workdir = Path(tempfile.mkdtemp(prefix="hall-profile-"))
        data_dir = workdir / "data"
    try:
        info = seeding.load_info(data_dir) or seeding.seed(data_dir, None, args.tickets,
                                                            log=lambda m: print(m, file=sys.stderr))
        community = info["communities"][args.community]
        endpoint = next(e for e in endpoints(args.community, community) if e.name == args.endpoint)
        with seeding.hall_app(seeding.app_environment(data_dir, None, "profile-" + "0" * 32), context=False) as app:
            # Without a session, no cookies at all (as wrk asks: a first-time visitor every time). Sign-ins follow
            # their redirect as a browser does: a pending flashed message keeps pages out of the page cache.
            client = app.test_client(use_cookies=endpoint.session is not None)
            if endpoint.session == "staff":
                client.post("/login", data={"username": community["staff"], "password": info["password"],
                                            "csrf_token": _csrf(client, "/login")}, follow_redirects=True)
            elif endpoint.session == "tracked":
                track = f"/c/{args.community}/track"
                client.post(track, data={**community["tracked"], "csrf_token": _csrf(client, track)},
                            follow_redirects=True)
            keys = info["api_keys"]

            def one(i: int):
                if endpoint.method == "POST":
                    return client.post(endpoint.path, data=f"{endpoint.form}&api_key={keys[i % len(keys)]}",
                                       headers=endpoint.headers, content_type="application/x-www-form-urlencoded")
                return client.get(endpoint.path, headers=endpoint.headers)

            for i in range(20):
                response = one(i)
                if response.status_code != endpoint.expected:
                    raise SystemExit(f"{endpoint.path} answered {response.status_code}, expected {endpoint.expected}")
            profiler = Profiler()
            started = time.perf_counter()
            profiler.start()
            for i in range(args.requests):
                one(20 + i)
            profiler.stop()
            elapsed = time.perf_counter() - started
        print(f"{endpoint.name}: {endpoint.method} {endpoint.path} — {args.requests} requests in {elapsed:.2f} s, "
              f"{elapsed / args.requests * 1000:.2f} ms each (in-process, profiled)")
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        if args.html:
            args.html.write_text(profiler.output_html())
            print(f"HTML report: {args.html}")
        return 0
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
