"""Apache Spark (PySpark) with Iceberg's Spark runtime, as a client of `floe server`.

scripts/setup installs pyspark (pinned in tests/requirements.txt; it carries Spark's own jars) and
fetches org.apache.iceberg:iceberg-spark-runtime-4.1_2.13 (tools/spark/pom.xml) into
.cache/spark/lib. start() launches one local Spark JVM (local[2], no UI, everything on loopback)
with that jar in spark.jars and Iceberg's SQL extensions (MERGE INTO, CALL ...); starting it costs
about 4 s, so tests share one. add_rest_catalog() then registers a REST catalog under a fresh name
at run time, so each test can point Spark at its own server. stop() ends the JVM.
"""

from __future__ import annotations

import os
import pathlib
import shutil

from .paths import SPARK_LIB, MissingTool, require

EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"


def runtime_jar() -> pathlib.Path:
    lib = require(SPARK_LIB, "Iceberg's Spark runtime (tools/spark/pom.xml)")
    jars = sorted(lib.glob("iceberg-spark-runtime-*.jar"))
    if len(jars) != 1:
        raise MissingTool(f"expected one iceberg-spark-runtime jar in {lib}, found {jars}; run scripts/setup")
    return jars[0]


def start(workdir: pathlib.Path):
    """A local SparkSession (session time zone UTC) whose JVM runs in `workdir`."""
    if shutil.which("java") is None:
        raise MissingTool("java not found on PATH; run scripts/setup")
    jar = runtime_jar()
    from pyspark.sql import SparkSession

    workdir.mkdir(parents=True, exist_ok=True)
    # Spark binds its driver to the host's address unless told otherwise: keep it on loopback.
    saved = os.environ.get("SPARK_LOCAL_IP")
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    try:
        spark = (SparkSession.builder.master("local[2]").appName("floe-interop")
                 .config("spark.jars", str(jar))
                 .config("spark.sql.extensions", EXTENSIONS)
                 .config("spark.driver.host", "127.0.0.1")
                 .config("spark.driver.bindAddress", "127.0.0.1")
                 .config("spark.driver.memory", "1g")
                 .config("spark.ui.enabled", "false")
                 .config("spark.sql.shuffle.partitions", "2")
                 .config("spark.sql.session.timeZone", "UTC")
                 .config("spark.sql.warehouse.dir", str(workdir / "spark-warehouse"))
                 .config("spark.local.dir", str(workdir / "spark-local"))
                 .getOrCreate())
    finally:
        if saved is None:
            os.environ.pop("SPARK_LOCAL_IP", None)
        else:
            os.environ["SPARK_LOCAL_IP"] = saved
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def add_rest_catalog(spark, name: str, uri: str) -> str:
    """Registers Iceberg's REST catalog at `uri` as Spark catalog `name`. Its table cache is off,
    so every statement loads the table the server has now (as another engine left it)."""
    prefix = f"spark.sql.catalog.{name}"
    spark.conf.set(prefix, "org.apache.iceberg.spark.SparkCatalog")
    spark.conf.set(f"{prefix}.type", "rest")
    spark.conf.set(f"{prefix}.uri", uri)
    spark.conf.set(f"{prefix}.cache-enabled", "false")
    return name


def stop(spark) -> None:
    """Stops the session and ends its JVM (PySpark otherwise keeps it until Python exits)."""
    from pyspark import SparkContext

    spark.stop()
    gateway = SparkContext._gateway
    if gateway is None:
        return
    proc = getattr(gateway, "proc", None)
    gateway.shutdown()
    SparkContext._gateway = None
    SparkContext._jvm = None
    if proc is not None:
        proc.stdin.close()  # the JVM exits when its stdin closes
        try:
            proc.wait(timeout=30)
        except Exception:
            proc.kill()
            proc.wait(timeout=30)
