"""Real processes for the deployment tests: gunicorn with deploy/gunicorn.conf.py, redis-server, nginx."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse

import pytest

from tests.helpers import csrf_in

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
SECRET = "5f1c0e9a7b3d2c4e6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen | None = None, seconds: float = 30) -> None:
    """Wait until something listens on 127.0.0.1:port (fail early when proc exits)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process exited with {proc.returncode}: {proc.communicate()[1] if proc.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port} after {seconds}s")


def production_env(data_dir, **extra) -> dict:
    """Environment of a production site on data_dir (no DATABASE_URL unless given)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HALL_", "DATABASE_URL", "RATELIMIT_"))}
    env.update({"HALL_ENV": "production", "SECRET_KEY": SECRET, "HALL_DATA_DIR": str(data_dir)})
    env.update({k: str(v) for k, v in extra.items()})
    return env


def flask_cli(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run `flask --app app ...` in the repository with env."""
    return subprocess.run([os.path.join(BIN, "flask"), "--app", "app", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


class Gunicorn:
    """gunicorn -c deploy/gunicorn.conf.py app:app on a free port (HALL_BIND)."""

    def __init__(self, env: dict, workers: int = 1):
        self.port = free_port()
        env = {**env, "HALL_BIND": f"127.0.0.1:{self.port}", "HALL_WORKERS": str(workers)}
        self.proc = subprocess.Popen([os.path.join(BIN, "gunicorn"), "-c", "deploy/gunicorn.conf.py", "app:app"],
                                     cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for_port(self.port, self.proc)

    def stop(self) -> str:
        """Stop gracefully and return what gunicorn logged."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            out, err = self.proc.communicate(timeout=40)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        return out + err


@pytest.fixture
def gunicorn():
    """Start gunicorn servers with gunicorn(env, workers); all are stopped at the end."""
    started: list[Gunicorn] = []

    def start(env: dict, workers: int = 1) -> Gunicorn:
        server = Gunicorn(env, workers)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def start_redis(tmp_path):
    """start_redis(port=None) -> URI of a throwaway redis-server (no persistence); all stopped at the end."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not installed (make system-deps installs it)")
    procs = []

    def start(port: int | None = None) -> str:
        port = port or free_port()
        proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                 "--dir", str(tmp_path), "--protected-mode", "yes"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        wait_for_port(port, proc)
        return f"redis://127.0.0.1:{port}/0"

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def redis_server(start_redis):
    """URI of a throwaway redis-server."""
    return start_redis()


class Browser:
    """A tiny cookie-keeping HTTP(S) client (http.client), optionally from another loopback source address."""

    def __init__(self, port: int, https: bool = False, source: str = "127.0.0.1", host: str = "127.0.0.1"):
        self.port, self.https, self.source, self.host = port, https, source, host
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None):
        if self.https:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=30,
                                               source_address=(self.source, 0))
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(self.source, 0))
        hdrs = {"Host": self.host, **(headers or {})}
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
            # Flask-WTF checks the Referer on HTTPS, as a browser on the standard port would send it.
            hdrs.setdefault("Referer", f"{'https' if self.https else 'http'}://{self.host}{path}")
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read().decode("utf-8", "replace")
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return resp.status, dict(resp.getheaders()), data

    def login(self, username: str, password: str, headers: dict | None = None) -> int:
        """GET /login for the CSRF token, then POST the form; returns the POST status."""
        _status, _h, html = self.request("GET", "/login")
        token = csrf_in(html)
        status, _h, _body = self.request("POST", "/login", {"username": username, "password": password,
                                                           "csrf_token": token}, headers)
        return status
