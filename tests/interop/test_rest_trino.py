"""Trino 476 through floe server, judged by PyIceberg and by floe's own scan.

Trino chooses a file system by a location's URI scheme and has none for a bare path, so these
tests also prove that floe hands out file:// locations (table, metadata, manifest lists, data).
Every Trino write is read back by PyIceberg and `floe table scan`, row-level deletes (Trino's
position delete files) included, at every snapshot. And the other way: tables floe's CLI and PyIceberg wrote read in Trino the same.
"""

import datetime as dt
import json

import pyarrow as pa
import pytest
from harness import spark as spark_harness  # conftest.py's spark fixture starts it
from harness.floe_text import floe_rows
from pyiceberg.catalog.rest import RestCatalog

pytestmark = pytest.mark.timeout(600)


def pyiceberg(server):
    return RestCatalog("floe", uri=server.uri)


def floe_ids(floe, server, name, *args) -> list[int]:
    out = floe.run("table", "scan", name, *server.catalog_args, "--format", "jsonl", *args).stdout
    return sorted(row["id"] for row in floe_rows(out))


def floe_pairs(floe, server, name, *args) -> list[tuple]:
    out = floe.run("table", "scan", name, *server.catalog_args, "--format", "jsonl", *args).stdout
    return sorted((row["id"], row["value"]) for row in floe_rows(out))


def ts(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour)


def test_locations_floe_hands_out_are_file_uris(floe_server):
    catalog = pyiceberg(floe_server)
    catalog.create_namespace("edc")
    table = catalog.create_table("edc.t", schema=pa.schema([("id", pa.int64())]))
    table.append(pa.table({"id": pa.array([1], pa.int64())}))
    table = catalog.load_table("edc.t")
    assert table.location().startswith("file:///"), table.location()
    assert table.metadata_location.startswith("file:///"), table.metadata_location
    assert table.current_snapshot().manifest_list.startswith("file:///")


def test_trino_reads_what_pyiceberg_and_floe_wrote(floe, floe_server, trino, tmp_path):
    lake = trino.catalog
    catalog = pyiceberg(floe_server)
    catalog.create_namespace("edc")
    table = catalog.create_table("edc.visits", schema=pa.schema([
        ("id", pa.int64()), ("site", pa.string()), ("ts", pa.timestamp("us"))]))
    first = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "site": ["S1", "S2", "S1"],
                      "ts": pa.array([ts(1), ts(2), ts(3)], pa.timestamp("us"))})
    table.append(first)
    (tmp_path / "more.jsonl").write_text("".join(
        json.dumps({"id": i, "site": "S3", "ts": f"2026-03-0{i}T00:00:00"}) + "\n" for i in (4, 5)))
    floe.run("table", "append", "edc.visits", tmp_path / "more.jsonl", *floe_server.catalog_args)
    table = catalog.load_table("edc.visits")
    snapshots = [s.snapshot_id for s in table.snapshots()]
    assert len(snapshots) == 2

    rows = trino.sql(f"SELECT id, site, ts FROM {lake}.edc.visits ORDER BY id")
    assert rows == [[r["id"], r["site"], r["ts"]] for r in
                    sorted(table.scan().to_arrow().to_pylist(), key=lambda r: r["id"])]
    assert [r[0] for r in rows] == floe_ids(floe, floe_server, "edc.visits") == [1, 2, 3, 4, 5]
    old = trino.sql(f"SELECT id FROM {lake}.edc.visits FOR VERSION AS OF {snapshots[0]} ORDER BY id")
    assert [r[0] for r in old] == [1, 2, 3]
    listed = trino.sql(f'SELECT snapshot_id, operation FROM {lake}.edc."visits$snapshots" '
                       f"ORDER BY committed_at")
    assert listed == [[s, "append"] for s in snapshots]
    history = trino.sql(f'SELECT snapshot_id FROM {lake}.edc."visits$history" ORDER BY made_current_at')
    assert [r[0] for r in history] == snapshots
    files = trino.sql(f'SELECT file_path, record_count FROM {lake}.edc."visits$files"')
    assert sorted(r[1] for r in files) == [2, 3]
    assert all(r[0].startswith("file:///") for r in files), files
    manifests = trino.sql(f'SELECT path, added_data_files_count FROM {lake}.edc."visits$manifests"')
    assert sorted(r[0] for r in manifests) == sorted(
        m.manifest_path for m in table.current_snapshot().manifests(table.io))
    assert sum(r[1] for r in manifests) == 2
    refs = trino.sql(f'SELECT name, type, snapshot_id FROM {lake}.edc."visits$refs"')
    assert refs == [["main", "BRANCH", snapshots[1]]]


def test_trino_creates_partitioned_tables_every_engine_reads(floe, floe_server, trino):
    lake = trino.catalog
    trino.sql(f"CREATE SCHEMA {lake}.edc")
    trino.sql(f"""CREATE TABLE {lake}.edc.events (id bigint, site varchar, ts timestamp(6))
                  WITH (partitioning = ARRAY['day(ts)', 'bucket(id, 8)'])""")
    trino.sql(f"INSERT INTO {lake}.edc.events VALUES (1, 'S1', TIMESTAMP '2026-03-01 08:00:00'), "
              f"(2, 'S2', TIMESTAMP '2026-03-01 09:00:00'), (3, 'S1', TIMESTAMP '2026-03-02 10:00:00')")
    trino.sql(f"INSERT INTO {lake}.edc.events VALUES (4, 'S3', TIMESTAMP '2026-03-03 11:00:00')")
    table = pyiceberg(floe_server).load_table("edc.events")
    assert table.location().startswith("file:///"), table.location()
    assert [(f.name, str(f.transform)) for f in table.spec().fields] == [
        ("ts_day", "day"), ("id_bucket", "bucket[8]")]
    expected = sorted(table.scan().to_arrow().to_pylist(), key=lambda r: r["id"])
    assert [r["id"] for r in expected] == [1, 2, 3, 4]
    assert floe_ids(floe, floe_server, "edc.events") == [1, 2, 3, 4]
    assert floe_ids(floe, floe_server, "edc.events", "--where", "ts >= '2026-03-02T00:00:00'") == [3, 4]
    partitions = trino.sql(f'SELECT record_count FROM {lake}.edc."events$partitions"')
    assert sum(r[0] for r in partitions) == 4 and len(partitions) >= 3

    # Trino's CREATE TABLE commits an empty snapshot first; the two INSERTs follow.
    first, second = [s.snapshot_id for s in table.snapshots()
                     if int(s.summary.additional_properties.get("added-records", "0")) > 0]
    at = table.snapshot_by_id(first).timestamp_ms
    as_of = dt.datetime.fromtimestamp(at / 1000, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    old = trino.sql(f"SELECT id FROM {lake}.edc.events FOR TIMESTAMP AS OF "
                    f"TIMESTAMP '{as_of} UTC' ORDER BY id")
    assert [r[0] for r in old] == [1, 2, 3]
    assert floe_ids(floe, floe_server, "edc.events", "--snapshot", str(first)) == [1, 2, 3]

    # CTAS, then schema changes every engine sees.
    trino.sql(f"CREATE TABLE {lake}.edc.s1 AS SELECT id, ts FROM {lake}.edc.events WHERE site = 'S1'")
    assert floe_ids(floe, floe_server, "edc.s1") == [1, 3]
    trino.sql(f"ALTER TABLE {lake}.edc.s1 ADD COLUMN note varchar")
    trino.sql(f"ALTER TABLE {lake}.edc.s1 RENAME COLUMN ts TO seen_at")
    trino.sql(f"INSERT INTO {lake}.edc.s1 VALUES (9, TIMESTAMP '2026-03-04 00:00:00', 'late')")
    s1 = pyiceberg(floe_server).load_table("edc.s1")
    assert [f.name for f in s1.schema().fields] == ["id", "seen_at", "note"]
    rows = sorted(s1.scan().to_arrow().to_pylist(), key=lambda r: r["id"])
    assert [(r["id"], r["note"]) for r in rows] == [(1, None), (3, None), (9, "late")]
    out = floe.run("table", "scan", "edc.s1", *floe_server.catalog_args, "--format", "jsonl").stdout
    assert sorted((r["id"], r["note"]) for r in floe_rows(out)) == [(1, None), (3, None), (9, "late")]
    assert trino.sql(f"SELECT id, note FROM {lake}.edc.s1 ORDER BY id") == [
        [1, None], [3, None], [9, "late"]]


def test_trino_row_level_changes_read_the_same_in_pyiceberg(floe, floe_server, trino):
    lake = trino.catalog
    trino.sql(f"CREATE SCHEMA {lake}.edc")
    trino.sql(f"CREATE TABLE {lake}.edc.items (id bigint, value varchar)")
    trino.sql(f"INSERT INTO {lake}.edc.items VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')")
    trino.sql(f"DELETE FROM {lake}.edc.items WHERE id = 2")
    trino.sql(f"UPDATE {lake}.edc.items SET value = 'C' WHERE id = 3")
    trino.sql(f"""MERGE INTO {lake}.edc.items t USING (VALUES (4, 'D'), (5, 'e')) AS s(id, value)
                  ON t.id = s.id
                  WHEN MATCHED THEN UPDATE SET value = s.value
                  WHEN NOT MATCHED THEN INSERT (id, value) VALUES (s.id, s.value)""")
    expected = [[1, "a"], [3, "C"], [4, "D"], [5, "e"]]
    assert trino.sql(f"SELECT id, value FROM {lake}.edc.items ORDER BY id") == expected
    table = pyiceberg(floe_server).load_table("edc.items")
    rows = sorted(table.scan().to_arrow().to_pylist(), key=lambda r: r["id"])
    assert [[r["id"], r["value"]] for r in rows] == expected
    # Trino wrote position deletes: floe applies them as PyIceberg does, at every snapshot.
    assert any(f["content"] == 1 for f in table.inspect.files().to_pylist())
    assert [[i, v] for i, v in floe_pairs(floe, floe_server, "edc.items")] == expected
    for snapshot in table.snapshots():
        sid = snapshot.snapshot_id
        theirs = sorted((r["id"], r["value"]) for r in table.scan(snapshot_id=sid).to_arrow().to_pylist())
        assert floe_pairs(floe, floe_server, "edc.items", "--snapshot", sid) == theirs, sid


def test_trino_maintenance_procedures_keep_the_table_readable(floe, floe_server, trino):
    lake = trino.catalog
    trino.sql(f"CREATE SCHEMA {lake}.edc")
    trino.sql(f"CREATE TABLE {lake}.edc.log (id bigint)")
    for i in range(4):
        trino.sql(f"INSERT INTO {lake}.edc.log VALUES ({2 * i}), ({2 * i + 1})")
    trino.sql(f"ALTER TABLE {lake}.edc.log EXECUTE optimize")
    files = trino.sql(f'SELECT count(*) FROM {lake}.edc."log$files"')
    assert files == [[1]]
    assert floe_ids(floe, floe_server, "edc.log") == list(range(8))
    session = {f"{lake}.expire_snapshots_min_retention": "0s",
               f"{lake}.remove_orphan_files_min_retention": "0s"}
    trino.sql(f"ALTER TABLE {lake}.edc.log EXECUTE expire_snapshots(retention_threshold => '0s')",
              session_properties=session)
    table = pyiceberg(floe_server).load_table("edc.log")
    assert len(table.snapshots()) == 1
    trino.sql(f"ALTER TABLE {lake}.edc.log EXECUTE remove_orphan_files(retention_threshold => '0s')",
              session_properties=session)
    table = pyiceberg(floe_server).load_table("edc.log")
    assert sorted(table.scan().to_arrow().column("id").to_pylist()) == list(range(8))
    assert floe_ids(floe, floe_server, "edc.log") == list(range(8))
    assert trino.sql(f"SELECT count(*) FROM {lake}.edc.log") == [[8]]


def test_trino_reads_what_spark_wrote_at_every_snapshot(floe, floe_server, trino, spark):
    lake = trino.catalog
    sc = spark_harness.add_rest_catalog(spark, "spark_" + lake, floe_server.uri)
    spark.sql(f"CREATE NAMESPACE {sc}.clinic")
    spark.sql(f"CREATE TABLE {sc}.clinic.labs (id bigint, site string, value double) USING iceberg "
              f"PARTITIONED BY (site)")
    spark.sql(f"INSERT INTO {sc}.clinic.labs VALUES (1, 'S1', 1.5), (2, 'S2', 2.5)")
    spark.sql(f"INSERT INTO {sc}.clinic.labs VALUES (3, 'S1', 3.5)")
    spark.sql(f"INSERT OVERWRITE {sc}.clinic.labs PARTITION (site = 'S2') VALUES (4, 4.5)")
    table = pyiceberg(floe_server).load_table("clinic.labs")
    snapshots = [s.snapshot_id for s in table.snapshots()]
    assert len(snapshots) == 3
    for snapshot in snapshots:
        expected = sorted([r.id, r.site, r.value] for r in spark.sql(
            f"SELECT id, site, value FROM {sc}.clinic.labs VERSION AS OF {snapshot}").collect())
        got = trino.sql(f"SELECT id, site, value FROM {lake}.clinic.labs FOR VERSION AS OF {snapshot} "
                        f"ORDER BY id")
        assert got == expected, snapshot
        assert sorted([r["id"], r["site"], r["value"]]
                      for r in table.scan(snapshot_id=snapshot).to_arrow().to_pylist()) == expected
        assert floe_ids(floe, floe_server, "clinic.labs", "--snapshot", str(snapshot)) == [
            r[0] for r in expected]
    assert trino.sql(f'SELECT operation FROM {lake}.clinic."labs$snapshots" ORDER BY committed_at') == [
        ["append"], ["append"], ["overwrite"]]
