"""floe server against slow, stuck and greedy clients: a slowloris that keeps trickling bytes is
cut off by --read-timeout (the whole request must arrive within it), clients that never read their
large answers do not pin the workers, thousands of idle connections do not lock out a new client,
and partial bodies beyond --max-buffered-bytes are refused (503 or closed) with memory bounded.
Every bound below is a hang guard or a memory bound, never a timing threshold."""

import json
import resource
import select
import time

import pytest

from harness.hostile import (SCHEMA, assert_serving, connect, readable, receive, request, rss_bytes,
                             serve, short, status_of)

SLOW_REQUESTS = {
    "header": (b"GET /v1/config HTTP/1.1\r\nHost: x\r\nX-Slow: ", b"a"),
    "body": (b"POST /v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n", b" "),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("part", SLOW_REQUESTS)
def test_slowloris_is_cut_off_within_the_read_timeout(tmp_path, part):
    """One byte every 0.5 s never completes a request: with --read-timeout 2 the server closes
    the connection (a 408 first is fine) although bytes keep coming. 16 rounds (8 s, four times the
    timeout) is the hang guard."""
    start, byte = SLOW_REQUESTS[part]
    with serve(tmp_path, "--read-timeout", 2) as server:
        s = connect(server)
        s.sendall(start)
        answer, closed = b"", False
        for _ in range(16):
            try:
                s.sendall(byte)
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if readable(s, 0.5):
                chunk = receive(s)
                if not chunk:
                    closed = True
                    break
                answer += chunk
        s.close()
        assert closed, f"still open after 16 bytes at 0.5 s intervals; received {answer[:200]!r}"
        assert answer == b"" or status_of(answer) == 408, answer[:300]
        assert_serving(server)


@pytest.mark.timeout(120)
def test_clients_that_never_read_do_not_pin_the_workers(tmp_path):
    """Four clients each pipeline 16 loads of a ~4 MB table and never read (a 4 KB receive
    buffer): their answers cannot all be written. With --workers 2 another client's GET /v1/config
    is still answered (within its 10 s socket timeout: the hang guard)."""
    with serve(tmp_path, "--workers", 2) as server:
        assert request(server, "POST", "/v1/namespaces", {"namespace": ["ns"]})[0] == 200
        assert request(server, "POST", "/v1/namespaces/ns/tables", {"name": "big", "schema": SCHEMA})[0] == 200
        props = {f"p{i}": "x" * 65536 for i in range(64)}
        status, body = request(server, "POST", "/v1/namespaces/ns/tables/big",
                               {"requirements": [], "updates": [{"action": "set-properties", "updates": props}]})
        assert status == 200, short(body)
        load = b"GET /v1/namespaces/ns/tables/big HTTP/1.1\r\nHost: x\r\n\r\n"
        hogs = [connect(server, receive_buffer=4096) for _ in range(4)]
        try:
            for s in hogs:
                s.sendall(load * 16)
            time.sleep(1)  # let the workers take the loads (a pass without it proves nothing)
            assert_serving(server)
        finally:
            for s in hogs:
                s.close()
        assert_serving(server)


@pytest.mark.timeout(120)
def test_thousands_of_idle_connections_do_not_lock_out_a_new_client(tmp_path):
    """2000 open connections, a quarter of them half-way through a request line, and a new
    client is still answered. The test process may need more descriptors than it starts with."""
    wanted = 2000 + 256
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= wanted, \
        f"RLIMIT_NOFILE hard limit {hard} is below {wanted}: raise it for the test run"
    idle = []
    try:
        with serve(tmp_path) as server:
            idle = [connect(server) for _ in range(2000)]
            for s in idle[::4]:
                s.sendall(b"GET /v1/config HTTP/1.1\r\n")
            assert_serving(server)
            for s in idle:
                s.close()
            idle = []
    finally:
        for s in idle:
            s.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def push(sockets: list, payload: bytes, seconds: float) -> dict:
    """Writes `payload` on every socket without blocking on any one: socket -> bytes written, or
    -1 when the server closed it. `seconds` bounds the whole (a server that stops reading)."""
    written = {s: 0 for s in sockets}
    for s in sockets:
        s.setblocking(False)
    poller = select.poll()
    for s in sockets:
        poller.register(s, select.POLLOUT)
    deadline = time.monotonic() + seconds
    while any(0 <= n < len(payload) for n in written.values()) and time.monotonic() < deadline:
        by_fd = {s.fileno(): s for s in sockets if 0 <= written[s] < len(payload)}
        for fd, _ in poller.poll(200):
            s = by_fd.get(fd)
            if s is None:
                continue
            try:
                written[s] += s.send(payload[written[s]:written[s] + 65536])
            except BlockingIOError:
                pass
            except (BrokenPipeError, ConnectionResetError):
                written[s] = -1
            if not 0 <= written[s] < len(payload):
                poller.unregister(s)
    for s in sockets:
        s.settimeout(10)
    return written


@pytest.mark.timeout(120)
def test_partial_bodies_beyond_max_buffered_bytes_are_refused(tmp_path):
    """64 connections each send 1 MiB of a 2 MiB body (64 MiB held open against an 8 MiB
    budget): at most 16 of them may stay buffered (twice the budget, for accounting slack); the
    rest are answered 503 or closed. A fresh small request is answered and the server's RSS grows by
    less than 48 MiB (a memory bound: the bodies alone are 64 MiB). Under AddressSanitizer freed
    memory is quarantined (kept resident) unless told otherwise, so the server is told."""
    with serve(tmp_path, "--max-buffered-bytes", 8 << 20,
               env={"ASAN_OPTIONS": "quarantine_size_mb=0"}) as server:
        head = b"POST /v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" \
               b"Content-Length: %d\r\n\r\n" % (2 << 20)
        assert_serving(server)
        before = rss_bytes(server.proc.pid)
        sockets = [connect(server) for _ in range(64)]
        try:
            written = push(sockets, head + b" " * (1 << 20), seconds=30)
            outcome = {s: "closed" if n < 0 else "pending" for s, n in written.items()}
            deadline = time.monotonic() + 10  # refusals are sent at once; this bounds the wait
            poller = select.poll()
            for s in sockets:
                if outcome[s] == "pending":
                    poller.register(s, select.POLLIN)
            by_fd = {s.fileno(): s for s in sockets}
            while "pending" in outcome.values() and time.monotonic() < deadline:
                for fd, _ in poller.poll(200):
                    s = by_fd[fd]
                    poller.unregister(s)
                    answer = receive(s)
                    outcome[s] = "closed" if not answer else f"status {status_of(answer)}"
            counts = {k: list(outcome.values()).count(k) for k in set(outcome.values())}
            assert set(counts) <= {"pending", "closed", "status 503"}, counts
            assert counts.get("pending", 0) <= 16, f"{counts}: more bodies buffered than the budget allows"
            assert_serving(server)
            grown = rss_bytes(server.proc.pid) - before
            assert grown < 48 << 20, f"server RSS grew by {grown >> 20} MiB with {json.dumps(counts)}"
        finally:
            for s in sockets:
                s.close()
        assert_serving(server)
