"""`floe server` as a fixture: started on a free loopback port, stopped with SIGTERM."""

from __future__ import annotations

import os
import pathlib
import re
import signal
import subprocess
import time

from .paths import FLOE_BINARY, require


class FloeServer:
    """A running `floe server --port 0` over a warehouse directory.

    `uri` is its base URL. stop() sends SIGTERM, waits (bounded) for a clean exit and returns
    the exit code; the server's stderr (its access log) is kept for failing tests.
    """

    def __init__(self, warehouse: pathlib.Path, binary: pathlib.Path = FLOE_BINARY,
                 extra_args: list[str] | None = None, catalog_db: str | None = None,
                 env: dict[str, str] | None = None, port: int = 0) -> None:
        self.port = port  # 0: any free port (a restart may pass the first one's)
        self.binary = require(binary, "floe binary")
        self.warehouse = warehouse
        self.catalog_db = catalog_db  # a PostgreSQL URI; None: the warehouse's SQLite catalog
        self.extra_args = list(extra_args or [])
        self.env = {**os.environ, **(env or {})}
        if catalog_db:
            self.extra_args += ["--catalog-db", catalog_db]
        self.log_path = warehouse.parent / f"{warehouse.name}-server.log"
        self.proc: subprocess.Popen | None = None
        self.uri = ""

    def start(self, timeout: float = 20) -> "FloeServer":
        self.warehouse.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w+b")
        self.proc = subprocess.Popen(
            [str(self.binary), "server", "--host", "127.0.0.1", "--port", str(self.port),
             "--warehouse", str(self.warehouse), *self.extra_args],
            stdout=subprocess.DEVNULL, stderr=self._log, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_path.read_text(errors="replace")
            if m := re.search(r"listening on (http://127\.0\.0\.1:\d+)", text):
                self.uri = m[1]
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"floe server exited with {self.proc.returncode}:\n{text}")
            time.sleep(0.05)
        self.proc.kill()
        raise RuntimeError(f"floe server did not start within {timeout} s:\n{self.log()}")

    @property
    def catalog_args(self) -> list[str]:
        """The options that point floe's CLI at this server's catalog and warehouse."""
        return ["--warehouse", str(self.warehouse), *(["--catalog", self.catalog_db] if self.catalog_db else [])]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self, timeout: float = 30) -> None:
        """SIGKILL: the server dies mid-whatever, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=timeout)
        self._log.close()

    def stop(self, timeout: float = 20) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=timeout)
            raise RuntimeError(f"floe server ignored SIGTERM for {timeout} s:\n{self.log()}")
        finally:
            self._log.close()
