"""`make soak`: submit tickets from many connections while staff work and heads confirm hours, kill -9 a worker and
then the whole server, and check afterwards that nothing acknowledged was lost, doubled or left half-done.

    python -m soak.run --tickets 10000 --connections 32 [--backend postgresql] [--no-crash] [--out soak/results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from soak import checks, load
from soak.server import Server
from soak.site import prepare


def _crash_plan(server: Server, work: load.Submissions, tally: load.Tally, events: list) -> None:
    """At a third of the load kill -9 one worker; at two thirds kill -9 everything and start again."""
    for share, what in ((1 / 3, "worker"), (2 / 3, "server")):
        while work.done() < work.total * share and work.left > 0:
            time.sleep(0.05)
        with tally.lock:
            acked = len(tally.acked)
        if what == "worker":
            events.append({"at_acked": acked, "killed": "one worker", "pid": server.kill_worker()})
        else:
            server.kill_all()
            events.append({"at_acked": acked, "killed": "master and workers"})
            time.sleep(1)
            server.start()
            events.append({"restarted": True})


def run(args, data_dir: Path, database_url: str | None) -> dict:
    """Prepare the site, serve it, load it, stop it, and check it."""
    os.environ["HALL_DATA_DIR"] = str(data_dir)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    from community_hall import create_app

    app = create_app()
    with app.app_context():
        site = prepare(args.activities)
    server = Server(dict(os.environ), data_dir / "gunicorn.log")
    server.start()
    tally, work, stop = load.Tally(), load.Submissions(args.tickets), threading.Event()
    queues = {slug: queue.Queue() for slug in site}
    started = time.monotonic()
    submitters = [threading.Thread(target=load.submitter, args=(server.base, site, work, tally, queues, i))
                  for i in range(args.connections)]
    workers = [threading.Thread(target=load.staff, args=(server.base, slug, s["staff"], queues[slug], stop, tally))
               for slug, s in site.items()]
    workers += [threading.Thread(target=load.head, args=(server.base, slug, s["head"], s["activities"], work, tally))
                for slug, s in site.items()]
    crashes: list = []
    try:
        for thread in submitters + workers:
            thread.start()
        if args.crash:
            _crash_plan(server, work, tally, crashes)
        for thread in submitters:
            thread.join()
        stop.set()
        for thread in workers:
            thread.join()
    finally:
        elapsed = time.monotonic() - started
        server.stop()
    app = create_app()  # a fresh app: nothing cached from before the load
    with app.app_context():
        problems, per_community = [], {}
        confirmed = {slug: {aid for s, aid in tally.confirmed if s == slug} for slug in site}
        for slug, spec in site.items():
            found, summary = checks.tickets(slug, tally.acked)
            problems += found + checks.activities(slug, spec["activities"], confirmed[slug])
            per_community[slug] = summary | {"activities": len(spec["activities"]),
                                             "confirmed": len(confirmed[slug])}
        problems += checks.integrity()
    problems += [f"{e['status']} on {e['method']} {e['path']}" for e in tally.server_errors]
    # Errors the app caught and logged (a routing failure leaves the ticket unrouted, not a 5xx) count too.
    logged = (data_dir / "gunicorn.log").read_text(errors="replace").count("Traceback (most recent call last)")
    if logged:
        problems.append(f"the server logged {logged} tracebacks (see {data_dir / 'gunicorn.log'})")
    problems += [f"refused submission {r}" for r in tally.refused]
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), "backend": "postgresql" if database_url else "sqlite",
            "tickets_requested": args.tickets, "connections": args.connections, "seconds": round(elapsed, 1),
            "acknowledged": len(tally.acked), "by_channel": {c: sum(1 for a in tally.acked if a[3] == c)
                                                            for c in ("open311", "web")},
            "staff_moves": dict(tally.moves), "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
            "server_errors": len(tally.server_errors), "logged_tracebacks": logged,
            "unanswered_attempts": tally.unanswered, "crashes": crashes,
            "communities": per_community, "problems": problems[:200], "ok": not problems}


def main(argv: list[str] | None = None) -> int:
    """Run the soak on one backend; print the summary; exit 1 when anything did not hold."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--activities", type=int, default=25, help="volunteer activities to confirm per community")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--no-crash", dest="crash", action="store_false")
    parser.add_argument("--data", type=Path, help="data directory (default: a new temporary one)")
    parser.add_argument("--out", type=Path, help="write the summary as JSON here")
    args = parser.parse_args(argv)
    data_dir = args.data or Path(tempfile.mkdtemp(prefix="hall-soak-"))
    cluster = None
    try:
        database_url = None
        if args.backend == "postgresql":
            from tests.pgcluster import Cluster, find_bindir

            bindir = find_bindir()
            if bindir is None:
                raise SystemExit("PostgreSQL is not installed (initdb, pg_ctl): apt-get install postgresql")
            cluster = Cluster(bindir)
            cluster.start()
            database_url = cluster.create_database("hall_soak")
        result = run(args, data_dir, database_url)
    finally:
        if cluster is not None:
            cluster.stop()
    print(json.dumps({k: v for k, v in result.items() if k != "problems"}, ensure_ascii=False, indent=1))
    for line in result["problems"]:
        print("PROBLEM:", line)
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
