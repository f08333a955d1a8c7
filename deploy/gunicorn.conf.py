"""Gunicorn settings for Community Hall: `gunicorn -c deploy/gunicorn.conf.py app:app`.

Every value can be overridden from the environment (HALL_WORKERS, HALL_BIND, ...), so the systemd unit or a
container sets them without editing this file.
"""

import logging
import os
import sys

# Two sync workers suit a 2-core machine; more workers need RATELIMIT_STORAGE_URI=redis://... for shared limits.
workers = int(os.environ.get("HALL_WORKERS", "2"))
worker_class = "sync"
# Behind nginx on the same machine: listen on loopback only (or a unix socket: HALL_BIND=unix:/run/hall/hall.sock).
bind = [b.strip() for b in os.environ.get("HALL_BIND", "127.0.0.1:8000").split(",") if b.strip()]

# Requests are short; a worker stuck this long is killed and replaced. Exports (XLSX) stay well below it.
timeout = int(os.environ.get("HALL_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("HALL_GRACEFUL_TIMEOUT", "30"))

# Recycle workers now and then so a slow leak cannot grow without bound; jitter keeps them from restarting together.
max_requests = int(os.environ.get("HALL_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("HALL_MAX_REQUESTS_JITTER", "200"))

# No preload_app: each worker imports app.py itself, so no database connection or engine pool made by
# create_app (the production checks read the registry) is ever shared across a fork.
preload_app = False

# Only the local reverse proxy may set X-Forwarded-*; the app trusts HALL_PROXY_COUNT hops of them (ProxyFix).
forwarded_allow_ips = os.environ.get("HALL_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Access log to stdout (journald keeps it). %(h)s is logged after the app ran, when ProxyFix (HALL_PROXY_COUNT)
# has put the client address from X-Forwarded-For in its place: the address rate limits count. The request line
# has no query string (it can carry tracking numbers or search words).
accesslog = os.environ.get("HALL_ACCESS_LOG", "-")
errorlog = os.environ.get("HALL_ERROR_LOG", "-")
loglevel = os.environ.get("HALL_LOG_LEVEL", "info")
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
proc_name = "community-hall"


def on_starting(server):
    """Send the app's warnings (production checks, a rate-limit store falling back) to gunicorn's error log."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s",
                                           "%Y-%m-%d %H:%M:%S %z"))
    for name in ("community_hall", "flask-limiter"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)
