"""Appends: merge append packs manifests as Iceberg Java's commit.manifest-merge.* properties say,
and concurrent appenders lose nothing. PyIceberg and DuckDB are the judges."""

import collections
import json
import subprocess

import pyarrow.parquet as pq
import pytest
from harness.floe_text import arrow_rows, floe_rows
from pyiceberg.table import StaticTable

SCHEMA = {"type": "struct", "fields": [
    {"id": 1, "name": "id", "required": True, "type": "long"},
    {"id": 2, "name": "site", "required": False, "type": "string"},
    {"id": 3, "name": "ts", "required": False, "type": "timestamptz"},
]}


@pytest.fixture
def table(floe, tmp_path):
    (tmp_path / "schema.json").write_text(json.dumps(SCHEMA))
    floe.run("namespace", "create", "edc")
    floe.run("table", "create", "edc.t", "--schema", tmp_path / "schema.json",
             "--partition", "site, day(ts)")
    return "edc.t"


def write_rows(path, ids):
    path.write_text("".join(json.dumps({"id": i, "site": f"S0{i % 3}" if i % 5 else None,
                                        "ts": f"2026-03-0{1 + i % 4}T10:00:00Z"}) + "\n" for i in ids))


def canon(rows):
    return sorted(json.dumps(r, sort_keys=True) for r in rows)


def static(floe, name):
    return StaticTable.from_metadata(floe.run("table", "metadata-location", name).stdout.strip())


def test_merge_append_packs_manifests_and_keeps_history(floe, table, tmp_path, duckdb_con):
    floe.run("table", "set-property", table, "commit.manifest.min-count-to-merge=4")
    for k in range(10):
        write_rows(tmp_path / f"a{k}.jsonl", range(k * 20, k * 20 + 20))
        floe.run("table", "append", table, tmp_path / f"a{k}.jsonl")
    t = static(floe, table)
    snapshots = t.snapshots()
    assert len(snapshots) == 10
    # With at least 4 manifests a commit merges them into one: the list never reaches 4.
    counts = [len(s.manifests(t.io)) for s in snapshots]
    assert counts == [1, 2, 3, 1, 2, 3, 1, 2, 3, 1]
    # Every snapshot reads the same rows in floe, PyIceberg and DuckDB.
    for s in snapshots:
        mine = canon(floe_rows(floe.run("table", "scan", table, "--snapshot", s.snapshot_id).stdout))
        assert mine == canon(arrow_rows(t.scan(snapshot_id=s.snapshot_id).to_arrow()))
        duck = duckdb_con.execute("SELECT * FROM iceberg_scan(?, snapshot_from_id => ?)",
                                  [t.metadata_location, s.snapshot_id]).arrow()
        duck = duck.read_all() if hasattr(duck, "read_all") else duck
        assert mine == canon(arrow_rows(duck))
    # Merged entries keep the snapshot and sequence number that added their file.
    entries = t.inspect.entries().to_pylist()
    added_by = {s.snapshot_id: s.sequence_number for s in snapshots}
    assert len(entries) == len(t.inspect.files().to_pylist())
    for e in entries:
        assert e["sequence_number"] == added_by[e["snapshot_id"]] == e["file_sequence_number"]
        assert e["status"] == (1 if e["snapshot_id"] == snapshots[-1].snapshot_id else 0)
    assert collections.Counter(e["snapshot_id"] for e in entries).keys() == added_by.keys()


def test_fast_append_keeps_every_manifest(floe, table, tmp_path):
    floe.run("table", "set-property", table, "commit.manifest.min-count-to-merge=2")
    for k in range(4):
        write_rows(tmp_path / f"a{k}.jsonl", range(k * 10, k * 10 + 10))
        floe.run("table", "append", table, tmp_path / f"a{k}.jsonl", "--fast")
    t = static(floe, table)
    assert len(t.current_snapshot().manifests(t.io)) == 4
    floe.run("table", "set-property", table, "commit.manifest-merge.enabled=false")
    write_rows(tmp_path / "b.jsonl", range(100, 110))
    floe.run("table", "append", table, tmp_path / "b.jsonl")
    t = static(floe, table)
    assert len(t.current_snapshot().manifests(t.io)) == 5
    assert sorted(t.scan().to_arrow()["id"].to_pylist()) == list(range(40)) + list(range(100, 110))


def test_two_appenders_200_appends_each_lose_nothing(floe, table, tmp_path):
    for w in range(2):
        for i in range(200):
            write_rows(tmp_path / f"w{w}-{i}.jsonl", [w * 100_000 + i * 10 + k for k in range(3)])
    script = ("for i in $(seq 0 199); do \"$FLOE\" table append edc.t w$W-$i.jsonl >/dev/null 2>>log$W"
              " || exit 1; done")
    procs = [subprocess.Popen(["bash", "-c", script], cwd=floe.cwd,
                              env={"FLOE": str(floe.binary), "W": str(w), "PATH": "/usr/bin:/bin"})
             for w in range(2)]
    assert [p.wait(timeout=600) for p in procs] == [0, 0]
    t = static(floe, table)
    assert len(t.snapshots()) == 400
    # One line of history: every snapshot's parent is the one before it.
    chain = [s.snapshot_id for s in t.snapshots()]
    assert [s.parent_snapshot_id for s in t.snapshots()] == [None] + chain[:-1]
    expected = sorted(w * 100_000 + i * 10 + k for w in range(2) for i in range(200) for k in range(3))
    assert sorted(t.scan().to_arrow()["id"].to_pylist()) == expected
    assert sorted(r["id"] for r in floe_rows(floe.run("table", "scan", table).stdout)) == expected
    retried = sum((floe.cwd / f"log{w}").read_text().count("attempts)") for w in range(2))
    print(f"{retried} of 400 appends retried after losing a race")


def test_append_over_many_partitions_keeps_open_files_bounded(floe, tmp_path):
    # 300 sites, rows interleaved: more partitions than floe keeps files open for (32). Rows wait
    # per partition until a batch is worth writing, so each partition still gets one file (no
    # file per row as the least recently used file is closed); every row lands once, in its
    # partition. (tests/unit/table/data_file_writer_test.cc bounds the open files themselves.)
    (tmp_path / "schema.json").write_text(json.dumps(SCHEMA))
    floe.run("namespace", "create", "edc")
    floe.run("table", "create", "edc.many", "--schema", tmp_path / "schema.json", "--partition", "site")
    (tmp_path / "rows.jsonl").write_text("".join(
        json.dumps({"id": i, "site": f"S{i % 300:03d}"}) + "\n" for i in range(3000)))
    floe.run("table", "append", "edc.many", tmp_path / "rows.jsonl")
    t = static(floe, "edc.many")
    files = t.inspect.files().to_pylist()
    assert len(files) == 300
    for f in files:
        ids = [r["id"] for r in pq.read_table(f["file_path"]).to_pylist()]
        assert {f"S{i % 300:03d}" for i in ids} == {f["partition"]["site"]}
    assert sorted(t.scan().to_arrow()["id"].to_pylist()) == list(range(3000))
