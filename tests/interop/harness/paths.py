"""Where the repository, the floe binary and the fetched tools live."""

import os
import pathlib

REPO = pathlib.Path(__file__).resolve().parents[3]
BUILD = pathlib.Path(os.environ.get("FLOE_BUILD_DIR", REPO / "build")).resolve()
FLOE_BINARY = pathlib.Path(os.environ.get("FLOE_BINARY", BUILD / "floe")).resolve()
CACHE = REPO / ".cache"
KAFKA_LIB = CACHE / "kafka" / "lib"
ICEBERG_JAVA = CACHE / "iceberg-java"   # tools/iceberg-java compiled: classes/ and lib/
SPARK_LIB = CACHE / "spark" / "lib"      # Iceberg's Spark runtime jar (tools/spark/pom.xml)


class MissingTool(RuntimeError):
    """A tool the tests need is absent: a setup problem, reported loudly, never skipped."""


def require(path: pathlib.Path, what: str) -> pathlib.Path:
    if not path.exists():
        raise MissingTool(f"{what} not found at {path}; run scripts/setup")
    return path


def local_path(location: str) -> pathlib.Path:
    """The local path of a location as Iceberg metadata spells it: file:///a/b, file:/a/b or /a/b
    (floe makes file:// URIs; other writers use all three)."""
    return pathlib.Path(location.removeprefix("file://").removeprefix("file:"))
