"""A throwaway PostgreSQL cluster from Debian's server binaries (the `postgresql` package).

initdb runs on a fresh directory under /tmp; the server listens on 127.0.0.1 only, at a free port,
with its unix socket in that directory and trust authentication (nothing else can reach it). The
directory is removed when the cluster stops. Every wait is bounded.

initdb and postgres refuse to run as root. Under root (as in CI and the dev containers) the
cluster runs as the unprivileged `postgres` account the Debian package creates (FLOE_PG_USER
overrides it): the child switches user before exec (subprocess's user=/group=), so the pid we
hold is the postmaster's own and nothing else needs sudo, runuser or setpriv.
"""

from __future__ import annotations

import os
import pathlib
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

from .net import free_port
from .paths import MissingTool

START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 30
PG_ROOT = pathlib.Path("/usr/lib/postgresql")


def pg_bin_dir() -> pathlib.Path:
    """The newest /usr/lib/postgresql/N/bin with initdb and postgres (FLOE_PG_BIN overrides it)."""
    if override := os.environ.get("FLOE_PG_BIN"):
        candidates = [pathlib.Path(override)]
    else:
        versions = [d for d in PG_ROOT.glob("*") if d.name.isdigit()] if PG_ROOT.is_dir() else []
        candidates = [d / "bin" for d in sorted(versions, key=lambda d: int(d.name), reverse=True)]
    for bin_dir in candidates:
        if all((bin_dir / tool).is_file() for tool in ("initdb", "postgres", "pg_isready", "psql")):
            return bin_dir
    raise MissingTool(f"PostgreSQL server binaries (initdb, postgres) not found in "
                      f"{candidates or str(PG_ROOT / '*/bin')}; run scripts/setup (Debian package postgresql)")


class PostgresCluster:
    """start() initializes and starts the cluster, stop() stops it and removes its directory.

    `dsn` is postgresql://floe@127.0.0.1:PORT/floe (superuser `floe`, trust auth);
    create_database() makes another empty database and returns its DSN; psql(sql) runs SQL with
    the psql CLI and returns its unaligned, tuples-only output.
    """

    USER = "floe"
    DATABASE = "floe"

    def __init__(self) -> None:
        self.bin = pg_bin_dir()
        self._run_as = self._unprivileged_account()
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="floe-postgres-"))
        self.data = self.dir / "data"
        self.socket_dir = self.dir / "sock"
        self.log_path = self.dir / "postgres.log"
        self.port = 0
        self.process: subprocess.Popen | None = None
        self._log_file = None
        self.socket_dir.mkdir()
        if self._run_as is not None:
            for path in (self.dir, self.socket_dir):
                os.chown(path, self._run_as.pw_uid, self._run_as.pw_gid)

    @property
    def dsn(self) -> str:
        return self.dsn_for(self.DATABASE)

    def dsn_for(self, database: str) -> str:
        return f"postgresql://{self.USER}@127.0.0.1:{self.port}/{database}"

    # --- lifecycle -----------------------------------------------------------

    def start(self) -> "PostgresCluster":
        try:
            self._initdb()
            for attempt in range(3):  # another process may take the free port before postgres binds it
                self.port = free_port()
                if self._start_server():
                    break
            else:
                raise RuntimeError(f"postgres could not bind a free port 3 times:\n{self.log_tail()}")
            self.psql(f'CREATE DATABASE "{self.DATABASE}"', database="postgres")
        except BaseException:
            self.stop(remove=False)
            raise
        return self

    def stop(self, remove: bool = True) -> None:
        """Fast shutdown (SIGINT): the postmaster ends its children and exits. If it does not within
        STOP_TIMEOUT_S, immediate shutdown (SIGQUIT), then SIGKILL to its process group."""
        proc = self.process
        if proc is not None and proc.poll() is None:
            for sig, wait in ((signal.SIGINT, STOP_TIMEOUT_S), (signal.SIGQUIT, 10)):
                proc.send_signal(sig)
                try:
                    proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
            else:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=STOP_TIMEOUT_S)
        self.process = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if remove:
            shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no postgres log)"
        return "\n".join(text.splitlines()[-lines:])

    # --- conveniences for tests ----------------------------------------------

    def psql(self, sql: str, database: str | None = None, timeout: float = 30) -> str:
        """Runs SQL with psql over TCP; a failing statement raises RuntimeError with psql's error."""
        proc = subprocess.run(
            [str(self.bin / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             "-d", self.dsn_for(database or self.DATABASE), "-c", sql],
            capture_output=True, text=True, timeout=timeout, env=self._client_env())
        if proc.returncode != 0:
            raise RuntimeError(f"psql failed ({proc.returncode}) on {sql!r}:\n{proc.stderr}")
        return proc.stdout

    def create_database(self, name: str) -> str:
        self.psql(f'CREATE DATABASE "{name}"', database="postgres")
        return self.dsn_for(name)

    # --- internals -------------------------------------------------------------

    @staticmethod
    def _unprivileged_account() -> pwd.struct_passwd | None:
        """None when not root (run as ourselves); else the account to run the cluster as."""
        if os.geteuid() != 0:
            return None
        name = os.environ.get("FLOE_PG_USER", "postgres")
        try:
            return pwd.getpwnam(name)
        except KeyError:
            raise MissingTool(f"running as root, and there is no '{name}' account to run PostgreSQL as "
                              f"(initdb refuses root); run scripts/setup (Debian package postgresql)") from None

    def _as_server_user(self) -> dict:
        """Popen arguments that run a server binary unprivileged, from this directory."""
        kwargs: dict = {"cwd": self.dir, "env": {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                                 "LC_ALL": "C", "TZ": "UTC"}}
        if self._run_as is not None:
            kwargs.update(user=self._run_as.pw_uid, group=self._run_as.pw_gid, extra_groups=[])
        return kwargs

    @staticmethod
    def _client_env() -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}  # no stray PGHOST etc.
        env["PGCONNECT_TIMEOUT"] = "10"
        return env

    def _initdb(self) -> None:
        proc = subprocess.run(
            [str(self.bin / "initdb"), "-D", str(self.data), "-U", self.USER, "--auth=trust",
             "--encoding=UTF8", "--no-locale", "--no-sync", "--no-instructions"],
            capture_output=True, text=True, timeout=120, **self._as_server_user())
        if proc.returncode != 0:
            raise RuntimeError(f"initdb failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")

    def _start_server(self) -> bool:
        """Starts postgres on self.port and waits until it accepts connections. False when the port
        was taken meanwhile (the caller tries another); any other failure raises."""
        if self._log_file is not None:
            self._log_file.close()
        self._log_file = open(self.log_path, "ab")
        log_start = self._log_file.tell()
        self.process = subprocess.Popen(
            [str(self.bin / "postgres"), "-D", str(self.data), "-h", "127.0.0.1", "-p", str(self.port),
             "-k", str(self.socket_dir), "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off", "-c", "logging_collector=off"],
            stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True,
            **self._as_server_user())
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                log = self.log_path.read_bytes()[log_start:].decode(errors="replace")
                if "could not bind" in log or "Address already in use" in log:
                    return False
                raise RuntimeError(f"postgres exited while starting:\n{log}")
            ready = subprocess.run(
                [str(self.bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port),
                 "-U", self.USER, "-d", "postgres", "-t", "1"],
                timeout=10, env=self._client_env())
            if ready.returncode == 0:
                return True
            time.sleep(0.1)
        raise RuntimeError(f"postgres not ready after {START_TIMEOUT_S} s:\n{self.log_tail()}")
