"""Real gunicorn with deploy/gunicorn.conf.py, and nginx with deploy/nginx.conf in front of it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from tests.deploy.conftest import BIN, ROOT, Browser, flask_cli, free_port, production_env, wait_for_port


@pytest.fixture
def site(tmp_path):
    """An initialised, empty production data directory; returns its environment."""
    env = production_env(tmp_path / "data")
    result = flask_cli(env, "hall", "init")
    assert result.returncode == 0, result.stderr
    return env


def test_gunicorn_serves_healthz_with_the_config(site, gunicorn):
    server = gunicorn(site, workers=2)
    status, headers, body = Browser(server.port).request("GET", "/healthz")
    assert status == 200 and '"status":"ok"' in body.replace(" ", "")
    log = server.stop()
    assert "Booting worker" in log and log.count("Booting worker") == 2
    # The access log names the client, without the query string.
    assert re.search(r'^127\.0\.0\.1 \[.*\] "GET /healthz HTTP/1\.1" 200', log, re.M), log


def test_gunicorn_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path / "data")
    del env["SECRET_KEY"]
    env["HALL_BIND"] = f"127.0.0.1:{free_port()}"
    result = subprocess.run([os.path.join(BIN, "gunicorn"), "-c", "deploy/gunicorn.conf.py", "app:app"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when HALL_ENV=production" in result.stderr


def _self_signed(tmp_path):
    key, crt = tmp_path / "hall.key", tmp_path / "hall.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=hall.example.org", "-keyout", str(key), "-out", str(crt)], check=True, capture_output=True)
    return crt, key


def render_nginx(tmp_path, upstream_port: int) -> tuple[str, int, int]:
    """deploy/nginx.conf with free ports, a self-signed certificate and this checkout, in a temp prefix."""
    crt, key = _self_signed(tmp_path)
    http_port, https_port = free_port(), free_port()
    with open(os.path.join(ROOT, "deploy", "nginx.conf")) as f:
        site = f.read()
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)   # no IPv6 here
    for old, new in [("127.0.0.1:8000", f"127.0.0.1:{upstream_port}"), ("listen 80;", f"listen 127.0.0.1:{http_port};"),
                     ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
                     ("/etc/ssl/certs/hall.example.org.crt", str(crt)),
                     ("/etc/ssl/private/hall.example.org.key", str(key)), ("/srv/community-hall", ROOT)]:
        assert old in site, old
        site = site.replace(old, new)
    prefix = tmp_path / "nginx"
    (prefix / "logs").mkdir(parents=True)
    (prefix / "site.conf").write_text(site)
    temp = prefix / "tmp"
    (prefix / "nginx.conf").write_text(f"""
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
worker_processes 1;
{'user root;' if os.geteuid() == 0 else ''}
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {prefix}/logs/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {prefix}/site.conf;
}}
""")
    temp.mkdir()
    return str(prefix), http_port, https_port


@pytest.fixture
def nginx_exe():
    exe = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if exe is None:
        pytest.skip("nginx is not installed (make system-deps installs it)")
    return exe


def test_nginx_in_front_of_gunicorn(site, gunicorn, nginx_exe, tmp_path):
    # One worker: with memory:// each worker counts on its own (test_rate_limits.py shows that and Redis).
    server = gunicorn({**site, "HALL_PROXY_COUNT": "1"}, workers=1)
    prefix, http_port, https_port = render_nginx(tmp_path, server.port)
    conf = os.path.join(prefix, "nginx.conf")
    check = subprocess.run([nginx_exe, "-t", "-p", prefix, "-c", conf], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([nginx_exe, "-p", prefix, "-c", conf], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_for_port(https_port, proc)
        # HTTP only redirects to HTTPS.
        status, headers, _ = Browser(http_port, host="hall.example.org").request("GET", "/healthz?x=1")
        assert status == 301 and headers["Location"] == "https://hall.example.org/healthz?x=1"
        # Proxied: the app answers through nginx, and knows the request came over HTTPS (secure cookie).
        browser = Browser(https_port, https=True)
        status, headers, body = browser.request("GET", "/login")
        assert status == 200 and "csrf" in body.lower()
        assert "Secure" in headers["Set-Cookie"] and headers["Strict-Transport-Security"]
        assert "default-src 'self'" in headers["Content-Security-Policy"]   # the app's headers pass through
        # Static files come from disk with cache headers; the versioned vendor file for a year.
        status, headers, css = browser.request("GET", "/static/css/hall.css")
        assert status == 200 and "max-age=3600" in headers["Cache-Control"] and "--" in css
        status, headers, _ = browser.request("GET", "/static/js/vendor/htmx-2.0.11.min.js")
        assert status == 200 and headers["Cache-Control"] == "public, max-age=31536000, immutable"
        # Uploads above 16 MB stop at nginx.
        status, _, _ = browser.request("POST", "/login", headers={"Content-Length": str(17 * 1024 * 1024)})
        assert status == 413
        # The app keys the sign-in rate limit on the client address nginx reports, not on nginx's own address:
        # five failures from 127.0.0.2 lock that address out for this username, even when it forges
        # X-Forwarded-For; 127.0.0.3 (another client behind the same proxy) is not affected.
        attacker = Browser(https_port, https=True, source="127.0.0.2")
        assert [attacker.login("res-x", f"wrong-{i}") for i in range(5)] == [200] * 5
        assert attacker.login("res-x", "wrong-6", headers={"X-Forwarded-For": "10.9.8.7"}) == 429
        assert Browser(https_port, https=True, source="127.0.0.3").login("res-x", "wrong-7") == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    log = server.stop()
    # The access log shows the client address the app resolved (not nginx's 127.0.0.1).
    assert re.search(r'^127\.0\.0\.2 \[.*\] "POST /login HTTP/1\.1" 429', log, re.M), log
    assert re.search(r'^127\.0\.0\.3 \[.*\] "POST /login HTTP/1\.1" 200', log, re.M), log
