"""Many communities in one data directory: cold-community cost, worker memory and startup time under gunicorn.

Run `.venv/bin/python -m bench.communities [--quick] [--count N]`; prints the measured dict as JSON.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Serve another checkout of the app (e.g. an older commit, for a before/after figure); the data is built here.
APP_ROOT = Path(os.environ.get("BENCH_APP_ROOT") or ROOT)
TEMPLATE_SLUG = "bench-0000"
STREET_SIZE = 25          # communities per street office (街道) in the synthetic site
STARTUP_SMALL = 10        # the startup comparison: this many communities against the full count
STARTUP_REPEATS = 3
TARGETS = {"cold_extra_ms_p90": 50.0, "rss_mb_max": 200.0, "startup_ratio_max": 1.5}


def slug_of(i: int) -> str:
    """Slug of the i-th synthetic community."""
    return f"bench-{i:04d}"


def page_of(slug: str) -> str:
    """The page requested per community: the public menu, which reads the community's own database."""
    return f"/c/{slug}/menu/"


# --- the data directory ------------------------------------------------------------------------
def build_data_dir(data_dir: Path, count: int) -> dict:
    """Create one community the normal way, then copy its database file for the rest and register them."""
    from sqlalchemy import insert, text

    from community_hall import create_app
    from community_hall.communities.services import create_community
    from community_hall.menu import services as menu
    from community_hall.migrate import upgrade_registry
    from community_hall.tenancy import Community, community_session, registry_session, tenancy

    started = time.perf_counter()
    app = create_app({"HALL_DATA_DIR": str(data_dir), "SECRET_KEY": secrets.token_hex(16), "HALL_ENV": "bench",
                      "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        t = tenancy()
        upgrade_registry(t)
        create_community(TEMPLATE_SLUG, "社区 0000", 1200, 3400, "街道 00")
        session = community_session(TEMPLATE_SLUG)
        menu.create_item(session, menu.clean_item({
            "code": "ZJ-001", "name": "开具居住证明", "category": "证照办理", "time_limit": "1",
            "channels": "window,online", "materials": "身份证 | 原件"}))
        session.commit()
        session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        session.close()
        t.dispose()
        source = Path(t.community_path(TEMPLATE_SLUG))
        rows = []
        for i in range(1, count):
            slug = slug_of(i)
            shutil.copyfile(source, t.community_path(slug))
            rows.append({"slug": slug, "name": f"社区 {i:04d}", "street": f"街道 {i // STREET_SIZE:02d}",
                         "households": 1000 + i, "residents": 3000 + i, "timezone": "Asia/Shanghai"})
        if rows:
            registry_session().execute(insert(Community), rows)
            registry_session().commit()
        registry_session().close()
        t.dispose()
    return {"count": count, "build_s": round(time.perf_counter() - started, 2),
            "db_kb": round(source.stat().st_size / 1024)}


# --- gunicorn ----------------------------------------------------------------------------------
def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving app:app on 127.0.0.1 with 2 sync workers, in its own process group."""

    def __init__(self, data_dir: Path, access_log: Path | None = None, workers: int = 2):
        self.port = free_port()
        env = dict(os.environ, HALL_DATA_DIR=str(data_dir), SECRET_KEY=secrets.token_hex(32))
        env.pop("DATABASE_URL", None)
        cmd = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "sync",
               "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        if access_log is not None:
            # The worker's pid on every line tells which worker served which community.
            cmd += ["--access-logfile", str(access_log), "--access-logformat", "%(p)s %(U)s %(s)s"]
        cmd.append("app:app")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(cmd, cwd=APP_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Milliseconds from process start to the first 200 on /healthz."""
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.proc.stderr.read().decode(errors='replace')[-2000:]}")
            try:
                status, _ = get(self.port, "/healthz", timeout=2)
            except OSError:
                status = None
            if status == 200:
                return (time.perf_counter() - self.started) * 1000
            time.sleep(0.01)
        raise RuntimeError("gunicorn did not answer /healthz in time")

    def workers(self) -> list[int]:
        """Pids of the master's children (the workers)."""
        pid = self.proc.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return sorted(int(c) for c in children)

    def stop(self) -> None:
        """TERM the process group, then KILL what is left; always reaps the master."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        if self.proc.stderr is not None:
            self.proc.stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def get(port: int, path: str, timeout: float = 30) -> tuple[int, float]:
    """One GET on a fresh connection (no keep-alive): status and milliseconds to the whole body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        started = time.perf_counter()
        conn.request("GET", path, headers={"Connection": "close", "Accept-Language": "zh-CN"})
        response = conn.getresponse()
        response.read()
        return response.status, (time.perf_counter() - started) * 1000
    finally:
        conn.close()


def rss_mb(pid: int) -> float:
    """Resident memory of a process from /proc/<pid>/status, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no VmRSS for {pid}")


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


# --- the measurements --------------------------------------------------------------------------
def measure_startup(data_dirs: dict[str, Path], repeats: int = STARTUP_REPEATS) -> dict[str, float]:
    """Per data directory, the median of several starts: process start to the first 200 on /healthz, in ms."""
    times: dict[str, list[float]] = {key: [] for key in data_dirs}
    for _ in range(repeats):
        # Interleaved, so a machine that gets busier or quieter during the run weighs on both alike.
        for key, data_dir in data_dirs.items():
            with Server(data_dir) as server:
                times[key].append(server.wait_ready())
    return {key: round(statistics.median(values), 1) for key, values in times.items()}


def _served_by(access_log: Path) -> dict[int, set[str]]:
    """Per worker pid, the slugs whose page it answered with 200 (from the access log)."""
    seen: dict[int, set[str]] = {}
    for line in access_log.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == "200" and parts[1].startswith("/c/"):
            seen.setdefault(int(parts[0].strip("<>")), set()).add(parts[1].split("/")[2])
    return seen


def measure_many(data_dir: Path, slugs: list[str], sample: int, access_log: Path) -> dict:
    """Cold first requests against warm ones, then every worker touches every community and we read VmRSS."""
    with Server(data_dir, access_log=access_log) as server:
        server.wait_ready()
        port = server.port
        # Warm up both workers (templates, first imports) and fill their engine caches past the bound.
        warm_up, probe = slugs[:-sample], slugs[-sample:]
        for slug in warm_up:
            status, _ = get(port, page_of(slug))
            if status != 200:
                raise RuntimeError(f"{page_of(slug)} answered {status}")
        # The site index with this many communities (it must not grow into a page of a thousand links).
        get(port, "/")
        index_ms = statistics.median(get(port, "/")[1] for _ in range(15))
        extra, cold, warm = [], [], []
        for slug in probe:
            status, first = get(port, page_of(slug))
            if status != 200:
                raise RuntimeError(f"{page_of(slug)} answered {status}")
            # The other worker may still be cold for this community: a median of 7 shrugs that one off.
            repeat = statistics.median(get(port, page_of(slug))[1] for _ in range(7))
            cold.append(first)
            warm.append(repeat)
            extra.append(first - repeat)
        # Touch every community from two concurrent clients, then again only those some worker has not served,
        # until each worker has served every one (the access log names the worker of each request).
        workers = server.workers()
        passes, todo = 0, list(slugs)
        errors: list[str] = []

        def client(part: list[str]) -> None:
            for slug in part:
                status, _ = get(port, page_of(slug))
                if status != 200:
                    errors.append(f"{slug}: {status}")

        while todo and passes < 30:
            passes += 1
            threads = [threading.Thread(target=client, args=(todo[k::2],)) for k in range(2)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            if errors:
                raise RuntimeError(f"touch pass failed: {errors[:5]}")
            served = _served_by(access_log)
            todo = [s for s in slugs if any(s not in served.get(pid, ()) for pid in workers)]
            if passes == 1:
                todo = list(slugs)   # a second full pass: every worker cycles its cache past the bound twice
        served = _served_by(access_log)
        rss = [rss_mb(pid) for pid in workers]
        return {
            "index_ms": round(index_ms, 1),
            "cold_extra_ms": {"median": round(statistics.median(extra), 1), "p90": round(percentile(extra, 90), 1),
                              "cold_median": round(statistics.median(cold), 1),
                              "warm_median": round(statistics.median(warm), 1), "sample": len(probe)},
            "rss_mb": {"max": max(rss), "workers": rss,
                       "touched": [len(served.get(pid, ())) for pid in workers], "passes": passes},
        }


def measure(workdir: Path, quick: bool, count: int | None = None, startup_repeats: int = STARTUP_REPEATS) -> dict:
    """Build the data directories under workdir, serve them with gunicorn and measure; returns the figures."""
    from community_hall.config import DEFAULTS

    count = count or (100 if quick else 1000)
    small = min(STARTUP_SMALL, count)
    workdir = Path(workdir)
    big_dir, small_dir = workdir / f"data-{count}", workdir / f"data-{small}"
    for d in (big_dir, small_dir):
        if d.exists():
            shutil.rmtree(d)
    built = build_data_dir(big_dir, count)
    build_data_dir(small_dir, small)
    startup = measure_startup({str(small): small_dir, str(count): big_dir}, startup_repeats)
    sample = max(5, min(50, count // 4))
    many = measure_many(big_dir, [slug_of(i) for i in range(count)], sample, workdir / "access.log")
    ratio = startup[str(count)] / startup[str(small)]
    result = {
        "count": count,
        "page": page_of("<slug>"),
        "startup_ms": startup,
        "startup_ratio": round(ratio, 2),
        **many,
        "engine_cache": DEFAULTS["COMMUNITY_ENGINE_CACHE"],
        "workers": 2,
        "community_db_kb": built["db_kb"],
        "build_s": built["build_s"],
        "targets": TARGETS,
    }
    result["met"] = {
        "cold_extra_ms_p90": result["cold_extra_ms"]["p90"] < TARGETS["cold_extra_ms_p90"],
        "rss_mb_max": result["rss_mb"]["max"] < TARGETS["rss_mb_max"],
        "startup_ratio_max": ratio < TARGETS["startup_ratio_max"],
    }
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line: measure into a temporary directory (or --workdir) and print JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.communities", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 communities instead of 1,000")
    parser.add_argument("--count", type=int, default=None, help="number of communities")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the data directories here")
    args = parser.parse_args(argv)
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        result = measure(args.workdir, args.quick, args.count)
    else:
        with tempfile.TemporaryDirectory(prefix="hall-communities-") as tmp:
            result = measure(Path(tmp), args.quick, args.count)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
