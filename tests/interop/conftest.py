"""Fixtures every interop test can use.

- kafka:       a real single-node Kafka broker for the whole session (KafkaBroker)
- duckdb_con:  a DuckDB connection with the iceberg extension loaded offline
- floe:        runs build/floe in the test's temporary directory (FloeRunner)
- floe_server: `floe server` on a free loopback port over a fresh warehouse (FloeServer)
- postgres:    a throwaway PostgreSQL cluster for the whole session (PostgresCluster); its `dsn`
               names an empty database `floe`, and a test that needs a database of its own
               (a fresh catalog) calls postgres.create_database(name) for another DSN
- spark:       a local Spark session with Iceberg's runtime, one per test module (harness/spark.py)
- trino:       a Trino coordinator for the whole session, with the test's floe_server added as
               the REST catalog `trino.catalog` (dropped again after the test)

A missing tool is a failure that says to run scripts/setup, never a skip.
"""

from __future__ import annotations

import itertools

import pytest

from harness import duck
from harness import spark as spark_harness
from harness.floe import FloeRunner
from harness.floe_server import FloeServer
from harness.kafka import KafkaBroker
from harness.postgres import PostgresCluster
from harness.trino import Trino

_broker: KafkaBroker | None = None
_postgres: PostgresCluster | None = None
_trino: Trino | None = None


@pytest.fixture(scope="session")
def kafka():
    global _broker
    broker = KafkaBroker().start()
    _broker = broker
    try:
        yield broker
    finally:
        _broker = None
        broker.stop()


@pytest.fixture(scope="session")
def postgres():
    # Session scope: initdb and start cost ~2 s, so one cluster serves every test; tests isolate
    # themselves with create_database().
    global _postgres
    cluster = PostgresCluster().start()
    _postgres = cluster
    try:
        yield cluster
    finally:
        _postgres = None
        cluster.stop()


@pytest.fixture
def duckdb_con(tmp_path_factory):
    con = duck.connect(tmp_path_factory.mktemp("duckdb-extensions"))
    try:
        yield con
    finally:
        con.close()


@pytest.fixture
def floe(tmp_path) -> FloeRunner:
    return FloeRunner(cwd=tmp_path)


@pytest.fixture
def floe_server(tmp_path):
    server = FloeServer(tmp_path / "warehouse").start()
    try:
        yield server
    finally:
        code = server.stop()
        assert code == 0, f"floe server exited with {code}:\n{server.log()}"


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    # Module scope: a module's tests share one JVM (about 4 s to start); modules do not keep it.
    session = spark_harness.start(tmp_path_factory.mktemp("spark"))
    try:
        yield session
    finally:
        spark_harness.stop(session)


@pytest.fixture(scope="session")
def trino_engine(tmp_path_factory):
    # Session scope: Trino takes ~15 s to start; each test gets a catalog of its own.
    global _trino
    engine = Trino(tmp_path_factory.mktemp("trino")).start()
    _trino = engine
    try:
        yield engine
    finally:
        _trino = None
        engine.stop()


_trino_catalogs = itertools.count(1)


@pytest.fixture
def trino(trino_engine, floe_server):
    """The session's Trino with the test's floe server as catalog `trino.catalog`."""
    name = f"lake{next(_trino_catalogs)}"
    trino_engine.add_rest_catalog(name, floe_server.uri)
    trino_engine.catalog = name
    try:
        yield trino_engine
    finally:
        trino_engine.drop_catalog(name)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # A failed test that used the broker or PostgreSQL shows that server's log beside its own output.
    report = yield
    if report.failed and "kafka" in getattr(item, "fixturenames", ()) and _broker is not None:
        report.sections.append(("kafka broker log (tail)", _broker.log_tail()))
    if report.failed and "postgres" in getattr(item, "fixturenames", ()) and _postgres is not None:
        report.sections.append(("postgres log (tail)", _postgres.log_tail()))
    if report.failed and "trino" in getattr(item, "fixturenames", ()) and _trino is not None:
        report.sections.append(("trino log (tail)", _trino.log()))
    return report
