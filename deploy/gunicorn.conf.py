"""gunicorn behind nginx (``deploy/nginx.conf``): ``gunicorn livevox_site.wsgi -c
deploy/gunicorn.conf.py``, as ``make serve`` runs it.

Sync workers, one per core (the fastest for isBlocked, each keeping its database connection),
on the loopback only: a sync worker waits on its client, so it must only ever hear from a
proxy that has already read the whole request. nginx connects from 127.0.0.1, which is
therefore added to ``LV_TRUSTED_PROXIES`` (the service then reads the caller's address from
the ``X-Forwarded-For`` nginx writes). A TCP port rather than a unix socket for that reason:
over a unix socket gunicorn gives no ``REMOTE_ADDR`` to check.

Environment: ``GUNICORN_BIND`` (default ``127.0.0.1:8001``; a loopback address), and
``WEB_CONCURRENCY`` (workers; default the cores this process may use).
"""

import ipaddress
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
_host = bind.rsplit(":", 1)[0].strip("[]")
try:
    _loopback = ipaddress.ip_address(_host).is_loopback
except ValueError:
    _loopback = _host == "localhost"
if not _loopback:
    raise SystemExit(
        f"GUNICORN_BIND={bind!r}: sync workers must listen on a loopback address and port, "
        "behind nginx (deploy/nginx.conf)"
    )

worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0)))
accesslog = "-"
# X-Forwarded-For as nginx passed it on (its last entry is the caller's address), not nginx's.
access_log_format = '%({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(L)ss'

_trusted = os.environ.get("LV_TRUSTED_PROXIES", "")
if "127.0.0.1" not in {part.strip() for part in _trusted.split(",")}:
    os.environ["LV_TRUSTED_PROXIES"] = ",".join(filter(None, ["127.0.0.1", _trusted.strip()]))


def post_request(worker, req, environ, resp):
    """Read whatever the service left of the request body (it answered 413 from the
    Content-Length, or 401 before reading): a socket closed with unread data is reset, and
    nginx, still sending that body, would answer 502 instead of the service's answer. nginx
    has already read the whole body (at most its client_max_body_size), so this is a quick
    read over the loopback."""
    try:
        while req.body.read(1 << 16):
            pass
    except Exception:  # the connection is gone: nothing left to answer
        worker.log.debug("request body not drained", exc_info=True)
