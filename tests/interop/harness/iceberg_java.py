"""Java Iceberg (the reference implementation) writing tables for floe to read.

tools/iceberg-java/WriteTables, compiled by scripts/setup into .cache/iceberg-java, takes a JSON
spec (its class comment describes it) and writes the tables with Java Iceberg's JdbcCatalog on a
SQLite catalog (floe's own catalog.db works) and a local FileIO, without Hadoop. It prints one
JSON line per operation, which run() returns parsed.
"""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess

from .paths import ICEBERG_JAVA, MissingTool, require

MAIN_CLASS = "dev.floe.tools.iceberg.WriteTables"


def classpath() -> str:
    classes = require(ICEBERG_JAVA / "classes" / "dev" / "floe" / "tools" / "iceberg" / "WriteTables.class",
                      "the compiled Java Iceberg writer (tools/iceberg-java)")
    lib = require(ICEBERG_JAVA / "lib", "the Java Iceberg jars")
    if not any(lib.glob("iceberg-core-*.jar")):
        raise MissingTool(f"iceberg-core jar not found in {lib}; run scripts/setup")
    return f"{ICEBERG_JAVA / 'classes'}:{lib}/*"


def run(spec: dict, workdir: pathlib.Path, timeout: float = 240) -> list[dict]:
    """Writes the tables `spec` describes; returns the tool's report lines."""
    java = shutil.which("java")
    if java is None:
        raise MissingTool("java not found on PATH; run scripts/setup")
    cp = classpath()
    spec_path = workdir / "write-tables.json"
    spec_path.write_text(json.dumps(spec))
    proc = subprocess.run([java, "-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp, MAIN_CLASS,
                           str(spec_path)], capture_output=True, text=True, timeout=timeout, cwd=workdir)
    if proc.returncode != 0:
        raise AssertionError(f"WriteTables failed (exit {proc.returncode}) on {spec_path}:\n"
                             f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-8000:]}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
