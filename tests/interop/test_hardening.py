"""Hardening of what exists (issue 11): the smaller items, each against the real tools.

- item 8: format v3 commits cannot move next-row-id backwards or overflow it (negative or huge
  added-rows / first-row-id are refused with 400, the table stays as it was);
- item 10: empty Parquet files that pyarrow and DuckDB write (one row group of 0 rows, whose
  chunks have no place in the file) read as 0 rows, alone and inside a table.
"""

import json
import random
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from harness.floe_text import floe_rows
from harness.hostile import request
from pyiceberg.catalog.rest import RestCatalog


def add_snapshot(server, snapshot_id: int, first_row_id: int, added_rows: int, sequence: int):
    snapshot = {"snapshot-id": snapshot_id, "sequence-number": sequence, "timestamp-ms": 1_700_000_000_000,
                "manifest-list": "/nonexistent/snap.avro", "summary": {"operation": "append"},
                "schema-id": 0, "first-row-id": first_row_id, "added-rows": added_rows}
    return request(server, "POST", "/v1/namespaces/lab/tables/t", {
        "requirements": [],
        "updates": [{"action": "add-snapshot", "snapshot": snapshot},
                    {"action": "set-snapshot-ref", "ref-name": "main", "type": "branch",
                     "snapshot-id": snapshot_id}]})


def test_v3_row_lineage_cannot_move_backwards_or_overflow(floe_server):
    server = floe_server
    assert request(server, "POST", "/v1/namespaces", {"namespace": ["lab"]})[0] == 200
    status, _ = request(server, "POST", "/v1/namespaces/lab/tables", {
        "name": "t", "schema": {"type": "struct", "fields": [
            {"id": 1, "name": "id", "required": True, "type": "long"}]},
        "properties": {"format-version": "3"}})
    assert status == 200
    assert add_snapshot(server, 1, 0, 10, 1)[0] == 200

    def next_row_id() -> int:
        return request(server, "GET", "/v1/namespaces/lab/tables/t")[1]["metadata"]["next-row-id"]

    assert next_row_id() == 10
    status, body = add_snapshot(server, 2, 10, -5, 2)
    assert status == 400 and "must not be negative" in body["error"]["message"], body
    status, body = add_snapshot(server, 3, -1, 5, 2)
    assert status == 400 and "must not be negative" in body["error"]["message"], body
    status, body = add_snapshot(server, 4, 10, 2**63 - 5, 2)
    assert status == 400 and "overflows" in body["error"]["message"], body
    assert next_row_id() == 10  # nothing moved
    assert add_snapshot(server, 5, 10, 2**62, 2)[0] == 200  # big, but it fits
    assert next_row_id() == 10 + 2**62
    # PyIceberg reads the table's row lineage as floe left it.
    assert RestCatalog("check", uri=server.uri).load_table("lab.t").metadata.next_row_id == 10 + 2**62


def empty_files(tmp_path):
    """Empty files as pyarrow and DuckDB write them (one row group of 0 rows)."""
    schema = pa.schema([pa.field("id", pa.int64()), pa.field("site", pa.string()),
                        pa.field("tags", pa.list_(pa.string()))])
    pq.write_table(schema.empty_table(), tmp_path / "pyarrow.parquet")
    duckdb.sql(f"COPY (SELECT 1::BIGINT AS id, 's' AS site, ['a'] AS tags WHERE false) "
               f"TO '{tmp_path / 'duckdb.parquet'}' (FORMAT parquet)")
    return [tmp_path / "pyarrow.parquet", tmp_path / "duckdb.parquet"]


def test_empty_parquet_files_read_as_zero_rows(floe, tmp_path):
    files = empty_files(tmp_path)
    assert pq.ParquetFile(files[0]).metadata.num_row_groups == 1  # the shape that failed
    for f in files:
        assert floe.run("parquet", "cat", f).stdout == ""
        assert floe.run("parquet", "cat", f, "--format", "csv").stdout.strip() == "id,site,tags"
        schema = json.loads(floe.run("parquet", "schema", f).stdout)
        assert [field["name"] for field in schema["fields"]] == ["id", "site", "tags"]


def test_empty_parquet_files_append_to_a_table_as_zero_rows(floe, tmp_path):
    files = empty_files(tmp_path)
    (tmp_path / "rows.jsonl").write_text(json.dumps({"id": 1, "site": "S01", "tags": ["x"]}) + "\n")
    schema = json.loads(floe.run("parquet", "schema", files[0]).stdout)
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    floe.run("namespace", "create", "lab")
    floe.run("table", "create", "lab.t", "--schema", tmp_path / "schema.json")
    floe.run("table", "append", "lab.t", tmp_path / "rows.jsonl", *files)
    rows = floe_rows(floe.run("table", "scan", "lab.t").stdout)
    assert rows == [{"id": 1, "site": "S01", "tags": ["x"]}]


@pytest.mark.parametrize("binary_name", ["pyarrow", "duckdb"])
def test_duckdb_and_pyarrow_agree_the_files_are_empty(tmp_path, binary_name):
    files = dict(zip(["pyarrow", "duckdb"], empty_files(tmp_path)))
    f = files[binary_name]
    assert pq.read_table(f).num_rows == 0
    assert duckdb.sql(f"SELECT count(*) FROM '{f}'").fetchone()[0] == 0


def test_appends_honour_the_tables_write_properties(floe, tmp_path):
    """Issue 11, item 9: the table's write.* properties decide the data files an append writes: files roll
    over at write.target-file-size-bytes, row groups at write.parquet.row-group-size-bytes, the
    codec is write.parquet.compression-codec and metrics follow write.metadata.metrics.*; pyarrow
    reads every file as such and PyIceberg reads every row once."""
    from pyiceberg.catalog.sql import SqlCatalog

    schema = {"type": "struct", "fields": [
        {"id": 1, "name": "id", "required": True, "type": "long"},
        {"id": 2, "name": "note", "required": False, "type": "string"}]}
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    rng = random.Random(11)  # incompressible notes: file sizes are compressed sizes
    (tmp_path / "rows.jsonl").write_text("".join(
        json.dumps({"id": i, "note": f"{i:06d}" + rng.randbytes(100).hex()}) + "\n" for i in range(60_000)))
    floe.run("namespace", "create", "lab")
    floe.run("table", "create", "lab.t", "--schema", tmp_path / "schema.json",
             "--property", "write.target-file-size-bytes=1000000",
             "--property", "write.parquet.row-group-size-bytes=300000",
             "--property", "write.parquet.compression-codec=gzip",
             "--property", "write.metadata.metrics.column.note=counts")
    floe.run("table", "append", "lab.t", tmp_path / "rows.jsonl")
    files = [json.loads(line) for line in floe.run("table", "files", "lab.t").stdout.splitlines()]
    assert len(files) > 3, files  # ~7 MB compressed against a 1 MB target
    for f in files:
        meta = pq.ParquetFile(f["file_path"].removeprefix("file://")).metadata
        assert meta.num_row_groups >= 1
        assert {meta.row_group(g).column(c).compression for g in range(meta.num_row_groups)
                for c in range(meta.num_columns)} == {"GZIP"}
    catalog = SqlCatalog("floe", uri=f"sqlite:///{tmp_path}/floe-data/catalog.db",
                         warehouse=f"file://{tmp_path}/floe-data")
    table = catalog.load_table("lab.t")
    assert sorted(table.scan().to_arrow().column("id").to_pylist()) == list(range(60_000))
    entries = table.inspect.files().to_pylist()
    assert all(2 not in dict(e["lower_bounds"] or []) for e in entries)  # note: counts only
    assert all(1 in dict(e["lower_bounds"]) for e in entries)           # id: the default truncate(16)
    # A malformed write property is refused by the next append, by name.
    floe.run("table", "set-property", "lab.t", "write.parquet.compression-codec=lzo")
    failed = floe.fails("table", "append", "lab.t", tmp_path / "rows.jsonl")
    assert failed.returncode == 1 and "write.parquet.compression-codec" in failed.stderr
