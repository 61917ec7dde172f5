"""HTTP at its edges, against a real gunicorn started as `make run` starts it (gunicorn.conf.py).

Long URLs: every URL up to 8,000 bytes reaches the API; a longer one is answered 414 with the
envelope, by the API up to gunicorn's 8,190-byte request line and by gunicorn itself beyond it.
Chunked bodies (no Content-Length) are read like any other body; where the server cannot end
them, the API answers 411 instead of reading them as empty. Whatever gunicorn refuses itself
(a malformed request) is the envelope too.
"""

import base64
import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
BADGES = "/api_gateway/v1/badges"
USERNAME, PASSWORD = "edge.till", "edge-secret"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()}
BODY_LIMIT = 65536  # DATA_UPLOAD_MAX_MEMORY_SIZE given to the server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(host, port) of gunicorn on a migrated scratch SQLite database with one API client."""
    scratch = tmp_path_factory.mktemp("http-edges")
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "BADGES_HTTPS", "WEB_CONCURRENCY"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "console.settings",
        "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",  # one worker boots faster; every other setting is make run's
        "DATA_UPLOAD_MAX_MEMORY_SIZE": str(BODY_LIMIT),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "create_api_client",
            "100458",
            USERNAME,
            "--password",
            PASSWORD,
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "console.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited: {process.stderr.read().decode()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port), timeout=0.5),
            ):
                break
            if time.monotonic() > deadline:
                pytest.fail("gunicorn did not listen within 60 s")
            time.sleep(0.1)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def call(server, method: str, target: str, body=None, headers: dict | None = None):
    """(status, headers, envelope) of one request; `body` as an iterable of bytes is sent chunked."""
    connection = http.client.HTTPConnection(*server, timeout=30)
    try:
        chunked = body is not None and not isinstance(body, bytes)
        connection.request(
            method, target, body=body, headers=AUTH | (headers or {}), encode_chunked=chunked
        )
        response = connection.getresponse()
        content = response.read()
    finally:
        connection.close()
    assert response.headers["Content-Type"].startswith("application/json"), content[:200]
    return response.status, response.headers, orjson.loads(content)


def padded(path: str, url_bytes: int) -> str:
    """`path` with a query parameter that makes the URL exactly `url_bytes` long."""
    prefix = f"{path}?pad="
    return prefix + "x" * (url_bytes - len(prefix))


GROUP_BODY = orjson.dumps({"name": "Chunked Club", "rank": 3})


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_url_of_8000_bytes_reaches_the_api(server, method):
    body = orjson.dumps({"name": f"Long URL {method}", "rank": 1}) if method == "POST" else None
    status, _, envelope = call(
        server, method, padded(f"{BADGES}/group", 8000), body, {"Content-Type": "application/json"}
    )
    assert status == 200, envelope
    assert envelope["errors"] == []


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("url_bytes", [8001, 8170, 12000, 70000])
def test_a_longer_url_is_answered_414_with_the_envelope(server, method, url_bytes):
    # 8001 and 8170 fit gunicorn's request line, so the API answers; 12000 and 70000 do not, and
    # gunicorn's own answer is the envelope too (gunicorn.conf.py).
    body = GROUP_BODY if method == "POST" else None
    status, _, envelope = call(
        server,
        method,
        padded(f"{BADGES}/group", url_bytes),
        body,
        {"Content-Type": "application/json"},
    )
    assert status == 414
    assert envelope["data"] is None
    assert envelope["errors"][0]["code"] == 414


def test_a_request_gunicorn_cannot_parse_is_answered_with_the_envelope(server):
    with socket.create_connection(server, timeout=30) as sock:
        sock.sendall(
            f"GET {BADGES}/group HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon here\r\n\r\n".encode()
        )
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"Content-Type: application/json" in head
    envelope = orjson.loads(body)
    assert envelope["data"] is None
    assert envelope["errors"][0]["code"] == 400


def test_a_chunked_post_body_is_read(server):
    status, _, envelope = call(
        server,
        "POST",
        f"{BADGES}/group",
        iter([GROUP_BODY[:10], GROUP_BODY[10:]]),
        {"Content-Type": "application/json"},
    )
    assert status == 200, envelope
    assert envelope["data"]["name"] == "Chunked Club"
    status, _, listed = call(server, "GET", f"{BADGES}/group?size=100")
    assert "Chunked Club" in [group["name"] for group in listed["data"]["badgeGroups"]]


def test_a_chunked_post_body_reads_the_same_as_a_sized_one(server):
    # Before: the chunked body read as empty and earnBulk said its customerIds were mandatory.
    body = orjson.dumps({"badgeMetaId": "000000000000000000000000", "customerIds": [1, 2]})
    sized = call(
        server, "POST", f"{BADGES}/customer/earnBulk", body, {"Content-Type": "application/json"}
    )
    chunked = call(
        server,
        "POST",
        f"{BADGES}/customer/earnBulk",
        iter([body[:7], body[7:]]),
        {"Content-Type": "application/json"},
    )
    assert chunked[0] == sized[0]
    assert chunked[2] == sized[2]
    assert "mandatory" not in orjson.dumps(chunked[2]).decode()


def test_a_chunked_body_on_a_get_is_ignored_like_a_sized_one(server):
    status, _, envelope = call(server, "GET", f"{BADGES}/group?size=1", iter([b"{}", b" "]))
    assert status == 200, envelope


def test_a_chunked_body_over_the_limit_is_refused_413(server):
    chunk = b" " * 8192
    status, _, envelope = call(
        server,
        "POST",
        f"{BADGES}/group",
        iter([GROUP_BODY] + [chunk] * 9),
        {"Content-Type": "application/json"},
    )
    assert status == 413
    assert envelope["errors"][0]["code"] == 413


# The same rules without gunicorn (any WSGI server, the Django test client), on both databases.


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_api_refuses_a_long_url_whatever_the_server(api, method):
    url = padded(f"{BADGES}/group", 8001)
    response = getattr(api.client, method)(url, headers=api.headers)
    assert response.status_code == 414
    assert orjson.loads(response.content)["errors"][0]["code"] == 414
    assert response["X-Content-Type-Options"] == "nosniff"  # still through SecurityMiddleware


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_chunked_body_the_server_cannot_end_is_answered_411(api, method):
    # The Django test client, like wsgiref, does not say where a chunked body ends.
    response = Client().generic(
        method, f"{BADGES}/group", headers=api.headers | {"Transfer-Encoding": "chunked"}
    )
    assert response.status_code == 411
    envelope = orjson.loads(response.content)
    assert envelope["errors"][0]["code"] == 411
