"""Apache Spark 4.1 with Iceberg's Spark runtime 1.11.0 against `floe server`: the issue's
acceptance item for Spark.

PySpark runs one local Spark JVM for the module (harness.spark) with iceberg-spark-runtime in
spark.jars and Iceberg's SQL extensions; each test registers a REST catalog on its own server.
Spark reads and writes through the server; PyIceberg (a RestCatalog on the same server) and floe's
CLI (`floe table scan` over the server's warehouse, reading the Parquet that Spark's parquet-java
wrote) are the judges. Rows are rendered as floe renders them (harness.floe_text) and compared
exactly, as multisets, against a Python model of what was written.

- CREATE TABLE ... USING iceberg PARTITIONED BY, and CREATE TABLE AS SELECT;
- INSERT INTO, MERGE INTO (update, delete and insert clauses) on a copy-on-write table, SELECT ...
  VERSION AS OF / TIMESTAMP AS OF each snapshot, CALL <catalog>.system.expire_snapshots (the
  expired snapshots' files deleted, the current one still read alike by all three);
- merge-on-read DELETE/UPDATE/MERGE on v2 (position-delete files) and v3 tables (deletion vectors,
  row lineage): the server accepts every commit and PyIceberg and floe read what Spark reads, at
  every snapshot.

Every test also checks the server's access log: no request failed except the 404s Spark expects
(a table looked up before it is created, and `ns.table` probed as a namespace before
`ns.table.snapshots` is taken for a metadata table).

Spark numbers a new table's fields from 0; the server renumbers them from 1 as Java does. Most
tests create their tables with PyIceberg (the schema and spec Spark would ask for), so their
checks do not depend on Spark's CREATE TABLE, which has tests of its own.
"""

from __future__ import annotations

import collections
import datetime as dt
import decimal
import gc
import itertools
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from harness import spark as spark_harness
from harness.floe import FloeRunner
from harness.floe_server import FloeServer
from harness.floe_text import arrow_rows, floe_rows
from harness.paths import local_path
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.transforms import DayTransform, IdentityTransform
from pyiceberg.types import (DecimalType, DoubleType, IntegerType, LongType, NestedField, StringType,
                             TimestampType, TimestamptzType)

pytestmark = pytest.mark.timeout(240)

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
# The table Spark's CREATE TABLE below asks for, as the server should make it (fresh ids from 1).
SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "site", StringType(), required=False),
    NestedField(3, "ts", TimestamptzType(), required=False),
    NestedField(4, "ts_ntz", TimestampType(), required=False),
    NestedField(5, "dose", DecimalType(10, 2), required=False),
    NestedField(6, "hr", IntegerType(), required=False),
    NestedField(7, "temp", DoubleType(), required=False),
)
SPEC = PartitionSpec(PartitionField(2, 1000, IdentityTransform(), "site"),
                     PartitionField(3, 1001, DayTransform(), "ts_day"))
COLUMNS = ("id BIGINT NOT NULL, site STRING, ts TIMESTAMP, ts_ntz TIMESTAMP_NTZ, dose DECIMAL(10,2), hr INT, "
           "temp DOUBLE")
COPY_ON_WRITE = {f"write.{op}.mode": "copy-on-write" for op in ("delete", "update", "merge")}
MERGE_ON_READ = {f"write.{op}.mode": "merge-on-read" for op in ("delete", "update", "merge")}
_catalog_names = itertools.count(1)


# --- fixtures and helpers ----------------------------------------------------------------------------

@pytest.fixture
def lake(spark, floe_server) -> str:
    """A Spark catalog (a fresh name) on the test's server; the tables are <lake>.clinic.NAME."""
    return spark_harness.add_rest_catalog(spark, f"lake{next(_catalog_names)}", floe_server.uri)


@pytest.fixture
def catalog(floe_server):
    c = RestCatalog("floe", uri=floe_server.uri)
    try:
        yield c
    finally:
        c.close()
        gc.collect()


def readings(ids, **overrides) -> list[dict]:
    """Model rows: three sites, hourly readings over three days."""
    def at(i):
        return T0 + dt.timedelta(hours=i % 72)
    return [{"id": i, "site": f"S{i % 3}", "ts": at(i), "ts_ntz": at(i).replace(tzinfo=None),
             "dose": decimal.Decimal(i * 125).scaleb(-2), "hr": 60 + i % 40, "temp": 36.0 + (i % 10) / 4,
             **overrides} for i in ids]


def sql_values(rows: list[dict]) -> str:
    """The rows as a Spark SQL VALUES list, in SCHEMA's column order (session time zone UTC)."""
    def literal(name, v):
        if v is None:
            return "NULL"
        if isinstance(v, dt.datetime):
            kind = "TIMESTAMP" if v.tzinfo else "TIMESTAMP_NTZ"
            return f"{kind} '{v:%Y-%m-%d %H:%M:%S.%f}'"
        if isinstance(v, decimal.Decimal):
            return f"CAST('{v}' AS DECIMAL(10,2))"
        if isinstance(v, str):
            return f"'{v}'"
        if isinstance(v, float):
            return f"{v!r}D"
        return f"{v}L" if name == "id" else str(v)
    return ", ".join("(" + ", ".join(literal(f.name, r[f.name]) for f in SCHEMA.fields) + ")" for r in rows)


def rendered(table: pa.Table) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in arrow_rows(table))


def model(rows: list[dict]) -> list[str]:
    return rendered(pa.Table.from_pylist(rows, schema=SCHEMA.as_arrow()))


def spark_rows(spark, sql: str) -> list[str]:
    return rendered(spark.sql(sql).toArrow())


def iceberg_rows(table: Table, **scan) -> list[str]:
    return rendered(table.scan(**scan).to_arrow())


def floe_scan(floe: FloeRunner, server: FloeServer, name: str, *args) -> list[str]:
    out = floe.run("table", "scan", name, *server.catalog_args, "--format", "jsonl", *args, timeout=60).stdout
    return sorted(json.dumps(r, sort_keys=True) for r in floe_rows(out))


def access_log(server: FloeServer) -> list[dict]:
    return [json.loads(line[line.index("{"):]) for line in server.log().splitlines() if '"method"' in line]


def commits(server: FloeServer, table: str) -> collections.Counter:
    """Commit requests to clinic.<table>, by status."""
    path = f"/v1/namespaces/clinic/tables/{table}"
    return collections.Counter(e["status"] for e in access_log(server) if e["method"] == "POST" and e["path"] == path)


def failed_requests(server: FloeServer) -> list[dict]:
    """Requests the server refused, less the 404s Spark expects: existence checks (GET or HEAD) of
    the namespace before CREATE NAMESPACE and of a table before its creation, and `clinic.<table>`
    looked up as a namespace before `clinic.<table>.snapshots` is taken for a metadata table."""
    def expected(e):
        return e["status"] == 404 and e["method"] in ("GET", "HEAD") and (
            e["path"] == "/v1/namespaces/clinic" or e["path"].startswith("/v1/namespaces/clinic%1F")
            or e["path"].startswith("/v1/namespaces/clinic/tables/"))
    return [e for e in access_log(server) if e["status"] >= 400 and not expected(e)]


def operations(table: Table) -> list[str]:
    return [s.summary.operation.value for s in table.snapshots()]


def data_files(table: Table, snapshot_id: int) -> set[str]:
    return {f["file_path"] for f in table.inspect.files(snapshot_id=snapshot_id).to_pylist() if f["content"] == 0}


# --- DDL ----------------------------------------------------------------------------------------------


def test_create_table_partitioned(spark, lake, floe_server, catalog, floe):
    """CREATE TABLE ... USING iceberg PARTITIONED BY (site, days(ts)) TBLPROPERTIES makes the table
    PyIceberg loads: fresh ids from 1, the spec re-bound to them, the properties; Spark's INSERT
    fills it and PyIceberg and floe read the rows."""
    spark.sql(f"CREATE NAMESPACE {lake}.clinic")
    props = ", ".join(f"'{k}' = '{v}'" for k, v in COPY_ON_WRITE.items())
    spark.sql(f"CREATE TABLE {lake}.clinic.vitals ({COLUMNS}) USING iceberg PARTITIONED BY (site, days(ts)) "
              f"TBLPROPERTIES ({props})")
    table = catalog.load_table("clinic.vitals")
    assert table.schema() == SCHEMA
    assert table.spec().fields == SPEC.fields
    assert COPY_ON_WRITE.items() <= table.properties.items()
    rows = readings(range(8))
    spark.sql(f"INSERT INTO {lake}.clinic.vitals VALUES {sql_values(rows)}")
    table = catalog.load_table("clinic.vitals")
    assert iceberg_rows(table) == model(rows) == floe_scan(floe, floe_server, "clinic.vitals")
    assert failed_requests(floe_server) == []


def test_create_table_as_select(spark, lake, floe_server, catalog, floe):
    """CREATE TABLE ... AS SELECT (a staged create, then one commit) makes the table with the rows."""
    catalog.create_namespace("clinic")
    spark.sql(f"CREATE TABLE {lake}.clinic.copy USING iceberg AS "
              "SELECT id, CAST(id * 2 AS INT) AS twice FROM range(5)")
    table = catalog.load_table("clinic.copy")
    assert [(f.field_id, f.name, str(f.field_type)) for f in table.schema().fields] == \
        [(1, "id", "long"), (2, "twice", "int")]
    assert operations(table) == ["append"]
    expected = sorted(json.dumps({"id": i, "twice": 2 * i}, sort_keys=True) for i in range(5))
    assert rendered(table.scan().to_arrow()) == expected == floe_scan(floe, floe_server, "clinic.copy")
    assert failed_requests(floe_server) == []


# --- copy-on-write: INSERT, MERGE, time travel, expire_snapshots -----------------------------------------

def test_insert_merge_time_travel_and_expire_snapshots(spark, lake, floe_server, catalog, floe):
    """On a copy-on-write table partitioned by (site, day(ts)): two INSERTs and a MERGE INTO (update,
    delete and insert clauses) are one commit each; Spark, PyIceberg and floe read every snapshot
    alike (VERSION AS OF and TIMESTAMP AS OF in Spark), with no delete files, and each data file's
    rows lie in its partition. CALL system.expire_snapshots(retain_last => 1) then leaves only the
    current snapshot: the files only the old snapshots used are gone from disk, the rows are
    unchanged, and time travel to an expired snapshot fails."""
    catalog.create_namespace("clinic")
    catalog.create_table("clinic.vitals", schema=SCHEMA, partition_spec=SPEC, properties=COPY_ON_WRITE)
    name = f"{lake}.clinic.vitals"

    first, second = readings(range(0, 12)), readings(range(12, 20))
    spark.sql(f"INSERT INTO {name} VALUES {sql_values(first)}")
    spark.sql(f"INSERT INTO {name} VALUES {sql_values(second)}")
    # MERGE: 3 and 14 updated, 5 deleted, 40 and 41 inserted (the delete marker is hr = -1).
    changes = readings([3, 14], hr=150, temp=39.5) + readings([5], hr=-1) + readings([40, 41])
    spark.sql(f"CREATE OR REPLACE TEMP VIEW changes AS SELECT * FROM VALUES {sql_values(changes)} "
              f"AS v({', '.join(f.name for f in SCHEMA.fields)})")
    spark.sql(f"MERGE INTO {name} t USING changes c ON t.id = c.id "
              "WHEN MATCHED AND c.hr < 0 THEN DELETE "
              "WHEN MATCHED THEN UPDATE SET * "
              "WHEN NOT MATCHED THEN INSERT *")
    by_id = {r["id"]: r for r in first + second}
    for c in changes:
        if c["hr"] < 0:
            del by_id[c["id"]]
        else:
            by_id[c["id"]] = c
    merged = list(by_id.values())
    assert commits(floe_server, "vitals") == {200: 3}

    table = catalog.load_table("clinic.vitals")
    assert operations(table) == ["append", "append", "overwrite"]
    s1, s2, s3 = [s.snapshot_id for s in table.snapshots()]
    assert [s.parent_snapshot_id for s in table.snapshots()] == [None, s1, s2]
    assert table.inspect.delete_files().num_rows == 0
    for sid, rows in ((s1, first), (s2, first + second), (s3, merged)):
        assert spark_rows(spark, f"SELECT * FROM {name} VERSION AS OF {sid}") == model(rows), sid
        assert iceberg_rows(table, snapshot_id=sid) == model(rows), sid
        assert floe_scan(floe, floe_server, "clinic.vitals", "--snapshot", sid) == model(rows), sid
        ts_ms = table.snapshot_by_id(sid).timestamp_ms
        assert spark_rows(spark, f"SELECT * FROM {name} TIMESTAMP AS OF timestamp_millis({ts_ms})") == \
            model(rows), sid
    assert spark_rows(spark, f"SELECT * FROM {name}") == model(merged) == iceberg_rows(table) == \
        floe_scan(floe, floe_server, "clinic.vitals")
    assert spark_rows(spark, f"SELECT * FROM {name} WHERE site = 'S2' AND hr >= 70") == \
        model([r for r in merged if r["site"] == "S2" and r["hr"] >= 70])
    # Spark wrote the files with parquet-java; each holds only its partition's rows.
    files = table.inspect.files().to_pylist()
    for f in files:
        parquet = pq.ParquetFile(f["file_path"])
        assert parquet.metadata.created_by.startswith("parquet-mr"), parquet.metadata.created_by
        got = parquet.read(columns=["site", "ts"]).to_pylist()
        assert {(r["site"], r["ts"].date()) for r in got} == {(f["partition"]["site"], f["partition"]["ts_day"])}
    assert sum(f["record_count"] for f in files) == len(merged)

    # Expire everything but the current snapshot.
    old_files = (data_files(table, s1) | data_files(table, s2)) - data_files(table, s3)
    assert old_files
    result = spark.sql(f"CALL {lake}.system.expire_snapshots(table => 'clinic.vitals', "
                       "older_than => TIMESTAMP '2100-01-01 00:00:00', retain_last => 1)").collect()
    assert [(r.deleted_data_files_count, r.deleted_position_delete_files_count, r.deleted_manifest_lists_count)
            for r in result] == [(len(old_files), 0, 2)]
    assert commits(floe_server, "vitals") == {200: 4}
    table = catalog.load_table("clinic.vitals")
    assert [s.snapshot_id for s in table.snapshots()] == [s3]
    assert table.current_snapshot().snapshot_id == s3 and table.metadata.refs["main"].snapshot_id == s3
    assert not any(local_path(p).exists() for p in old_files)
    assert all(local_path(f["file_path"]).exists() for f in files)
    assert spark_rows(spark, f"SELECT * FROM {name}") == model(merged) == iceberg_rows(table) == \
        floe_scan(floe, floe_server, "clinic.vitals")
    with pytest.raises(Exception, match=f"Cannot find snapshot with ID {s1}"):
        spark.sql(f"SELECT * FROM {name} VERSION AS OF {s1}").collect()
    floe.fails("table", "scan", "clinic.vitals", *floe_server.catalog_args, "--snapshot", s1)
    assert failed_requests(floe_server) == []


# --- add_files: Spark's own Parquet, INT96 and all ---------------------------------------------------

def test_add_files_of_spark_parquet_with_int96_timestamps(spark, lake, floe_server, catalog, floe, tmp_path):
    """Spark's own Parquet writer (not Iceberg's, which writes INT64) stores timestamps as INT96 when
    told to, and writes no field ids. CALL <catalog>.system.add_files brings such files into an
    Iceberg table and sets its name mapping. floe finds the columns by name (the files order them
    differently from the table) and reads INT96 as microseconds, as Spark reads the table."""
    catalog.create_namespace("clinic")
    catalog.create_table("clinic.legacy", schema=Schema(
        NestedField(1, "id", LongType(), required=False), NestedField(2, "site", StringType()),
        NestedField(3, "ts", TimestamptzType())))
    source = tmp_path / "legacy"
    spark.conf.set("spark.sql.parquet.outputTimestampType", "INT96")
    try:
        spark.sql("SELECT timestamp_micros(1772323200000000 + id * 3600000007) AS ts, "
                  "concat('S', CAST(id % 3 AS STRING)) AS site, id FROM range(6)") \
            .coalesce(2).write.parquet(str(source))
    finally:
        spark.conf.unset("spark.sql.parquet.outputTimestampType")
    parts = sorted(source.glob("*.parquet"))
    assert parts and all(pq.ParquetFile(p).schema.column(0).physical_type == "INT96" for p in parts)
    spark.sql(f"CALL {lake}.system.add_files(table => 'clinic.legacy', source_table => '`parquet`.`{source}`')")
    table = catalog.load_table("clinic.legacy")
    assert "schema.name-mapping.default" in table.properties
    arrow_schema = table.schema().as_arrow()
    expected = rendered(pa.table({
        "id": pa.array(range(6), arrow_schema.field("id").type),
        "site": [f"S{i % 3}" for i in range(6)],
        "ts": pa.array([T0 + dt.timedelta(microseconds=i * 3600000007) for i in range(6)],
                       arrow_schema.field("ts").type)}))
    assert spark_rows(spark, f"SELECT * FROM {lake}.clinic.legacy") == expected
    assert floe_scan(floe, floe_server, "clinic.legacy") == expected
    assert failed_requests(floe_server) == []


# --- statistics -----------------------------------------------------------------------------------------

def test_compute_table_stats_commits_a_statistics_file(spark, lake, floe_server, catalog, floe):
    """CALL <catalog>.system.compute_table_stats writes a Puffin file of column sketches and commits
    it with a set-statistics update; expire_snapshots later removes the snapshot and, with it, its
    statistics file entry (Java's rule). PyIceberg sees the entry; the rows are unchanged."""
    catalog.create_namespace("clinic")
    catalog.create_table("clinic.stats", schema=SCHEMA, partition_spec=SPEC)
    rows = readings(range(20))
    spark.sql(f"INSERT INTO {lake}.clinic.stats VALUES {sql_values(rows)}")
    first = catalog.load_table("clinic.stats").current_snapshot().snapshot_id
    spark.sql(f"CALL {lake}.system.compute_table_stats(table => 'clinic.stats')").collect()
    table = catalog.load_table("clinic.stats")
    [stats] = table.metadata.statistics
    assert stats.snapshot_id == first and stats.statistics_path.endswith(".stats")
    assert local_path(stats.statistics_path).stat().st_size == stats.file_size_in_bytes
    assert {b.type for b in stats.blob_metadata} == {"apache-datasketches-theta-v1"}
    assert iceberg_rows(table) == model(rows) == floe_scan(floe, floe_server, "clinic.stats")

    more = readings(range(20, 25))
    spark.sql(f"INSERT INTO {lake}.clinic.stats VALUES {sql_values(more)}")
    spark.sql(f"CALL {lake}.system.expire_snapshots(table => 'clinic.stats', "
              "older_than => TIMESTAMP '2100-01-01 00:00:00', retain_last => 1)").collect()
    table = catalog.load_table("clinic.stats")
    assert [s.snapshot_id for s in table.snapshots()] != [first]
    assert table.metadata.statistics == []
    assert iceberg_rows(table) == model(rows + more) == floe_scan(floe, floe_server, "clinic.stats")
    assert failed_requests(floe_server) == []


# --- merge-on-read: whatever Spark writes, the server takes -------------------------------------------

@pytest.mark.parametrize("format_version", [2, 3])
def test_merge_on_read_deletes(spark, lake, floe_server, catalog, floe, format_version):
    """On a merge-on-read table Spark's DELETE, UPDATE and MERGE write delete files: position deletes
    on v2, deletion vectors (Puffin) on v3, where row lineage also advances. The server accepts every
    commit; PyIceberg and floe read each snapshot exactly as Spark does."""
    catalog.create_namespace("clinic")
    catalog.create_table("clinic.mor", schema=SCHEMA, partition_spec=SPEC,
                         properties={**MERGE_ON_READ, "format-version": str(format_version)})
    name = f"{lake}.clinic.mor"
    rows = readings(range(15))
    spark.sql(f"INSERT INTO {name} VALUES {sql_values(rows)}")
    spark.sql(f"DELETE FROM {name} WHERE id IN (1, 2, 9)")
    after_delete = [r for r in rows if r["id"] not in (1, 2, 9)]
    spark.sql(f"UPDATE {name} SET hr = hr + 100 WHERE site = 'S0'")
    after_update = [{**r, "hr": r["hr"] + 100} if r["site"] == "S0" else r for r in after_delete]
    spark.sql(f"CREATE OR REPLACE TEMP VIEW changes AS SELECT * FROM VALUES "
              f"{sql_values(readings([4, 30], temp=41.0))} AS v({', '.join(f.name for f in SCHEMA.fields)})")
    spark.sql(f"MERGE INTO {name} t USING changes c ON t.id = c.id "
              "WHEN MATCHED THEN UPDATE SET t.temp = c.temp WHEN NOT MATCHED THEN INSERT *")
    merged = [{**r, "temp": 41.0} if r["id"] == 4 else r for r in after_update] + readings([30], temp=41.0)
    assert commits(floe_server, "mor") == {200: 4}

    table = catalog.load_table("clinic.mor")
    assert table.format_version == format_version
    assert operations(table) == ["append", "delete", "overwrite", "overwrite"]
    ids = [s.snapshot_id for s in table.snapshots()]
    deletes = table.inspect.delete_files().to_pylist()
    assert deletes and {(d["content"], d["file_format"]) for d in deletes} == \
        {(1, "PARQUET" if format_version == 2 else "PUFFIN")}
    for sid, expected in zip(ids, (rows, after_delete, after_update, merged)):
        assert spark_rows(spark, f"SELECT * FROM {name} VERSION AS OF {sid}") == model(expected), sid
        assert iceberg_rows(table, snapshot_id=sid) == model(expected), sid
        assert floe_scan(floe, floe_server, "clinic.mor", "--snapshot", sid) == model(expected), sid
    assert spark_rows(spark, f"SELECT * FROM {name}") == model(merged) == iceberg_rows(table) == \
        floe_scan(floe, floe_server, "clinic.mor")

    if format_version == 3:
        # Row lineage: each snapshot's first-row-id is the table's next-row-id before it, and
        # next-row-id grows by the rows each one added (INSERT 15; UPDATE rewrites the S0 rows it
        # changes; MERGE adds the updated row and the new one).
        snapshots = table.snapshots()
        assert snapshots[0].first_row_id == 0
        for before, after in zip(snapshots, snapshots[1:]):
            assert after.first_row_id == before.first_row_id + before.added_rows
        assert table.metadata.next_row_id == snapshots[-1].first_row_id + snapshots[-1].added_rows
        assert [s.added_rows for s in snapshots] == \
            [len(rows), 0, sum(1 for r in after_delete if r["site"] == "S0"), 2]
        # Row ids: distinct, and a row no statement changed keeps the id the INSERT gave it.
        first_ids = dict(spark.sql(f"SELECT id, _row_id FROM {name} VERSION AS OF {ids[0]}").collect())
        now_ids = dict(spark.sql(f"SELECT id, _row_id FROM {name}").collect())
        assert sorted(first_ids.values()) == list(range(len(rows)))
        assert sorted(now_ids) == sorted(r["id"] for r in merged) and len(set(now_ids.values())) == len(now_ids)
        untouched = [r["id"] for r in after_delete if r["site"] != "S0" and r["id"] != 4]
        assert untouched and {i: now_ids[i] for i in untouched} == {i: first_ids[i] for i in untouched}
    assert failed_requests(floe_server) == []
