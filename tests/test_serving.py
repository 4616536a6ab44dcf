"""``make serve`` as production runs it: nginx (``deploy/nginx.conf``) in front of gunicorn's sync
workers (``deploy/gunicorn.conf.py``, 2 workers here), on free loopback ports, in a folder of
its own, on a database of its own (a SQLite file, or a PostgreSQL database of its own when
DATABASE_URL names a PostgreSQL server) that the test migrates and seeds with the demo data.

Slow clients (request headers one byte a second, never finished) hold no worker behind nginx:
isBlocked answers while they hang. The same sockets straight at gunicorn hold both workers
(the contrast, which shows this test can fail). A body shorter than its Content-Length is cut
off by nginx at its body timeout and never reaches gunicorn.

Every wait is bounded; the client timeouts are hang guards, never performance assertions.
"""

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

pytestmark = pytest.mark.server

REPO = Path(__file__).resolve().parent.parent
GUARD = 10  # seconds: a request that has not answered by then hangs
CONTRAST_GUARD = 5  # seconds isBlocked is given straight at a gunicorn whose workers are held
HEADER_TIMEOUT = 6  # nginx's client_header_timeout here (production: 10 s)
BODY_TIMEOUT = 2  # nginx's client_body_timeout here (production: 10 s)
WORKERS = 2
SECRET_KEY = "serving-test-only-not-secret-serving-test-only-not-secret"
LOGIN = {"clientName": "ACME", "userName": "manager_all", "password": "livevox-demo"}
IS_BLOCKED = "/compliance/complianceCheck/isBlocked"


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx",) if os.access(path, os.X_OK)), None
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Database:
    """A SQLite file in the folder, or a PostgreSQL database of its own (dropped afterwards)."""

    def __init__(self, folder: Path):
        outer = os.environ.get("DATABASE_URL", "")
        self.admin_url = None
        if outer.startswith(("postgres://", "postgresql://")):
            parts = urlsplit(outer)
            self.name = f"{parts.path.lstrip('/') or 'livevox'}_serving_{os.getpid()}"
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
            self.admin_url = urlunsplit(parts._replace(path="/postgres"))
            self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._execute(f'CREATE DATABASE "{self.name}"')
        else:
            self.url = f"sqlite:///{folder / 'db.sqlite3'}"

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(sql)

    def drop(self) -> None:
        if self.admin_url:
            self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Served:
    """``make serve`` running in its own process group; ``stop()`` ends all of it."""

    def __init__(self, nginx: str, folder: Path, env: dict[str, str]):
        self.folder = folder
        self.port = free_port()
        self.gunicorn_port = free_port()
        while self.gunicorn_port == self.port:
            self.gunicorn_port = free_port()
        self.serve_dir = folder / "serve"
        self.output = folder / "make-serve.log"  # make's, gunicorn's (access log) and nginx's
        variables = {
            "NGINX": nginx,
            "BIND": "127.0.0.1",
            "PORT": self.port,
            "GUNICORN_PORT": self.gunicorn_port,
            "SERVE_DIR": self.serve_dir,
            "CLIENT_HEADER_TIMEOUT": f"{HEADER_TIMEOUT}s",
            "CLIENT_BODY_TIMEOUT": f"{BODY_TIMEOUT}s",
        }
        # -o: never reinstall the virtualenv from here (make test has just done it).
        command = ["make", "--no-print-directory", "-o", ".venv/.installed", "serve"]
        command += [f"{name}={value}" for name, value in variables.items()]
        with open(self.output, "wb") as out:
            self.process = subprocess.Popen(
                command,
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: make, bash, gunicorn, nginx
            )

    def log(self) -> str:
        return self.output.read_text(errors="replace")

    def nginx_log(self) -> str:
        path = self.serve_dir / "nginx-access.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_ready(self, within: float = 120) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"make serve stopped ({self.process.returncode}):\n{self.log()}")
            try:
                if call(self.port, "GET", "/healthz", guard=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        pytest.fail(f"make serve did not answer /healthz within {within} s:\n{self.log()}")

    def stop(self) -> None:
        for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                continue
            # make has gone; what it started may still be stopping in the same group.
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline:
                try:
                    os.killpg(self.process.pid, 0)
                except ProcessLookupError:
                    return
                time.sleep(0.1)


@pytest.fixture(scope="module")
def served():
    nginx = find_nginx()
    if nginx is None:
        pytest.skip("nginx not found: `make nginx` installs Debian's (apt-get install nginx)")
    # Started as root, nginx's workers run as nobody: the folder must be reachable by them
    # (pytest's own temporary folders are private to their owner).
    folder = Path(tempfile.mkdtemp(prefix="livevox-serving-"))
    folder.chmod(0o755)
    database = None
    server = None
    try:
        database = Database(folder)
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("MAKE", "MFLAGS", "LV_", "GUNICORN_"))
        }
        env.update(
            DATABASE_URL=database.url,
            SECRET_KEY=SECRET_KEY,
            DEBUG="0",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            WEB_CONCURRENCY=str(WORKERS),
            LV_LOGIN_MAX_FAILURES="2",
            MEDIA_ROOT=str(folder / "media"),
        )
        for step in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
            done = subprocess.run(
                [sys.executable, "manage.py", *step],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            if done.returncode:
                pytest.fail(f"manage.py {step[0]} failed:\n{done.stdout}\n{done.stderr}")
        server = Served(nginx, folder, env)
        server.wait_ready()
        yield server
    finally:
        if server is not None:
            server.stop()
        if database is not None:
            database.drop()
        shutil.rmtree(folder, ignore_errors=True)


def call(port, method, path, body=None, headers=None, guard=GUARD, source="127.0.0.1"):
    """(status, headers, body bytes); raises TimeoutError when nothing answers within guard."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=guard, source_address=(source, 0)
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def login(port, source="127.0.0.1", forwarded_for=None, **fields):
    headers = {"LV-Access": "demo-token-acme", "Content-Type": "application/json"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    body = json.dumps({**LOGIN, **fields})
    status, _, content = call(port, "POST", "/session/login", body, headers, source=source)
    return status, json.loads(content)


def is_blocked(port, session, query, guard=GUARD):
    status, _, content = call(
        port, "GET", f"{IS_BLOCKED}?{query}", headers={"LV-Session": session}, guard=guard
    )
    return status, json.loads(content)


@pytest.fixture(scope="module")
def session(served) -> str:
    status, answer = login(served.port)
    assert status == 200, answer
    session_id = answer.pop("sessionId")
    assert answer == {"userId": 6, "clientId": 4199, "daysUntilPasswordExpires": 90}
    return session_id


class SlowClients:
    """Sockets that send the start of a request at once, then one byte a second, never
    finishing it: the rest of the headers (``kind="headers"``) or of a body shorter than its
    Content-Length (``kind="body"``). Each loop is bounded."""

    def __init__(self, port: int, kind: str, probe: str, count: int = 4, most_seconds: int = 60):
        if kind == "headers":
            self.head = f"GET /healthz?probe={probe} HTTP/1.1\r\n".encode()
            self.drip = b"Host: 127.0.0.1\r\nX-Slow: " + b"a" * most_seconds
        else:
            self.head = (
                f"POST /session/login?probe={probe} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/json\r\nLV-Access: demo-token-acme\r\n"
                f"Content-Length: {most_seconds + 1000}\r\n\r\n{{"
            ).encode()
            self.drip = b" " * most_seconds
        self.sockets = []
        for _ in range(count):
            client = socket.create_connection(("127.0.0.1", port), timeout=GUARD)
            client.sendall(self.head)
            client.settimeout(None)  # so that a MSG_DONTWAIT peek returns at once
            self.sockets.append(client)
        self.closed = [False] * count
        self.sent = [0] * count
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drip, args=(most_seconds,), daemon=True)
        self._thread.start()

    def _drip(self, most_seconds: int) -> None:
        for second in range(most_seconds):
            for i, client in enumerate(self.sockets):
                if self._closed_by_server(i):
                    continue
                try:
                    client.send(self.drip[second : second + 1])
                    self.sent[i] += 1
                except OSError:
                    self.closed[i] = True
            if self._stop.wait(1.0):
                return

    def _closed_by_server(self, i: int) -> bool:
        if not self.closed[i]:
            try:
                self.closed[i] = (
                    self.sockets[i].recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
                )
            except BlockingIOError:
                pass  # open, and the server has said nothing: still hanging
            except OSError:
                self.closed[i] = True  # reset by the server
        return self.closed[i]

    def still_open(self) -> int:
        return sum(not self._closed_by_server(i) for i in range(len(self.sockets)))

    def stop_and_wait_closed(self, within: float) -> bool:
        """Stop sending; True once the server has closed every socket."""
        self._stop.set()
        self._thread.join(timeout=5)
        deadline = time.monotonic() + within
        while time.monotonic() < deadline and self.still_open():
            time.sleep(0.2)
        return not self.still_open()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        for client in self.sockets:
            client.close()


@pytest.mark.parametrize("kind", ["headers", "body"])
def test_slow_clients_hold_no_worker_behind_nginx(served, session, kind):
    probe = f"slow-{kind}-through-nginx"
    with SlowClients(served.port, kind, probe) as slow:
        time.sleep(2)  # long enough for each to have been taken and to have sent a few bytes
        assert min(slow.sent) >= 1
        # Four slow clients, two sync workers: isBlocked answers at once all the same.
        assert is_blocked(served.port, session, "phone=6505551234&service=20180") == (
            200,
            {"result": False},
        )
        assert is_blocked(served.port, session, "phone=8001234567&service=20180") == (
            200,
            {"result": True},
        )
        status, answer = login(served.port)
        assert status == 200, answer
        assert slow.still_open() == 4, "isBlocked answered while every slow client still hung"
        # nginx cuts them off (its header timeout counts from the start, its body timeout
        # from the last byte) and logs 408; gunicorn never saw them.
        assert slow.stop_and_wait_closed(within=HEADER_TIMEOUT + GUARD), slow.closed
    lines = [line for line in served.nginx_log().splitlines() if f"probe={probe}" in line]
    assert len(lines) == 4 and all(" 408 " in line for line in lines), lines
    assert f"probe={probe}" not in served.log()


@pytest.mark.parametrize("kind", ["headers", "body"])
def test_the_same_slow_clients_straight_at_gunicorn_hold_both_sync_workers(served, session, kind):
    """The contrast: without nginx, a 2-worker sync gunicorn is starved by the same sockets
    (it would wait for them until its 30 s worker timeout)."""
    with SlowClients(served.gunicorn_port, kind, f"slow-{kind}-at-gunicorn") as slow:
        time.sleep(2)
        with pytest.raises(TimeoutError):
            is_blocked(
                served.gunicorn_port, session, "phone=6505551234&service=20180", CONTRAST_GUARD
            )
        assert slow.still_open() == 4
    # Once they hang up, the workers are free again.
    assert is_blocked(served.gunicorn_port, session, "phone=6505551234&service=20180") == (
        200,
        {"result": False},
    )


def test_a_body_shorter_than_its_content_length_is_cut_off_by_nginx(served, session):
    head = (
        b"POST /session/login?probe=short-body HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nLV-Access: demo-token-acme\r\n"
        b"Content-Length: 200\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", served.port), timeout=GUARD) as client:
        client.sendall(head + b'{"clientName":"ACME",')
        started = time.monotonic()
        try:
            answer = client.recv(65536)
        except ConnectionResetError:
            answer = b""  # nginx resets a timed-out connection (reset_timedout_connection)
        waited = time.monotonic() - started
    # nginx gives up after its body timeout and closes the connection without an answer
    # (it logs 408); never a 5xx, and gunicorn never sees the request.
    assert answer == b"" or answer.split(b" ", 2)[1] in (b"400", b"408"), answer[:200]
    assert waited < GUARD
    lines = [line for line in served.nginx_log().splitlines() if "probe=short-body" in line]
    assert len(lines) == 1 and " 408 " in lines[0], lines
    assert "probe=short-body" not in served.log()
    assert is_blocked(served.port, session, "phone=6505551234&service=20180") == (
        200,
        {"result": False},
    )


def test_large_bodies_pass_through_nginx_and_the_service_answers_its_own_413(served):
    # 300 KB: more than nginx keeps in memory, so it goes through a temp file in SERVE_DIR
    # (written by nginx's workers, as nobody when started as root).
    status, answer = login(served.port, padding="x" * 300_000)
    assert status == 200, answer
    # Over LV_MAX_BODY_BYTES (2.5 MB) and under nginx's 64m: the service's JSON 413.
    status, headers, content = call(
        served.port,
        "POST",
        "/session/login",
        b"{" + b" " * 3_000_000 + b"}",
        {"LV-Access": "demo-token-acme", "Content-Type": "application/json"},
    )
    assert (status, headers["Content-Type"]) == (413, "application/json"), content[:300]
    assert json.loads(content)["code"] == 413


def test_the_service_sees_each_caller_address_through_nginx(served):
    """gunicorn's config trusts nginx (127.0.0.1), so failed logins count against the address
    nginx saw, not against nginx's nor one the caller wrote in X-Forwarded-For."""
    wrong = {"userName": "manager", "password": "wrong"}
    for spoof in ("203.0.113.7", "203.0.113.8"):
        status, answer = login(served.port, source="127.0.0.2", forwarded_for=spoof, **wrong)
        assert status == 401, answer
    right = {"userName": "manager"}
    status, answer = login(served.port, source="127.0.0.2", forwarded_for="198.51.100.9", **right)
    assert status == 429, answer  # the limit is 2 failures here (LV_LOGIN_MAX_FAILURES)
    status, answer = login(served.port, source="127.0.0.3", **right)
    assert status == 200, answer  # another address: not locked out


def test_when_nginx_stops_gunicorn_stops_with_it(served):
    """Last: it stops the module's server (make serve's trap)."""
    nginx_pid = int((served.serve_dir / "nginx.pid").read_text())
    os.kill(nginx_pid, signal.SIGTERM)
    served.process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", served.gunicorn_port), timeout=1).close()
        except OSError:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"gunicorn still listens after nginx stopped:\n{served.log()}")
