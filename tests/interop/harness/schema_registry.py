"""Apicurio Registry (tools/schema-registry/pom.xml, fetched by scripts/setup): a real schema
registry serving the Confluent Schema Registry API under /apis/ccompat/v7, on loopback, with
in-memory storage. Started and stopped by the test module that needs it."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import time
import urllib.error
import urllib.request

from harness.net import free_port
from harness.paths import CACHE, MissingTool

APP = CACHE / "schema-registry" / "app"


class SchemaRegistry:
    def __init__(self, log_dir: pathlib.Path) -> None:
        self.log_path = log_dir / "schema-registry.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/apis/ccompat/v7"
        self._proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> "SchemaRegistry":
        jars = sorted(APP.glob("apicurio-registry-app-*-runner.jar"))
        if not jars:
            raise MissingTool(f"Apicurio Registry not found in {APP}; run scripts/setup")
        java = shutil.which("java")
        if java is None:
            raise MissingTool("java not found; run scripts/setup")
        log = open(self.log_path, "ab")
        self._proc = subprocess.Popen(
            [java, "-Xmx256m", "-Dquarkus.http.host=127.0.0.1", f"-Dquarkus.http.port={self.port}",
             "-jar", str(jars[-1])], stdout=log, stderr=subprocess.STDOUT, cwd=APP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"the schema registry exited with {self._proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/subjects", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the schema registry did not start in {timeout} s:\n{self.log()}")

    def schema(self, schema_id: int) -> dict:
        with urllib.request.urlopen(f"{self.url}/schemas/ids/{schema_id}", timeout=10) as r:
            return json.loads(r.read())

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None
