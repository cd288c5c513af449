"""floe's embedded catalog is the Iceberg SQL catalog schema: PyIceberg's SqlCatalog opens the same file."""

import datetime as dt
import json

import pyarrow as pa
import pytest
from harness.floe_text import floe_rows
from pyiceberg.catalog.sql import SqlCatalog

SCHEMA = {"type": "struct", "fields": [
    {"id": 1, "name": "audit_id", "required": True, "type": "long"},
    {"id": 2, "name": "subject_key", "required": False, "type": "string"},
    {"id": 3, "name": "audit_ts", "required": False, "type": "timestamptz"},
]}


@pytest.fixture
def warehouse(tmp_path):
    (tmp_path / "schema.json").write_text(json.dumps(SCHEMA))
    return tmp_path / "floe-data"


def pyiceberg_catalog(warehouse):
    return SqlCatalog("floe", uri=f"sqlite:///{warehouse}/catalog.db", warehouse=f"file://{warehouse}")


def test_pyiceberg_sees_and_writes_floe_tables(floe, warehouse, tmp_path):
    floe.run("namespace", "create", "edc", "--property", "owner=data-management")
    floe.run("table", "create", "edc.audit_events", "--schema", tmp_path / "schema.json",
             "--partition", "day(audit_ts), bucket(16, subject_key)", "--property", "retention=7y")

    catalog = pyiceberg_catalog(warehouse)
    assert ("edc",) in catalog.list_namespaces()
    assert catalog.load_namespace_properties("edc")["owner"] == "data-management"
    assert catalog.list_tables("edc") == [("edc", "audit_events")]
    table = catalog.load_table("edc.audit_events")
    assert [f.name for f in table.schema().fields] == ["audit_id", "subject_key", "audit_ts"]
    assert [(f.name, str(f.transform), f.field_id) for f in table.spec().fields] == [
        ("audit_ts_day", "day", 1000), ("subject_key_bucket", "bucket[16]", 1001)]
    assert table.properties["retention"] == "7y"

    # PyIceberg commits into floe's catalog; floe sees the snapshots it made.
    rows = pa.table({
        "audit_id": pa.array([1, 2, 3], pa.int64()),
        "subject_key": ["01-701-001", "01-701-002", None],
        "audit_ts": pa.array([dt.datetime(2026, 1, d, tzinfo=dt.timezone.utc) for d in (1, 1, 2)],
                             pa.timestamp("us", tz="UTC")),
    })
    table.append(rows.cast(table.schema().as_arrow()))
    table.append(rows.slice(0, 1).cast(table.schema().as_arrow()))
    table = catalog.load_table("edc.audit_events")
    location = floe.run("table", "metadata-location", "edc.audit_events").stdout.strip()
    assert location == table.metadata_location
    snapshots = floe.run("table", "snapshots", "edc.audit_events").stdout.splitlines()[1:]
    assert [int(line.split()[0]) for line in snapshots] == [s.snapshot_id for s in table.snapshots()]
    assert all(" append " in line for line in snapshots)
    describe = floe.run("table", "describe", "edc.audit_events").stdout
    assert f"snapshot {table.current_snapshot().snapshot_id} (append" in describe
    history = floe.run("table", "history", "edc.audit_events").stdout.splitlines()[1:]
    assert [int(line.split()[1]) for line in history] == [e.snapshot_id for e in table.history()]


def test_floe_sees_pyiceberg_tables_and_registers_them(floe, warehouse, tmp_path):
    warehouse.mkdir(parents=True)
    catalog = pyiceberg_catalog(warehouse)
    catalog.create_namespace("sdtm")
    made = catalog.create_table("sdtm.vs", schema=pa.schema([("USUBJID", pa.string()), ("VSSTRESN", pa.float64())]))
    made.append(pa.table({"USUBJID": ["01-701-1"], "VSSTRESN": [120.5]}))
    assert floe.run("namespace", "list").stdout.split() == ["sdtm"]
    assert floe.run("table", "list", "sdtm").stdout.split() == ["sdtm.vs"]
    described = floe.run("table", "describe", "sdtm.vs").stdout
    assert f"snapshot {made.current_snapshot().snapshot_id} (append" in described and "USUBJID" in described
    # Register the same metadata under a second name; both resolve to one file.
    floe.run("namespace", "create", "copies")
    metadata = catalog.load_table("sdtm.vs").metadata_location
    floe.run("table", "register", "copies.vs", metadata)
    assert floe.run("table", "metadata-location", "copies.vs").stdout.strip() == metadata
    assert catalog.load_table("copies.vs").scan().to_arrow().num_rows == 1


def test_catalog_errors_are_clear(floe, warehouse, tmp_path):
    assert "does not exist" in floe.fails("table", "list", "nope").stderr
    assert "does not exist" in floe.fails("table", "describe", "nope.t").stderr
    floe.run("namespace", "create", "a")
    assert "already exists" in floe.fails("namespace", "create", "a").stderr
    assert "must be NAMESPACE.NAME" in floe.fails("table", "describe", "justaname").stderr
    assert "invalid name" in floe.fails("namespace", "create", "../x").stderr or \
        "invalid namespace" in floe.fails("namespace", "create", "../x").stderr
    bad_partition = floe.fails("table", "create", "a.t", "--schema", tmp_path / "schema.json",
                               "--partition", "hour(subject_key)")
    assert "does not apply" in bad_partition.stderr
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{}")
    assert floe.fails("table", "register", "a.g", garbage).returncode == 1


def test_refs_properties_and_rollback_committed_by_floe(floe, warehouse, tmp_path):
    floe.run("namespace", "create", "edc")
    floe.run("table", "create", "edc.items", "--schema", tmp_path / "schema.json")
    catalog = pyiceberg_catalog(warehouse)
    table = catalog.load_table("edc.items")
    for i in range(3):
        table.append(pa.table({"audit_id": pa.array([i], pa.int64()), "subject_key": [f"s{i}"],
                               "audit_ts": pa.array([None], pa.timestamp("us", tz="UTC"))}
                              ).cast(table.schema().as_arrow()))
    ids = [s.snapshot_id for s in catalog.load_table("edc.items").snapshots()]

    floe.run("table", "tag", "edc.items", "database-lock", "--snapshot", ids[1])
    floe.run("table", "branch", "edc.items", "audit-review")
    floe.run("table", "set-property", "edc.items", "lock.reason=interim analysis", "owner=dm")
    table = catalog.load_table("edc.items")
    refs = table.refs()
    assert refs["database-lock"].snapshot_id == ids[1] and refs["database-lock"].snapshot_ref_type == "tag"
    assert refs["audit-review"].snapshot_id == ids[2] and refs["audit-review"].snapshot_ref_type == "branch"
    assert table.properties["lock.reason"] == "interim analysis"
    assert table.scan(snapshot_id=refs["database-lock"].snapshot_id).to_arrow().num_rows == 2
    refs_out = floe.run("table", "refs", "edc.items").stdout
    assert "database-lock" in refs_out and "tag" in refs_out

    floe.run("table", "rollback", "edc.items", "--snapshot", ids[0])
    table = catalog.load_table("edc.items")
    assert table.current_snapshot().snapshot_id == ids[0]
    assert table.scan().to_arrow().num_rows == 1
    assert "not an ancestor" in floe.fails("table", "rollback", "edc.items", "--snapshot", ids[2]).stderr
    floe.run("table", "set-current", "edc.items", "--snapshot", ids[2])
    assert catalog.load_table("edc.items").current_snapshot().snapshot_id == ids[2]

    floe.run("table", "remove-ref", "edc.items", "audit-review")
    floe.run("table", "remove-property", "edc.items", "owner")
    table = catalog.load_table("edc.items")
    assert "audit-review" not in table.refs() and "owner" not in table.properties
    assert "cannot be removed" in floe.fails("table", "remove-ref", "edc.items", "main").stderr
    # Every commit left the previous metadata file in the metadata log.
    assert len(table.metadata.metadata_log) == 10


def test_concurrent_commits_lose_nothing(floe, warehouse, tmp_path):
    import subprocess
    floe.run("namespace", "create", "edc")
    floe.run("table", "create", "edc.c", "--schema", tmp_path / "schema.json")
    script = "for i in $(seq 1 30); do \"$FLOE\" table set-property edc.c \"w$W.$i=$i\" >/dev/null || exit 1; done"
    procs = [subprocess.Popen(["bash", "-c", script], cwd=tmp_path,
                              env={"FLOE": str(floe.binary), "W": str(w), "PATH": "/usr/bin:/bin"})
             for w in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    properties = pyiceberg_catalog(warehouse).load_table("edc.c").properties
    assert all(properties.get(f"w{w}.{i}") == str(i) for w in range(3) for i in range(1, 31))


def test_files_and_manifests_match_pyiceberg_inspect(floe, warehouse, tmp_path):
    floe.run("namespace", "create", "edc")
    floe.run("table", "create", "edc.p", "--schema", tmp_path / "schema.json",
             "--partition", "day(audit_ts), bucket(4, subject_key)")
    catalog = pyiceberg_catalog(warehouse)
    table = catalog.load_table("edc.p")
    for day in (1, 2, 3):
        rows = pa.table({
            "audit_id": pa.array(range(day * 10, day * 10 + 5), pa.int64()),
            "subject_key": [f"01-70{i}-00{day}" for i in range(5)],
            "audit_ts": pa.array([dt.datetime(2026, 1, day, i, tzinfo=dt.timezone.utc) for i in range(5)],
                                 pa.timestamp("us", tz="UTC")),
        })
        table.append(rows.cast(table.schema().as_arrow()))
    table = catalog.load_table("edc.p")
    epoch = dt.date(1970, 1, 1)

    for snapshot in table.snapshots():
        got = [json.loads(line) for line in
               floe.run("table", "files", "edc.p", "--snapshot", snapshot.snapshot_id).stdout.splitlines()]
        expected = table.inspect.files(snapshot_id=snapshot.snapshot_id).to_pylist()
        by_path = {f["file_path"]: f for f in got}
        assert set(by_path) == {f["file_path"] for f in expected}
        for f in expected:
            mine = by_path[f["file_path"]]
            assert mine["record_count"] == f["record_count"]
            assert mine["file_size_in_bytes"] == f["file_size_in_bytes"]
            assert mine["file_format"] == f["file_format"]
            partition = f["partition"]
            assert mine["partition"] == {"audit_ts_day": (partition["audit_ts_day"] - epoch).days
                                         if isinstance(partition["audit_ts_day"], dt.date)
                                         else partition["audit_ts_day"],
                                         "subject_key_bucket": partition["subject_key_bucket"]}
            for key in ("column_sizes", "value_counts", "null_value_counts", "nan_value_counts"):
                assert {int(k): v for k, v in mine[key].items()} == dict(f[key] or []), key
            for key in ("lower_bounds", "upper_bounds"):
                assert {int(k): bytes.fromhex(v) for k, v in mine[key].items()} == dict(f[key] or []), key

    manifests = [json.loads(line) for line in floe.run("table", "manifests", "edc.p").stdout.splitlines()]
    expected = table.inspect.manifests().to_pylist()
    assert sorted(m["path"] for m in manifests) == sorted(m["path"] for m in expected)
    by_path = {m["path"]: m for m in manifests}
    for m in expected:
        mine = by_path[m["path"]]
        assert mine["length"] == m["length"]
        assert mine["partition_spec_id"] == m["partition_spec_id"]
        assert mine["added_snapshot_id"] == m["added_snapshot_id"]
        assert mine["added_data_files_count"] == m["added_data_files_count"]
        assert mine["existing_data_files_count"] == m["existing_data_files_count"]
    # Time travel: the first snapshot's files, by id, by tag and by time.
    first = table.snapshots()[0]
    floe.run("table", "tag", "edc.p", "first-load", "--snapshot", first.snapshot_id)
    by_id = floe.run("table", "files", "edc.p", "--snapshot", first.snapshot_id).stdout
    assert floe.run("table", "files", "edc.p", "--ref", "first-load").stdout == by_id
    when = dt.datetime.fromtimestamp(first.timestamp_ms / 1000, dt.timezone.utc).isoformat()
    assert floe.run("table", "files", "edc.p", "--as-of", when).stdout == by_id
    assert len(by_id.splitlines()) == len(table.inspect.files().to_pylist()) // 3


def test_scan_matches_pyiceberg_and_duckdb_at_every_snapshot(floe, warehouse, tmp_path, duckdb_con):
    from harness.floe_text import arrow_rows, floe_rows
    from pyiceberg.expressions import EqualTo
    floe.run("namespace", "create", "edc")
    floe.run("table", "create", "edc.s", "--schema", tmp_path / "schema.json",
             "--partition", "day(audit_ts), bucket(4, subject_key)")
    catalog = pyiceberg_catalog(warehouse)
    table = catalog.load_table("edc.s")
    for day in (1, 2, 3):
        rows = pa.table({
            "audit_id": pa.array(range(day * 100, day * 100 + 50), pa.int64()),
            "subject_key": [f"01-70{i % 7}-{day}" if i % 9 else None for i in range(50)],
            "audit_ts": pa.array([dt.datetime(2026, 1, day, i % 24, tzinfo=dt.timezone.utc) for i in range(50)],
                                 pa.timestamp("us", tz="UTC")),
        })
        table.append(rows.cast(table.schema().as_arrow()))
    table.overwrite(rows.slice(0, 10).cast(table.schema().as_arrow()), overwrite_filter=EqualTo("audit_id", 300))
    table.delete(EqualTo("audit_id", 301))
    table = catalog.load_table("edc.s")
    assert len(table.snapshots()) >= 5

    def canon(rows):
        return sorted(json.dumps(r, sort_keys=True) for r in rows)

    for snapshot in table.snapshots():
        mine = floe_rows(floe.run("table", "scan", "edc.s", "--snapshot", snapshot.snapshot_id).stdout)
        theirs = arrow_rows(table.scan(snapshot_id=snapshot.snapshot_id).to_arrow())
        assert canon(mine) == canon(theirs), snapshot.snapshot_id

    current = arrow_rows(table.scan().to_arrow())
    duck = duckdb_con.execute("SELECT * FROM iceberg_scan(?)", [table.metadata_location]).arrow()
    if hasattr(duck, "read_all"):
        duck = duck.read_all()
    assert canon(arrow_rows(duck)) == canon(current)
    projected = floe_rows(floe.run("table", "scan", "edc.s", "--columns", "subject_key,audit_id").stdout)
    assert canon(projected) == canon([{"subject_key": r["subject_key"], "audit_id": r["audit_id"]} for r in current])


def test_floe_appends_read_by_pyiceberg_and_duckdb(floe, warehouse, tmp_path, duckdb_con):
    import pyarrow.parquet as pq
    from harness.floe_text import arrow_rows
    floe.run("namespace", "create", "edc")
    floe.run("table", "create", "edc.w", "--schema", tmp_path / "schema.json",
             "--partition", "day(audit_ts), bucket(8, subject_key)")
    lines = [json.dumps({"audit_id": i, "subject_key": f"01-70{i % 5}-{i % 3}" if i % 7 else None,
                         "audit_ts": f"2026-02-0{1 + i % 4}T0{i % 10}:00:00Z" if i % 11 else None})
             for i in range(200)]
    (tmp_path / "a.jsonl").write_text("\n".join(lines[:120]) + "\n")
    arrow = pa.table({"audit_id": pa.array(range(120, 200), pa.int64()),
                      "subject_key": [f"s{i % 4}" for i in range(80)],
                      "audit_ts": pa.array([dt.datetime(2026, 3, 1 + i % 3, tzinfo=dt.timezone.utc)
                                            for i in range(80)], pa.timestamp("us", tz="UTC"))})
    pq.write_table(arrow, tmp_path / "b.parquet")
    floe.run("table", "append", "edc.w", tmp_path / "a.jsonl")
    catalog = pyiceberg_catalog(warehouse)
    table = catalog.load_table("edc.w")
    table.append(arrow.slice(0, 5).cast(table.schema().as_arrow()))  # PyIceberg in between
    floe.run("table", "append", "edc.w", tmp_path / "b.parquet")
    table = catalog.load_table("edc.w")
    assert len(table.snapshots()) == 3

    def canon(rows):
        return sorted(json.dumps(r, sort_keys=True) for r in rows)

    for snapshot in table.snapshots():
        mine = canon(floe_rows(floe.run("table", "scan", "edc.w", "--snapshot", snapshot.snapshot_id).stdout))
        assert mine == canon(arrow_rows(table.scan(snapshot_id=snapshot.snapshot_id).to_arrow()))
    current = table.scan().to_arrow()
    assert current.num_rows == 205
    duck = duckdb_con.execute("SELECT * FROM iceberg_scan(?)", [table.metadata_location]).arrow()
    if hasattr(duck, "read_all"):
        duck = duck.read_all()
    assert canon(arrow_rows(duck)) == canon(arrow_rows(current))
    # PyIceberg prunes floe's files by partition: one day, one bucket.
    from pyiceberg.expressions import EqualTo
    one_day = table.scan(row_filter=EqualTo("audit_id", 7)).to_arrow()
    assert one_day.num_rows == 1
    summary = table.current_snapshot().summary
    assert summary.operation.value == "append" and summary["total-records"] == "205"
    files = table.inspect.files().to_pylist()
    assert sum(f["record_count"] for f in files) == 205


def test_csv_append_matches_columns_by_header(floe, warehouse, tmp_path):
    floe.run("namespace", "create", "edc")
    floe.run("table", "create", "edc.csv", "--schema", tmp_path / "schema.json", "--partition", "day(audit_ts)")
    (tmp_path / "in.csv").write_text(
        'audit_ts,audit_id,subject_key\n2026-04-01T08:00:00Z,1,"a,b"\n,2,\n2026-04-02T00:00:00Z,3,""\n')
    floe.run("table", "append", "edc.csv", tmp_path / "in.csv")
    rows = sorted(pyiceberg_catalog(warehouse).load_table("edc.csv").scan().to_arrow().to_pylist(),
                  key=lambda r: r["audit_id"])
    assert [(r["audit_id"], r["subject_key"]) for r in rows] == [(1, "a,b"), (2, None), (3, "")]
    assert rows[0]["audit_ts"] == dt.datetime(2026, 4, 1, 8, tzinfo=dt.timezone.utc)
    assert rows[1]["audit_ts"] is None
    bad = tmp_path / "bad.txt"
    bad.write_text("x")
    assert "must be .jsonl or .csv" in floe.fails("table", "append", "edc.csv", bad).stderr
