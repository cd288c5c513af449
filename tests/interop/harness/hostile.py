"""What the hostile-request suites (test_server_hostile_*.py) share: a server started with extra
flags and stopped cleanly, requests that report a dead server instead of raising, raw sockets,
the "still serving other clients" check and snapshots of directories a request must not touch."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import pathlib
import select
import socket
import stat
import time

from .floe_server import FloeServer

SCHEMA = {"type": "struct", "schema-id": 0,
          "fields": [{"id": 1, "name": "id", "required": False, "type": "long"}]}
VIEW_VERSION = {"version-id": 1, "timestamp-ms": 0, "schema-id": 0, "summary": {},
                "representations": [{"type": "sql", "sql": "select 1", "dialect": "spark"}],
                "default-namespace": ["ns"]}
# A create transaction's commit (POST .../tables/{name}, assert-create) building a one-column table.
CREATE_TX = {"requirements": [{"type": "assert-create"}], "updates": [
    {"action": "upgrade-format-version", "format-version": 2},
    {"action": "add-schema", "schema": SCHEMA, "last-column-id": 1},
    {"action": "set-current-schema", "schema-id": -1},
    {"action": "add-spec", "spec": {"spec-id": 0, "fields": []}},
    {"action": "set-default-spec", "spec-id": -1},
    {"action": "add-sort-order", "sort-order": {"order-id": 0, "fields": []}},
    {"action": "set-default-sort-order", "sort-order-id": -1}]}
# The answers' error types a refused location may carry (the contract allows both).
LOCATION_ERRORS = ("BadRequestException", "ValidationException", "IllegalArgumentException")


@contextlib.contextmanager
def serve(tmp_path: pathlib.Path, *args, warehouse: str = "warehouse",
          env: dict[str, str] | None = None):
    """`floe server` over tmp_path/warehouse with extra flags (and environment variables). Its clean
    exit (code 0) is asserted at the end, unless the test failed already (then the first failure is
    the one reported)."""
    server = FloeServer(tmp_path / warehouse, extra_args=[str(a) for a in args], env=env).start()
    try:
        yield server
    except BaseException:
        server.stop()
        raise
    code = server.stop()
    assert code == 0, f"floe server exited with {code}:\n{log_tail(server)}"


def log_tail(server: FloeServer, chars: int = 3000) -> str:
    return server.log()[-chars:]


def address(server: FloeServer) -> tuple[str, int]:
    host, port = server.uri.removeprefix("http://").split(":")
    return host, int(port)


def exit_code(server: FloeServer) -> int | None:
    """The server's exit code, None while it runs (a crashing one gets 2 s to finish dying)."""
    for _ in range(20):
        if server.proc.poll() is not None:
            break
        time.sleep(0.1)
    return server.proc.poll()


def short(value, limit: int = 600) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def request(server: FloeServer, method: str, path: str, body=None, timeout: float = 30.0):
    """(status, parsed JSON answer or None) on a new connection. A connection that ends (or times
    out) without an answer gives status None and an answer saying whether the server still runs."""
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    if isinstance(data, str):
        data = data.encode()
    conn = http.client.HTTPConnection(*address(server), timeout=timeout)
    try:
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        text = response.read()
    except (OSError, http.client.HTTPException) as e:
        return None, {"no answer": repr(e), "server exit code": exit_code(server)}
    finally:
        conn.close()
    try:
        return response.status, json.loads(text) if text else None
    except ValueError:
        return response.status, {"not JSON": text[:500].decode(errors="replace")}


def expect_error(server, method: str, path: str, body, status: int, phrase: str,
                 types=("BadRequestException",)) -> dict:
    """Sends the request and asserts the answer: `status`, an error of one of `types` (None: any)
    whose message contains `phrase`. Returns the error object."""
    got, answer = request(server, method, path, body)
    assert got == status, f"{method} {path[:120]}: wanted {status}, got {got}: {short(answer)}"
    error = (answer or {}).get("error")
    assert isinstance(error, dict) and error.get("code") == status, short(answer)
    assert types is None or error.get("type") in types, short(error)
    assert phrase in error.get("message", ""), f"{phrase!r} not in {short(error)}"
    return error


def assert_serving(server: FloeServer) -> None:
    """The server still runs and answers a new client: GET /v1/config and a namespace list (the
    10 s socket timeout is a hang guard)."""
    assert server.proc.poll() is None, f"floe server died ({server.proc.returncode}):\n{log_tail(server)}"
    status, body = request(server, "GET", "/v1/config", timeout=10)
    assert status == 200 and "endpoints" in body, short((status, body))
    status, body = request(server, "GET", "/v1/namespaces", timeout=10)
    assert status == 200 and "namespaces" in body, short((status, body))


# --- raw sockets ----------------------------------------------------------------------------------

def connect(server: FloeServer, timeout: float = 10, receive_buffer: int | None = None) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    s.settimeout(timeout)
    s.connect(address(server))
    return s


def readable(s: socket.socket, seconds: float) -> bool:
    """Whether `s` has bytes (or an end) to read within `seconds` (poll: any descriptor number)."""
    p = select.poll()
    p.register(s, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(p.poll(max(0, int(seconds * 1000))))


def receive(s: socket.socket) -> bytes:
    """One recv; b"" when the server closed (or reset) the connection."""
    try:
        return s.recv(65536)
    except (ConnectionResetError, BrokenPipeError):
        return b""


def wait_closed(s: socket.socket, seconds: float) -> bytes | None:
    """Reads until the server closes `s`: what it sent before closing, or None if `s` is still
    open after `seconds` (a hang guard)."""
    deadline, data = time.monotonic() + seconds, b""
    while (left := deadline - time.monotonic()) > 0:
        if not readable(s, left):
            return None
        chunk = receive(s)
        if not chunk:
            return data
        data += chunk
    return None


def status_of(response: bytes) -> int | None:
    """The status code of a raw HTTP answer, None if it is not one."""
    parts = response.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[0].startswith(b"HTTP/") and parts[1].isdigit() else None


# --- what must not change -------------------------------------------------------------------------

def tree(root: pathlib.Path, skip: tuple[str, ...] = ("warehouse", "warehouse-server.log")) -> dict:
    """Every path under `root` but the top-level names in `skip`, with its kind, size and
    modification time: creating, changing or removing anything there changes the snapshot."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if pathlib.Path(dirpath) == root:
            dirnames[:] = [d for d in dirnames if d not in skip]
            filenames = [f for f in filenames if f not in skip]
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            out[os.path.relpath(path, root)] = (stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns)
    return out


def rss_bytes(pid: int) -> int:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for process {pid}")
