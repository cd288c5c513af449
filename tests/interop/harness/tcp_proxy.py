"""A TCP proxy on loopback that can lose answers: the way to test what a client does when the
connection breaks at the worst moment (a commit applied, its answer never delivered).

Every accepted connection gets its own upstream connection and two pump threads. A `Cut` armed on
the proxy watches the bytes the client sends; once a client chunk contains its trigger, the proxy
either drops that chunk and closes both sides (`when="before"`: the request never reaches the
server), or forwards it and closes both sides as soon as the server's answer starts to arrive,
relaying `relay_bytes` bytes of it first (`when="after"`: the request was applied, its answer lost).
A cut fires once; `fired` counts it, so a test can assert that it really happened.
"""

from __future__ import annotations

import dataclasses
import socket
import threading


@dataclasses.dataclass
class Cut:
    trigger: bytes
    when: str = "after"  # "before" | "after"
    relay_bytes: int = 0  # with "after": how many bytes of the answer still reach the client
    fired: int = 0


class TcpProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.cut: Cut | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._sockets: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> "TcpProxy":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._listener.close()
        with self._lock:
            for s in self._sockets:
                _close(s)

    def arm(self, cut: Cut) -> Cut:
        with self._lock:
            self.cut = cut
        return cut

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except (socket.timeout, OSError):
                continue
            upstream = socket.create_connection(self.upstream, timeout=10)
            upstream.settimeout(None)
            client.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
            state = {"doomed": None}  # the Cut that fired on this connection
            threading.Thread(target=self._pump_up, args=(client, upstream, state), daemon=True).start()
            threading.Thread(target=self._pump_down, args=(upstream, client, state), daemon=True).start()

    def _take_cut(self, chunk: bytes) -> Cut | None:
        with self._lock:
            cut = self.cut
            if cut is None or cut.trigger not in chunk:
                return None
            self.cut = None
            cut.fired += 1
            return cut

    def _pump_up(self, client: socket.socket, upstream: socket.socket, state: dict) -> None:
        try:
            while chunk := client.recv(65536):
                if cut := self._take_cut(chunk):
                    if cut.when == "before":
                        break  # the request never reaches the server
                    state["doomed"] = cut
                upstream.sendall(chunk)
        except OSError:
            pass
        if state["doomed"] is None:
            _close(client, upstream)

    def _pump_down(self, upstream: socket.socket, client: socket.socket, state: dict) -> None:
        try:
            while chunk := upstream.recv(65536):
                cut = state["doomed"]
                if cut is not None:  # the answer to the doomed request: lose it
                    if cut.relay_bytes:
                        client.sendall(chunk[: cut.relay_bytes])
                    break
                client.sendall(chunk)
        except OSError:
            pass
        _close(client, upstream)


def _close(*sockets: socket.socket) -> None:
    for s in sockets:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()
