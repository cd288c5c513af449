"""Loopback helpers shared by the service fixtures."""

import socket


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the service binds it moments later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
