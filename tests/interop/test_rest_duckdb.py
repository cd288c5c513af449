"""DuckDB 1.5.5's iceberg extension against `floe server`: the issue's acceptance item for DuckDB.

DuckDB ATTACHes the server as a REST catalog (`TYPE iceberg, ENDPOINT <uri>, AUTHORIZATION_TYPE
'none'`) and reads and writes through it; PyIceberg (a RestCatalog on the same server) and floe's
CLI (`floe table scan` over the server's warehouse) are the judges. Every comparison is exact: rows
are rendered as floe renders them (harness.floe_text) and compared as multisets, against a Python
model of what was written.

- SELECT with filters, and time travel with AT (VERSION => id) and AT (TIMESTAMP => ts);
- INSERT INTO (values and INSERT ... SELECT) into a partitioned table, seen by PyIceberg and floe;
- DELETE FROM and UPDATE, which DuckDB writes as merge-on-read deletes: position-delete Parquet
  files on a v2 table, a deletion vector (Puffin) on a v3 table. PyIceberg and floe read both
  exactly as DuckDB does, at every snapshot;
- MERGE INTO; a multi-table transaction (POST /v1/transactions/commit) and its all-or-nothing
  failure on a conflict;
- CREATE/DROP SCHEMA, CREATE TABLE (AS), ALTER TABLE ADD COLUMN, DROP TABLE, and nested
  namespaces (SUPPORT_NESTED_NAMESPACES).

DuckDB's default (staged) CREATE TABLE sends set-current-schema after add-spec; the server binds
the spec to the schema just added, as Java does. STAGE_CREATE_TABLES false works too.
"""

from __future__ import annotations

import collections
import datetime as dt
import decimal
import gc
import json
import pathlib
import time

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from harness import duck
from harness.floe import FloeRunner
from harness.floe_server import FloeServer
from harness.floe_text import arrow_rows, floe_rows
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import (DateType, DecimalType, DoubleType, IntegerType, LongType, NestedField,
                             StringType, TimestamptzType)

pytestmark = pytest.mark.timeout(120)

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "site", StringType(), required=False),
    NestedField(3, "ts", TimestamptzType(), required=False),
    NestedField(4, "day", DateType(), required=False),
    NestedField(5, "dose", DecimalType(10, 2), required=False),
    NestedField(6, "hr", IntegerType(), required=False),
    NestedField(7, "temp", DoubleType(), required=False),
)
# How DuckDB shows SCHEMA's columns (DESCRIBE). DuckDB 1.5.5 shows every column as nullable, the
# required id included (the server's schema does mark it required: PyIceberg reads it so).
DUCK_COLUMNS = [("id", "BIGINT"), ("site", "VARCHAR"), ("ts", "TIMESTAMP WITH TIME ZONE"), ("day", "DATE"),
                ("dose", "DECIMAL(10,2)"), ("hr", "INTEGER"), ("temp", "DOUBLE")]
BY_SITE = PartitionSpec(PartitionField(2, 1000, IdentityTransform(), "site"))


# --- fixtures and helpers ----------------------------------------------------------------------------

@pytest.fixture
def catalog(floe_server):
    """A RestCatalog on the test's server, closed before the server stops."""
    c = RestCatalog("floe", uri=floe_server.uri)
    try:
        yield c
    finally:
        c.close()
        gc.collect()


def attach(server: FloeServer, extension_dir, **options) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the server attached as catalog `lake`."""
    con = duck.connect(extension_dir)
    con.execute("SET TimeZone = 'UTC'")  # casts from TIMESTAMPTZ to DATE below
    extra = "".join(f", {k} {v}" for k, v in options.items())
    con.execute(f"ATTACH 'warehouse' AS lake (TYPE iceberg, ENDPOINT '{server.uri}', "
                f"AUTHORIZATION_TYPE 'none'{extra})")
    return con


@pytest.fixture
def lake(floe_server, tmp_path_factory):
    """DuckDB with floe server attached as `lake` (default options), closed before the server stops."""
    con = attach(floe_server, tmp_path_factory.mktemp("duckdb-extensions"))
    try:
        yield con
    finally:
        con.close()


def readings(ids, **overrides) -> list[dict]:
    """Model rows: three sites, hourly readings over three days."""
    return [{"id": i, "site": f"S{i % 3}", "ts": T0 + dt.timedelta(hours=i % 72),
             "day": (T0 + dt.timedelta(hours=i % 72)).date(), "dose": decimal.Decimal(i * 125).scaleb(-2),
             "hr": 60 + i % 40, "temp": 36.0 + (i % 10) / 4, **overrides} for i in ids]


def sql_values(rows: list[dict]) -> str:
    """The rows as a DuckDB VALUES list, in SCHEMA's column order."""
    def literal(v):
        if v is None:
            return "NULL"
        if isinstance(v, dt.datetime):
            return f"TIMESTAMPTZ '{v.isoformat()}'"
        if isinstance(v, dt.date):
            return f"DATE '{v.isoformat()}'"
        if isinstance(v, str):
            return f"'{v}'"
        return str(v)
    return ", ".join("(" + ", ".join(literal(r[f.name]) for f in SCHEMA.fields) + ")" for r in rows)


def rendered(table: pa.Table) -> list[str]:
    """Arrow rows rendered as floe renders them, as a sorted multiset."""
    return sorted(json.dumps(r, sort_keys=True) for r in arrow_rows(table))


def model(rows: list[dict], schema: Schema = SCHEMA) -> list[str]:
    return rendered(pa.Table.from_pylist(rows, schema=schema.as_arrow()))


def duck_rows(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[str]:
    return rendered(con.execute(sql, params).to_arrow_table())


def iceberg_rows(table: Table, **scan) -> list[str]:
    return rendered(table.scan(**scan).to_arrow())


def floe_scan(floe: FloeRunner, server: FloeServer, name: str, *args) -> list[str]:
    out = floe.run("table", "scan", name, *server.catalog_args, "--format", "jsonl", *args, timeout=60).stdout
    return sorted(json.dumps(r, sort_keys=True) for r in floe_rows(out))


def access_log(server: FloeServer) -> list[dict]:
    return [json.loads(line[line.index("{"):]) for line in server.log().splitlines() if '"method"' in line]


def requests_to(server: FloeServer, method: str, path: str) -> collections.Counter:
    """How many `method path` requests the server answered, by status."""
    return collections.Counter(e["status"] for e in access_log(server) if e["method"] == method and e["path"] == path)


def operations(table: Table) -> list[str]:
    return [s.summary.operation.value for s in table.snapshots()]


def append(table: Table, rows: list[dict]) -> int:
    """A PyIceberg append; returns the new snapshot's id."""
    table.append(pa.Table.from_pylist(rows, schema=table.schema().as_arrow()))
    return table.current_snapshot().snapshot_id


# --- reads ------------------------------------------------------------------------------------------

def test_select_with_filters_and_time_travel(floe_server, catalog, lake, floe):
    """DuckDB lists the namespace and table PyIceberg created, with the Iceberg types mapped to its
    own; SELECT (whole, filtered, aggregated) reads the model; AT (VERSION => id) and
    AT (TIMESTAMP => ts) read each earlier snapshot as PyIceberg and floe read it; an unknown
    snapshot id is an error."""
    catalog.create_namespace("clinic")
    table = catalog.create_table("clinic.vitals", schema=SCHEMA, partition_spec=BY_SITE)
    first, second = readings(range(0, 20)), readings(range(20, 45))
    s1 = append(table, first)
    time.sleep(0.01)  # distinct snapshot timestamps
    s2 = append(table, second)
    table = catalog.load_table("clinic.vitals")
    everything = first + second

    assert lake.execute("SELECT schema_name FROM duckdb_schemas() WHERE database_name = 'lake' "
                        "AND schema_name NOT IN ('information_schema', 'pg_catalog')").fetchall() == [("clinic",)]
    assert lake.execute("SELECT schema, name FROM (SHOW ALL TABLES) WHERE database = 'lake'").fetchall() == \
        [("clinic", "vitals")]
    assert [(c, t) for c, t, *_ in lake.execute("DESCRIBE lake.clinic.vitals").fetchall()] == DUCK_COLUMNS
    assert table.schema() == SCHEMA and table.schema().find_field("id").required

    assert duck_rows(lake, "SELECT * FROM lake.clinic.vitals") == model(everything) == iceberg_rows(table)
    cut = T0 + dt.timedelta(hours=30)
    wanted = [r for r in everything if r["site"] == "S1" and r["ts"] >= cut and r["hr"] < 90]
    assert wanted
    assert duck_rows(lake, "SELECT * FROM lake.clinic.vitals WHERE site = 'S1' AND ts >= ? AND hr < 90",
                     [cut]) == model(wanted)
    assert lake.execute("SELECT site, count(*), sum(dose), max(temp) FROM lake.clinic.vitals GROUP BY site "
                        "ORDER BY site").fetchall() == \
        [(site, len(rs), sum(r["dose"] for r in rs), max(r["temp"] for r in rs))
         for site in ("S0", "S1", "S2") for rs in [[r for r in everything if r["site"] == site]]]

    # Time travel: by snapshot id and by timestamp, against PyIceberg and floe at the same snapshot.
    assert duck_rows(lake, f"SELECT * FROM lake.clinic.vitals AT (VERSION => {s1})") == model(first) == \
        iceberg_rows(table, snapshot_id=s1) == floe_scan(floe, floe_server, "clinic.vitals", "--snapshot", s1)
    assert duck_rows(lake, f"SELECT * FROM lake.clinic.vitals AT (VERSION => {s2})") == model(everything) == \
        floe_scan(floe, floe_server, "clinic.vitals")
    t1 = dt.datetime.fromtimestamp(table.snapshot_by_id(s1).timestamp_ms / 1000, dt.timezone.utc)
    t2 = dt.datetime.fromtimestamp(table.snapshot_by_id(s2).timestamp_ms / 1000, dt.timezone.utc)
    assert t1 < t2
    assert duck_rows(lake, "SELECT * FROM lake.clinic.vitals AT (TIMESTAMP => ?::TIMESTAMPTZ)", [t1]) == model(first)
    assert duck_rows(lake, "SELECT * FROM lake.clinic.vitals AT (TIMESTAMP => ?::TIMESTAMPTZ)",
                     [t2 - dt.timedelta(milliseconds=1)]) == model(first)
    assert duck_rows(lake, "SELECT * FROM lake.clinic.vitals AT (TIMESTAMP => ?::TIMESTAMPTZ)", [t2]) == \
        model(everything)
    assert duck_rows(lake, f"SELECT id FROM lake.clinic.vitals AT (VERSION => {s1}) WHERE site = 'S2'") == \
        sorted(json.dumps({"id": r["id"]}) for r in first if r["site"] == "S2")
    with pytest.raises(duckdb.Error, match="Could not find snapshot with id 12345"):
        lake.execute("SELECT * FROM lake.clinic.vitals AT (VERSION => 12345)").fetchall()
    # Reads commit nothing.
    assert operations(catalog.load_table("clinic.vitals")) == ["append", "append"]
    assert requests_to(floe_server, "POST", "/v1/transactions/commit") == {}


# --- writes -----------------------------------------------------------------------------------------

def test_insert_is_seen_by_pyiceberg_and_floe(floe_server, catalog, lake, floe):
    """INSERT INTO ... VALUES and INSERT INTO ... SELECT into a site-partitioned table: each is one
    append snapshot (one POST /v1/transactions/commit) on the previous; PyIceberg and floe read
    every snapshot as DuckDB does; each data file's rows lie in its partition; a PyIceberg append
    in between is seen by DuckDB's next read."""
    catalog.create_namespace("clinic")
    table = catalog.create_table("clinic.vitals", schema=SCHEMA, partition_spec=BY_SITE)
    seed = readings(range(0, 5))
    s0 = append(table, seed)

    batch1 = readings(range(5, 17))
    assert lake.execute(f"INSERT INTO lake.clinic.vitals VALUES {sql_values(batch1)}").fetchall() == [(12,)]
    batch2 = readings(range(100, 130))
    assert lake.execute(
        "INSERT INTO lake.clinic.vitals SELECT i, 'S' || (i % 3), TIMESTAMPTZ '2026-03-01 00:00:00+00' + "
        "to_hours(i % 72), CAST(TIMESTAMPTZ '2026-03-01 00:00:00+00' + to_hours(i % 72) AS DATE), "
        "CAST(i * 1.25 AS DECIMAL(10,2)), CAST(60 + i % 40 AS INTEGER), 36.0 + (i % 10) / 4 "
        "FROM range(100, 130) r(i)").fetchall() == [(30,)]
    assert requests_to(floe_server, "POST", "/v1/transactions/commit") == {204: 2}

    table = catalog.load_table("clinic.vitals")
    assert operations(table) == ["append", "append", "append"]
    s0_, s1, s2 = [s.snapshot_id for s in table.snapshots()]
    assert s0_ == s0
    assert [s.parent_snapshot_id for s in table.snapshots()] == [None, s0, s1]
    summary = table.current_snapshot().summary
    assert (summary["added-records"], summary["total-records"]) == ("30", str(len(seed + batch1 + batch2)))
    for sid, rows in ((s0, seed), (s1, seed + batch1), (s2, seed + batch1 + batch2)):
        assert iceberg_rows(table, snapshot_id=sid) == model(rows), sid
        assert floe_scan(floe, floe_server, "clinic.vitals", "--snapshot", sid) == model(rows), sid
        assert duck_rows(lake, f"SELECT * FROM lake.clinic.vitals AT (VERSION => {sid})") == model(rows), sid
    assert duck_rows(lake, "SELECT * FROM lake.clinic.vitals") == model(seed + batch1 + batch2)
    # The partition values DuckDB wrote are right: PyIceberg prunes by them, and each file holds
    # only its partition's rows.
    assert iceberg_rows(table, row_filter="site = 'S2'") == model([r for r in seed + batch1 + batch2
                                                                   if r["site"] == "S2"])
    files = table.inspect.files().to_pylist()
    assert {f["content"] for f in files} == {0}
    for f in files:
        sites = set(pq.read_table(f["file_path"], columns=["site"]).column("site").to_pylist())
        assert sites == {f["partition"]["site"]}, f["file_path"]
    assert sum(f["record_count"] for f in files) == len(seed + batch1 + batch2)

    # PyIceberg appends; DuckDB's next statement sees it and appends on top of it.
    extra = readings(range(200, 203))
    s3 = append(table, extra)
    assert duck_rows(lake, "SELECT * FROM lake.clinic.vitals") == model(seed + batch1 + batch2 + extra)
    more = readings(range(300, 302))
    lake.execute(f"INSERT INTO lake.clinic.vitals VALUES {sql_values(more)}")
    table = catalog.load_table("clinic.vitals")
    assert table.current_snapshot().parent_snapshot_id == s3
    final = seed + batch1 + batch2 + extra + more
    assert iceberg_rows(table) == model(final) == floe_scan(floe, floe_server, "clinic.vitals")


def test_delete_and_update_write_position_deletes(floe_server, catalog, lake, floe):
    """DELETE FROM and UPDATE on a v2 table: DuckDB writes position-delete files (merge-on-read).
    PyIceberg and floe read exactly the rows DuckDB reads, at every snapshot."""
    catalog.create_namespace("clinic")
    table = catalog.create_table("clinic.vitals", schema=SCHEMA, partition_spec=BY_SITE)
    rows = readings(range(30))
    s1 = append(table, rows)

    deleted = [r for r in rows if r["hr"] >= 80 or r["id"] == 3]
    assert lake.execute("DELETE FROM lake.clinic.vitals WHERE hr >= 80 OR id = 3").fetchall() == [(len(deleted),)]
    after_delete = [r for r in rows if r not in deleted]
    updated = [r for r in after_delete if r["site"] == "S1" and r["id"] < 12]
    assert lake.execute("UPDATE lake.clinic.vitals SET temp = temp + 1, site = 'S9' WHERE site = 'S1' AND id < 12"
                        ).fetchall() == [(len(updated),)]
    after_update = [{**r, "temp": r["temp"] + 1, "site": "S9"} if r in updated else r for r in after_delete]
    assert requests_to(floe_server, "POST", "/v1/transactions/commit") == {204: 2}

    table = catalog.load_table("clinic.vitals")
    assert operations(table) == ["append", "delete", "overwrite"]
    _, s2, s3 = [s.snapshot_id for s in table.snapshots()]
    delete_files = [f for f in table.inspect.files().to_pylist() if f["content"] != 0]
    assert delete_files and {f["content"] for f in delete_files} == {1}  # position deletes
    assert all(f["file_format"] == "PARQUET" for f in delete_files)
    assert sum(f["record_count"] for f in delete_files) == len(deleted) + len(updated)
    for sid, expected in ((s1, rows), (s2, after_delete), (s3, after_update)):
        assert duck_rows(lake, f"SELECT * FROM lake.clinic.vitals AT (VERSION => {sid})") == model(expected), sid
        assert iceberg_rows(table, snapshot_id=sid) == model(expected), sid
    assert duck_rows(lake, "SELECT * FROM lake.clinic.vitals") == model(after_update) == iceberg_rows(table)

    for sid, expected in ((s1, rows), (s2, after_delete), (s3, after_update)):
        assert floe_scan(floe, floe_server, "clinic.vitals", "--snapshot", sid) == model(expected), sid
    assert floe_scan(floe, floe_server, "clinic.vitals") == model(after_update)


def test_delete_on_a_v3_table_writes_a_deletion_vector(floe_server, catalog, lake, floe):
    """On a format-version 3 table (created by PyIceberg), DuckDB's INSERT assigns row ids and its
    DELETE writes a deletion vector in a Puffin file; PyIceberg and floe read the rows DuckDB reads,
    at both snapshots."""
    catalog.create_namespace("clinic")
    catalog.create_table("clinic.v3", schema=SCHEMA, properties={"format-version": "3"})
    rows = readings(range(10))
    lake.execute(f"INSERT INTO lake.clinic.v3 VALUES {sql_values(rows)}")
    lake.execute("DELETE FROM lake.clinic.v3 WHERE id IN (2, 7)")
    kept = [r for r in rows if r["id"] not in (2, 7)]

    table = catalog.load_table("clinic.v3")
    assert table.format_version == 3
    assert operations(table) == ["append", "delete"]
    s1, s2 = [s.snapshot_id for s in table.snapshots()]
    assert table.metadata.next_row_id == len(rows)
    deletes = [f for f in table.inspect.files().to_pylist() if f["content"] != 0]
    assert [(f["content"], f["file_format"], f["record_count"]) for f in deletes] == [(1, "PUFFIN", 2)]
    assert duck_rows(lake, "SELECT * FROM lake.clinic.v3") == model(kept) == iceberg_rows(table)
    assert iceberg_rows(table, snapshot_id=s1) == model(rows) == floe_scan(floe, floe_server, "clinic.v3",
                                                                            "--snapshot", s1)
    assert floe_scan(floe, floe_server, "clinic.v3") == model(kept)
    assert floe_scan(floe, floe_server, "clinic.v3", "--snapshot", s2) == model(kept)

    # A damaged vector (one bit of its bitmap flipped, so its CRC fails) is a clean error naming the
    # Puffin file; the snapshot before it still reads.
    puffin = pathlib.Path(deletes[0]["file_path"].removeprefix("file://"))
    data = bytearray(puffin.read_bytes())
    data[12] ^= 0x01  # inside the first blob (Puffin's magic is 4 bytes, the blob's framing 8)
    puffin.write_bytes(bytes(data))
    error = floe.fails("table", "scan", "clinic.v3", *floe_server.catalog_args, "--format", "jsonl").stderr
    assert "deletion vector: CRC mismatch" in error and str(puffin) in error, error
    assert floe_scan(floe, floe_server, "clinic.v3", "--snapshot", s1) == model(rows)


def test_merge_into(floe_server, catalog, lake):
    """MERGE INTO updating the matched rows and inserting the others is one commit (of two
    snapshots); a second MERGE
    deletes the matched rows (DuckDB 1.5.5 allows one UPDATE or DELETE action per MERGE on Iceberg).
    PyIceberg reads the result DuckDB reads after each."""
    catalog.create_namespace("clinic")
    table = catalog.create_table("clinic.vitals", schema=SCHEMA, partition_spec=BY_SITE)
    rows = readings(range(10))
    append(table, rows)
    lake.execute("CREATE TEMP TABLE changes AS SELECT * FROM lake.clinic.vitals LIMIT 0")
    lake.execute(f"INSERT INTO changes VALUES {sql_values(readings([2, 4, 40, 41], hr=200))}")
    lake.execute("MERGE INTO lake.clinic.vitals AS t USING changes AS c ON t.id = c.id "
                 "WHEN MATCHED THEN UPDATE SET hr = c.hr WHEN NOT MATCHED THEN INSERT *")
    merged = [{**r, "hr": 200} if r["id"] in (2, 4) else r for r in rows] + readings([40, 41], hr=200)
    assert requests_to(floe_server, "POST", "/v1/transactions/commit") == {204: 1}
    # DuckDB commits the MERGE as two snapshots in one request: an overwrite (the updates, as
    # position deletes plus new rows), then an append (the inserts).
    table = catalog.load_table("clinic.vitals")
    assert operations(table) == ["append", "overwrite", "append"]
    s1, s2, s3 = [s.snapshot_id for s in table.snapshots()]
    assert [s.parent_snapshot_id for s in table.snapshots()] == [None, s1, s2]
    updated = [{**r, "hr": 200} if r["id"] in (2, 4) else r for r in rows]
    assert iceberg_rows(table, snapshot_id=s2) == model(updated) == \
        duck_rows(lake, f"SELECT * FROM lake.clinic.vitals AT (VERSION => {s2})")
    assert duck_rows(lake, "SELECT * FROM lake.clinic.vitals") == model(merged) == iceberg_rows(table)

    lake.execute("MERGE INTO lake.clinic.vitals AS t USING (SELECT * FROM range(5, 8) r(id)) AS gone "
                 "ON t.id = gone.id WHEN MATCHED THEN DELETE")
    kept = [r for r in merged if r["id"] not in (5, 6, 7)]
    assert requests_to(floe_server, "POST", "/v1/transactions/commit") == {204: 2}
    table = catalog.load_table("clinic.vitals")
    assert operations(table) == ["append", "overwrite", "append", "delete"]
    assert duck_rows(lake, "SELECT * FROM lake.clinic.vitals") == model(kept) == iceberg_rows(table)


def test_multi_table_transaction_is_all_or_nothing(floe_server, catalog, lake, floe):
    """One DuckDB transaction writing two tables is one POST /v1/transactions/commit that lands in
    both; when PyIceberg appends to one of them first, the server answers 409 and neither table
    gains DuckDB's rows."""
    catalog.create_namespace("clinic")
    a = catalog.create_table("clinic.a", schema=SCHEMA)
    catalog.create_table("clinic.b", schema=SCHEMA)
    append(a, readings([1]))

    lake.execute("BEGIN")
    lake.execute(f"INSERT INTO lake.clinic.a VALUES {sql_values(readings([2]))}")
    lake.execute(f"INSERT INTO lake.clinic.b VALUES {sql_values(readings([3]))}")
    lake.execute("COMMIT")
    assert requests_to(floe_server, "POST", "/v1/transactions/commit") == {204: 1}
    assert iceberg_rows(catalog.load_table("clinic.a")) == model(readings([1, 2]))
    assert iceberg_rows(catalog.load_table("clinic.b")) == model(readings([3]))

    lake.execute("BEGIN")
    lake.execute(f"INSERT INTO lake.clinic.a VALUES {sql_values(readings([4]))}")
    lake.execute(f"INSERT INTO lake.clinic.b VALUES {sql_values(readings([5]))}")
    b_head = append(catalog.load_table("clinic.b"), readings([6]))  # a concurrent writer
    with pytest.raises(duckdb.TransactionException, match=r"(?s)Conflict_409.*"
                       r"Requirement failed: branch main has changed: expected id \d+ != " + str(b_head)):
        lake.execute("COMMIT")
    assert requests_to(floe_server, "POST", "/v1/transactions/commit") == {204: 1, 409: 1}
    a, b = catalog.load_table("clinic.a"), catalog.load_table("clinic.b")
    assert (len(a.snapshots()), len(b.snapshots())) == (2, 2)
    assert iceberg_rows(a) == model(readings([1, 2])) == duck_rows(lake, "SELECT * FROM lake.clinic.a")
    assert iceberg_rows(b) == model(readings([3, 6])) == duck_rows(lake, "SELECT * FROM lake.clinic.b")
    assert floe_scan(floe, floe_server, "clinic.a") == model(readings([1, 2]))
    assert floe_scan(floe, floe_server, "clinic.b") == model(readings([3, 6]))


# --- DDL --------------------------------------------------------------------------------------------

def test_create_table_staged(floe_server, catalog, lake, floe):
    """DuckDB's default CREATE TABLE (a staged create, then an assert-create commit) makes a table
    PyIceberg loads with DuckDB's schema, and INSERT fills it."""
    lake.execute("CREATE SCHEMA lake.clinic")
    assert catalog.list_namespaces() == [("clinic",)]
    lake.execute("CREATE TABLE lake.clinic.visits (id BIGINT, site VARCHAR, dose DECIMAL(10,2))")
    table = catalog.load_table("clinic.visits")
    assert [(f.field_id, f.name, str(f.field_type), f.required) for f in table.schema().fields] == \
        [(1, "id", "long", False), (2, "site", "string", False), (3, "dose", "decimal(10, 2)", False)]
    lake.execute("INSERT INTO lake.clinic.visits VALUES (1, 'S1', 2.50), (2, NULL, NULL)")
    expected = sorted(json.dumps(r, sort_keys=True) for r in [{"id": 1, "site": "S1", "dose": "2.50"},
                                                                {"id": 2, "site": None, "dose": None}])
    table = catalog.load_table("clinic.visits")
    assert operations(table) == ["append"]
    assert rendered(table.scan().to_arrow()) == expected == floe_scan(floe, floe_server, "clinic.visits")


def test_create_alter_drop_without_staging(floe_server, catalog, floe, tmp_path_factory):
    """With STAGE_CREATE_TABLES false: CREATE SCHEMA, CREATE TABLE (with a format version and a
    property), CREATE TABLE AS, INSERT, ALTER TABLE ADD COLUMN (a new schema, old rows read with
    NULL) all reach PyIceberg and floe exactly; DROP TABLE and DROP SCHEMA remove them."""
    con = attach(floe_server, tmp_path_factory.mktemp("duckdb-extensions"), STAGE_CREATE_TABLES="false")
    try:
        con.execute("CREATE SCHEMA lake.clinic")
        assert catalog.list_namespaces() == [("clinic",)]
        con.execute("CREATE TABLE lake.clinic.visits (id BIGINT, site VARCHAR, dose DECIMAL(10,2)) "
                    "WITH ('format-version' = '2', 'owner' = 'dm')")
        table = catalog.load_table("clinic.visits")
        assert table.format_version == 2 and table.properties.get("owner") == "dm"
        assert [(f.field_id, f.name, str(f.field_type), f.required) for f in table.schema().fields] == \
            [(1, "id", "long", False), (2, "site", "string", False), (3, "dose", "decimal(10, 2)", False)]
        assert table.current_snapshot() is None

        con.execute("INSERT INTO lake.clinic.visits VALUES (1, 'S1', 2.50), (2, NULL, NULL)")
        con.execute("ALTER TABLE lake.clinic.visits ADD COLUMN temp DOUBLE")
        con.execute("INSERT INTO lake.clinic.visits VALUES (3, 'S3', 0.01, 37.5)")
        table = catalog.load_table("clinic.visits")
        assert [(f.field_id, f.name, str(f.field_type)) for f in table.schema().fields] == \
            [(1, "id", "long"), (2, "site", "string"), (3, "dose", "decimal(10, 2)"), (4, "temp", "double")]
        assert table.schema().schema_id == 1 and len(table.schemas()) == 2
        expected = sorted(json.dumps(r, sort_keys=True) for r in [
            {"id": 1, "site": "S1", "dose": "2.50", "temp": None}, {"id": 2, "site": None, "dose": None, "temp": None},
            {"id": 3, "site": "S3", "dose": "0.01", "temp": ["float", "37.5"]}])
        assert rendered(table.scan().to_arrow()) == expected
        assert duck_rows(con, "SELECT * FROM lake.clinic.visits") == expected
        assert floe_scan(floe, floe_server, "clinic.visits") == expected

        con.execute("CREATE TABLE lake.clinic.copy AS SELECT id, site FROM lake.clinic.visits WHERE id < 3")
        copy = catalog.load_table("clinic.copy")
        assert operations(copy) == ["append"]
        assert rendered(copy.scan().to_arrow()) == sorted(json.dumps(r, sort_keys=True) for r in [
            {"id": 1, "site": "S1"}, {"id": 2, "site": None}]) == floe_scan(floe, floe_server, "clinic.copy")

        con.execute("DROP TABLE lake.clinic.copy")
        con.execute("DROP TABLE lake.clinic.visits")
        assert catalog.list_tables("clinic") == []
        con.execute("DROP SCHEMA lake.clinic")
        assert catalog.list_namespaces() == []
    finally:
        con.close()


def test_nested_namespaces(floe_server, catalog, floe, tmp_path_factory):
    """With SUPPORT_NESTED_NAMESPACES, DuckDB shows namespace ("clinic", "raw") as schema
    "clinic.raw" (its requests join the levels with a raw 0x1F byte), reads and writes its table,
    and creates a nested namespace PyIceberg lists."""
    catalog.create_namespace("clinic")
    catalog.create_namespace(("clinic", "raw"))
    table = catalog.create_table(("clinic", "raw", "vitals"), schema=SCHEMA)
    append(table, readings(range(3)))
    con = attach(floe_server, tmp_path_factory.mktemp("duckdb-extensions"), SUPPORT_NESTED_NAMESPACES="true")
    try:
        assert con.execute("SELECT schema, name FROM (SHOW ALL TABLES) WHERE database = 'lake'").fetchall() == \
            [("clinic.raw", "vitals")]
        assert duck_rows(con, 'SELECT * FROM lake."clinic.raw".vitals') == model(readings(range(3)))
        con.execute(f'INSERT INTO lake."clinic.raw".vitals VALUES {sql_values(readings([7]))}')
        assert iceberg_rows(catalog.load_table("clinic.raw.vitals")) == model(readings([0, 1, 2, 7])) == \
            floe_scan(floe, floe_server, "clinic.raw.vitals")
        con.execute('CREATE SCHEMA lake."clinic.curated"')
        assert catalog.list_namespaces("clinic") == [("clinic", "curated"), ("clinic", "raw")]
    finally:
        con.close()
    assert any(e["path"] == "/v1/namespaces/clinic\x1fraw/tables/vitals" for e in access_log(floe_server))
