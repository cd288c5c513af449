"""floe's Parquet codec against pyarrow and DuckDB, cell by cell, both ways."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from harness.floe_text import arrow_rows, floe_rows

UTC = dt.timezone.utc

# Every floe type, nested at every level, as an Iceberg schema.
SCHEMA = {"type": "struct", "fields": [
    {"id": 1, "name": "id", "required": True, "type": "long"},
    {"id": 2, "name": "flag", "required": False, "type": "boolean"},
    {"id": 3, "name": "i32", "required": False, "type": "int"},
    {"id": 4, "name": "f32", "required": False, "type": "float"},
    {"id": 5, "name": "f64", "required": False, "type": "double"},
    {"id": 6, "name": "dec9", "required": False, "type": "decimal(9,2)"},
    {"id": 7, "name": "dec18", "required": False, "type": "decimal(18,6)"},
    {"id": 8, "name": "dec38", "required": False, "type": "decimal(38,10)"},
    {"id": 9, "name": "day", "required": False, "type": "date"},
    {"id": 10, "name": "tod", "required": False, "type": "time"},
    {"id": 11, "name": "ts", "required": False, "type": "timestamp"},
    {"id": 12, "name": "tstz", "required": False, "type": "timestamptz"},
    {"id": 13, "name": "tsns", "required": False, "type": "timestamp_ns"},
    {"id": 14, "name": "tstzns", "required": False, "type": "timestamptz_ns"},
    {"id": 15, "name": "text", "required": False, "type": "string"},
    {"id": 16, "name": "blob", "required": False, "type": "binary"},
    {"id": 17, "name": "fix", "required": False, "type": "fixed[3]"},
    {"id": 18, "name": "uid", "required": False, "type": "uuid"},
    {"id": 19, "name": "tags", "required": False, "type": {
        "type": "list", "element-id": 20, "element": "string", "element-required": False}},
    {"id": 21, "name": "attrs", "required": False, "type": {
        "type": "map", "key-id": 22, "key": "string", "value-id": 23, "value": "double",
        "value-required": False}},
    {"id": 24, "name": "site", "required": False, "type": {"type": "struct", "fields": [
        {"id": 25, "name": "code", "required": True, "type": "string"},
        {"id": 26, "name": "visits", "required": False, "type": {
            "type": "list", "element-id": 27, "element-required": True, "element": {
                "type": "struct", "fields": [
                    {"id": 28, "name": "n", "required": True, "type": "int"},
                    {"id": 29, "name": "at", "required": False, "type": "timestamptz"}]}}}]}},
    {"id": 30, "name": "grid", "required": False, "type": {
        "type": "list", "element-id": 31, "element-required": False, "element": {
            "type": "list", "element-id": 32, "element": "long", "element-required": False}}},
]}

EXTREME_ROWS = [
    {"id": -9223372036854775808, "flag": True, "i32": -2147483648, "f32": -0.0, "f64": "NaN",
     "dec9": "-9999999.99", "dec18": "999999999999.999999",
     "dec38": "9999999999999999999999999999.9999999999", "day": "1970-01-01",
     "tod": "23:59:59.999999", "ts": "1969-12-31T23:59:59.999999", "tstz": "2026-11-25T10:00:00.000001Z",
     "tsns": "2262-04-11T23:47:16.854775807", "tstzns": "1677-09-21T00:12:43.145224192Z",
     "text": "", "blob": "", "fix": "AAAA", "uid": "00000000-0000-0000-0000-000000000000",
     "tags": [], "attrs": [], "site": {"code": "", "visits": []}, "grid": [[], None, [None]]},
    {"id": 9223372036854775807, "flag": False, "i32": 2147483647, "f32": "Infinity", "f64": "-Infinity",
     "dec9": "0.00", "dec18": "-0.000001", "dec38": "-9999999999999999999999999999.9999999999",
     "day": "9999-12-31", "tod": "00:00:00.000000", "ts": "2000-02-29T12:00:00.000000",
     "tstz": "1900-01-01T00:00:00.000000Z", "tsns": "1970-01-01T00:00:00.000000001",
     "tstzns": "2026-11-25T10:00:00.123456789Z", "text": "Grüße, 世界 🧪 \"quoted\" \\ \n tab\t",
     "blob": "AP8A/w==", "fix": "////", "uid": "ffffffff-ffff-ffff-ffff-ffffffffffff",
     "tags": ["", None, "ünï"], "attrs": [{"key": "k", "value": None}, {"key": "", "value": -0.0}],
     "site": {"code": "S-01", "visits": [{"n": 1, "at": None}, {"n": -1, "at": "2026-01-01T00:00:00.000000Z"}]},
     "grid": [[1, None, -9223372036854775808], [9223372036854775807]]},
    {"id": 0},  # everything optional is null
    {"id": 1, "site": None, "tags": None, "attrs": None, "grid": None, "f64": 0.0, "f32": 1.5},
]


def generated_rows(n: int) -> list[dict]:
    rows = []
    for i in range(n):
        rows.append({
            "id": i, "flag": i % 3 == 0 if i % 7 else None, "i32": i * 37 - 5000, "f32": i / 8,
            "f64": i * 1.25 - 3 if i % 11 else None, "dec9": f"{i % 1000}.{i % 100:02d}",
            "dec18": f"-{i}.000001", "dec38": f"{i * 1000003}.{i % 7:010d}",
            "day": (dt.date(2020, 1, 1) + dt.timedelta(days=i % 2000)).isoformat(),
            "tod": f"{i % 24:02d}:{i % 60:02d}:00.{i % 1000000:06d}",
            "ts": f"2026-01-{1 + i % 28:02d}T{i % 24:02d}:00:00.{i:06d}"[:26],
            "tstz": f"2026-02-{1 + i % 28:02d}T00:{i % 60:02d}:00.000000Z",
            "tsns": f"2026-03-01T00:00:00.{i:09d}", "tstzns": f"2026-03-01T00:00:00.{i:09d}Z",
            "text": f"site-{i % 50}" if i % 13 else None, "blob": "AQID", "fix": "AQID",
            "uid": str(uuid.UUID(int=i * 7919)), "tags": [f"t{i % 5}"] * (i % 4),
            "attrs": [{"key": f"k{j}", "value": j * 0.5} for j in range(i % 3)],
            "site": {"code": f"S{i % 9}", "visits": [{"n": j, "at": None} for j in range(i % 2)]},
            "grid": [[i, i + 1]] if i % 2 else [],
        })
    return rows


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


@pytest.fixture
def schema_file(tmp_path):
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(SCHEMA))
    return path


def floe_write(floe, tmp_path, schema_file, rows, *options, name="out.parquet"):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, rows)
    out = tmp_path / name
    floe.run("parquet", "write", src, out, "--schema", schema_file, *options)
    return out


@pytest.mark.parametrize("options", [
    ["--codec", "zstd"],
    ["--codec", "snappy"],
    ["--codec", "gzip"],
    ["--codec", "none"],
    ["--codec", "zstd", "--page-version", "2"],
    ["--codec", "snappy", "--no-dictionary"],
    ["--codec", "zstd", "--row-group-bytes", "20000", "--page-bytes", "2000"],
], ids=lambda o: "-".join(x.strip("-") for x in o))
def test_floe_writes_pyarrow_and_duckdb_read(floe, tmp_path, schema_file, duckdb_con, options):
    rows = EXTREME_ROWS + generated_rows(3000)
    out = floe_write(floe, tmp_path, schema_file, rows, *options)

    # The reference: floe's own rendering of its input, through floe cat.
    expected = floe_rows(floe.run("parquet", "cat", out).stdout)
    assert len(expected) == len(rows)
    assert floe_rows(floe.run("parquet", "cat", out, "--batch-rows", "100").stdout) == expected
    table = pq.read_table(out)
    assert arrow_rows(table) == expected

    # Field ids reach pyarrow on every field.
    assert table.schema.field("id").metadata[b"PARQUET:field_id"] == b"1"
    assert table.schema.field("tags").type.value_field.metadata[b"PARQUET:field_id"] == b"20"

    if "--row-group-bytes" in options:
        assert pq.ParquetFile(out).metadata.num_row_groups > 1

    # DuckDB reads the same rows, every column cell by cell through Arrow. DuckDB
    # has no nanosecond TIMESTAMP WITH TIME ZONE (its TIMESTAMPTZ is in
    # microseconds), so tstzns is left out of its comparison.
    duck = duckdb_con.execute(f"SELECT * EXCLUDE (tstzns) FROM read_parquet('{out}')").arrow()
    if hasattr(duck, "read_all"):
        duck = duck.read_all()
    assert arrow_rows(duck) == [{k: v for k, v in r.items() if k != "tstzns"} for r in expected]


def test_statistics_match_pyarrow(floe, tmp_path, schema_file):
    rows = EXTREME_ROWS + generated_rows(500)
    out = floe_write(floe, tmp_path, schema_file, rows)
    table = pq.read_table(out)
    meta = pq.ParquetFile(out).metadata.row_group(0)
    for i in range(meta.num_columns):
        column = meta.column(i)
        stats = column.statistics
        path = column.path_in_schema
        if "." in path or path in ("tsns", "tstzns"):
            # Nested leaves are covered cell by cell above; pyarrow cannot turn
            # nanosecond statistics into Python values without pandas.
            continue
        values = [v for v in table.column(path).to_pylist()]
        present = [v for v in values if v is not None and not (isinstance(v, float) and v != v)]
        assert stats.null_count == values.count(None), path
        if not present:
            assert not stats.has_min_max, path
            continue
        assert stats.has_min_max, path
        if isinstance(present[0], uuid.UUID):
            present = [v.bytes for v in present]
        if path in ("f32", "f64") and min(present) == 0:
            assert str(stats.min).startswith("-0"), (path, stats.min)
        assert stats.min == min(present), path
        assert stats.max == max(present), path


def test_empty_file(floe, tmp_path, schema_file, duckdb_con):
    out = floe_write(floe, tmp_path, schema_file, [])
    table = pq.read_table(out)
    assert table.num_rows == 0
    assert duckdb_con.execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchone() == (0,)
    assert table.schema.names == [f["name"] for f in SCHEMA["fields"]]
    assert floe.run("parquet", "cat", out).stdout == ""


# --- others write, floe reads ------------------------------------------------------

def arrow_table(n: int = 2000) -> pa.Table:
    ts = [dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(seconds=i, microseconds=i) if i % 5 else None
          for i in range(n)]
    return pa.table({
        "id": pa.array(range(n), pa.int64()),
        "small": pa.array([i % 100 if i % 9 else None for i in range(n)], pa.int32()),
        "f32": pa.array([i / 3 for i in range(n)], pa.float32()),
        "f64": pa.array([float("nan") if i == 7 else i * 0.1 for i in range(n)], pa.float64()),
        "flag": pa.array([i % 2 == 0 for i in range(n)], pa.bool_()),
        "name": pa.array([f"name-{i % 37}" if i % 4 else None for i in range(n)], pa.string()),
        "blob": pa.array([bytes([i % 256, 0]) for i in range(n)], pa.binary()),
        "dec": pa.array([decimal.Decimal(i) / 100 for i in range(n)], pa.decimal128(12, 2)),
        "day": pa.array([dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(n)], pa.date32()),
        "ts": pa.array(ts, pa.timestamp("us", tz="UTC")),
        "tags": pa.array([[f"t{j}" for j in range(i % 3)] if i % 10 else None for i in range(n)],
                         pa.list_(pa.string())),
        "kv": pa.array([[("a", i), ("b", None)] if i % 6 else None for i in range(n)],
                       pa.map_(pa.string(), pa.int64())),
        "nested": pa.array([{"x": i, "ys": [i, None]} if i % 8 else None for i in range(n)],
                           pa.struct([("x", pa.int32()), ("ys", pa.list_(pa.int64()))])),
    })


def check_floe_reads(floe, path, table):
    expected = arrow_rows(table)
    # Whole row groups per batch (buffers handed over) and small batches
    # (values copied across batch boundaries) take different paths.
    assert floe_rows(floe.run("parquet", "cat", path).stdout) == expected
    assert floe_rows(floe.run("parquet", "cat", path, "--batch-rows", "333").stdout) == expected


@pytest.mark.parametrize("kwargs", [
    {},
    {"use_dictionary": False},
    {"compression": "snappy"}, {"compression": "gzip"}, {"compression": "zstd"},
    {"compression": "lz4"}, {"compression": "brotli"}, {"compression": "none"},
    {"data_page_version": "2.0"},
    {"data_page_version": "2.0", "use_dictionary": False, "compression": "zstd"},
    {"use_dictionary": False, "use_byte_stream_split": ["f32", "f64", "small", "id"]},
    {"use_dictionary": False, "column_encoding": {"id": "DELTA_BINARY_PACKED", "small": "DELTA_BINARY_PACKED",
                                                  "name": "DELTA_LENGTH_BYTE_ARRAY", "blob": "DELTA_BYTE_ARRAY"}},
    {"row_group_size": 300, "data_page_size": 512},
], ids=lambda k: json.dumps(k, sort_keys=True).replace(" ", "") or "defaults")
def test_pyarrow_writes_floe_reads(floe, tmp_path, kwargs):
    table = arrow_table()
    path = tmp_path / "arrow.parquet"
    pq.write_table(table, path, **kwargs)
    check_floe_reads(floe, path, table)


def test_int96_timestamps(floe, tmp_path):
    table = pa.table({"ts": pa.array([dt.datetime(2020, 5, 17, 1, 2, 3, 456789), None,
                                      dt.datetime(1900, 1, 1)], pa.timestamp("ns"))})
    path = tmp_path / "int96.parquet"
    pq.write_table(table, path, use_deprecated_int96_timestamps=True)
    assert pq.ParquetFile(path).schema.column(0).physical_type == "INT96"
    got = floe_rows(floe.run("parquet", "cat", path).stdout)
    # INT96 carries no zone; floe reads it as a UTC instant in nanoseconds.
    assert [r["ts"] for r in got] == ["2020-05-17T01:02:03.456789000Z", None, "1900-01-01T00:00:00.000000000Z"]


@pytest.mark.parametrize("version", ["V1", "V2"])
def test_duckdb_writes_floe_reads(floe, tmp_path, duckdb_con, version):
    path = tmp_path / "duck.parquet"
    duckdb_con.execute(f"""
        COPY (SELECT i AS id, 'site-' || (i % 17) AS site, i * 0.5 AS value,
                     CASE WHEN i % 3 = 0 THEN NULL ELSE i::INTEGER END AS maybe,
                     DATE '2026-01-01' + (i % 300)::INTEGER AS day,
                     [i, i + 1] AS pair, {{'a': i, 'b': 'x' || i}} AS obj,
                     (i / 7)::DECIMAL(10, 3) AS dec
              FROM range(5000) t(i))
        TO '{path}' (FORMAT parquet, PARQUET_VERSION {version})""")
    check_floe_reads(floe, path, pq.read_table(path))


# --- hostile input -------------------------------------------------------------------

def test_corrupt_files_fail_cleanly(floe, tmp_path, schema_file):
    good = floe_write(floe, tmp_path, schema_file, EXTREME_ROWS + generated_rows(200)).read_bytes()
    footer_len = int.from_bytes(good[-8:-4], "little")
    footer_start = len(good) - 8 - footer_len
    variants = {
        "empty": b"",
        "magic only": b"PAR1",
        "no tail magic": good[:-4] + b"XXXX",
        "no head magic": b"XXXX" + good[4:],
        "truncated half": good[: len(good) // 2],
        "truncated by one": good[:-1],
        "footer length huge": good[:-8] + (2**31).to_bytes(4, "little") + b"PAR1",
        "footer length zero": good[:-8] + (0).to_bytes(4, "little") + b"PAR1",
        "footer length short": good[:-8] + (footer_len - 5).to_bytes(4, "little") + b"PAR1",
        "footer garbage": good[:footer_start] + bytes([0xFF] * footer_len) + good[-8:],
        "footer zeros": good[:footer_start] + bytes(footer_len) + good[-8:],
        "pages zeroed": b"PAR1" + bytes(footer_start - 4) + good[footer_start:],
        "pages garbage": b"PAR1" + bytes([0x5A]) * (footer_start - 4) + good[footer_start:],
    }
    # Flip bytes across the footer: each must fail or read, never crash.
    for k in range(0, footer_len, max(1, footer_len // 12)):
        mutated = bytearray(good)
        mutated[footer_start + k] ^= 0xA5
        variants[f"footer byte {k} flipped"] = bytes(mutated)
    for k in range(8, footer_start, max(1, footer_start // 12)):
        mutated = bytearray(good)
        mutated[k] ^= 0xFF
        variants[f"page byte {k} flipped"] = bytes(mutated)

    must_fail = {"empty", "magic only", "no tail magic", "no head magic", "truncated half",
                 "truncated by one", "footer length huge", "footer length zero",
                 "footer length short", "footer garbage", "footer zeros", "pages zeroed",
                 "pages garbage"}
    assert len(must_fail) >= 13
    failures = 0
    for name, data in variants.items():
        path = tmp_path / "bad.parquet"
        path.write_bytes(data)
        result = floe.run("parquet", "cat", path, check=False, timeout=30)
        assert result.returncode in (0, 1), f"{name}: exit {result.returncode}\n{result.stderr}"
        if result.returncode != 0:
            failures += 1
            assert result.stderr.startswith("floe: error: "), f"{name}: {result.stderr}"
            assert str(path) in result.stderr, f"{name}: error does not name the file: {result.stderr}"
        else:
            assert name not in must_fail, f"{name} was accepted"
    assert failures >= 20


# --- predicates: row-group skipping by statistics, row filtering -----------------------

@pytest.mark.parametrize("where,arrow_filter", [
    ("id >= 1500", lambda t: pc.greater_equal(t["id"], 1500)),
    ("id < 100", lambda t: pc.less(t["id"], 100)),
    ("id = 777", lambda t: pc.equal(t["id"], 777)),
    ("day <= '2020-02-01'", lambda t: pc.less_equal(t["day"], pa.scalar(dt.date(2020, 2, 1)))),
    ("name = 'name-3'", lambda t: pc.equal(t["name"], "name-3")),
    ("small IS NULL", lambda t: pc.is_null(t["small"])),
    ("f64 > 150.5", lambda t: pc.greater(t["f64"], 150.5)),
    ("dec != 0.50", lambda t: pc.not_equal(t["dec"], pa.scalar(decimal.Decimal("0.50"), pa.decimal128(12, 2)))),
])
def test_where_matches_pyarrow_and_skips_row_groups(floe, tmp_path, where, arrow_filter):
    table = arrow_table()  # ids ascending, so id bounds differ per row group
    path = tmp_path / "sorted.parquet"
    pq.write_table(table, path, row_group_size=250)
    result = floe.run("parquet", "cat", path, "--where", where)
    expected = arrow_rows(table.filter(pc.fill_null(arrow_filter(table), False)))
    assert floe_rows(result.stdout) == expected
    skipped, total = map(int, result.stderr.split("skipped ")[1].split(" row groups")[0].split(" of "))
    assert total == 8, result.stderr
    if where.startswith("id"):
        assert skipped >= 5, result.stderr  # at most 2 of the 8 row groups can hold matches


def test_where_with_columns_and_bad_predicates(floe, tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(arrow_table(100), path)
    out = floe_rows(floe.run("parquet", "cat", path, "--columns", "name", "--where", "id = 5").stdout)
    assert out == [{"name": "name-5"}]
    # Projection by field id, on a file that carries ids.
    with_ids = tmp_path / "ids.parquet"
    fields = [f.with_metadata({b"PARQUET:field_id": str(100 + i).encode()}) for i, f in enumerate(arrow_table(3).schema)]
    pq.write_table(arrow_table(3).cast(pa.schema(fields)), with_ids)
    out = floe_rows(floe.run("parquet", "cat", with_ids, "--field-ids", "105,100").stdout)
    assert out == [{"name": None, "id": 0}, {"name": "name-1", "id": 1}, {"name": "name-2", "id": 2}]
    assert "no top-level field with id 7" in floe.fails("parquet", "cat", with_ids, "--field-ids", "7").stderr
    assert "no comparison operator" in floe.fails("parquet", "cat", path, "--where", "id 5").stderr
    assert "no column named 'nope'" in floe.fails("parquet", "cat", path, "--where", "nope = 1").stderr
    assert "expected long" in floe.fails("parquet", "cat", path, "--where", "id = 'x'").stderr


def test_trailing_nulls_across_batches(floe, tmp_path):
    # Values only in the first rows of a row group, nulls after: batches after
    # the first must still find the chunk's values (a hand-over shortcut once
    # gave these up).
    n = 100_000
    table = pa.table({
        "id": pa.array(range(n), pa.int64()),
        "v": pa.array([i if i < 70_000 else None for i in range(n)], pa.int64()),
        "s": pa.array([f"s{i}" if i < 30_000 else None for i in range(n)], pa.string()),
    })
    path = tmp_path / "trailing.parquet"
    pq.write_table(table, path, row_group_size=n)
    expected = arrow_rows(table)
    for batch_rows in ("65536", "100000", "7"):
        got = floe_rows(floe.run("parquet", "cat", path, "--batch-rows", batch_rows).stdout)
        assert got == expected, batch_rows


def test_csv_columns_matched_by_header(floe, tmp_path, schema_file):
    src = tmp_path / "in.csv"
    src.write_text('text,id,day,tags\n"a,b",1,2026-01-02,"[""x"", null]"\n,2,,\n"",3,,[]\n"two\nlines ""q""",4,,\n')
    out = tmp_path / "csv.parquet"
    floe.run("parquet", "write", src, out, "--schema", schema_file)
    rows = pq.read_table(out, columns=["id", "text", "day", "tags", "f64"]).to_pylist()
    assert rows == [
        {"id": 1, "text": "a,b", "day": dt.date(2026, 1, 2), "tags": ["x", None], "f64": None},
        {"id": 2, "text": None, "day": None, "tags": None, "f64": None},
        {"id": 3, "text": "", "day": None, "tags": [], "f64": None},
        {"id": 4, "text": 'two\nlines "q"', "day": None, "tags": None, "f64": None},
    ]
    # floe's own CSV output reads back the same.
    again = tmp_path / "again.csv"
    again.write_text(floe.run("parquet", "cat", out, "--format", "csv").stdout)
    out2 = tmp_path / "again.parquet"
    floe.run("parquet", "write", again, out2, "--schema", schema_file)
    assert pq.read_table(out2).equals(pq.read_table(out))
    bad = tmp_path / "bad.csv"
    bad.write_text("id,nope\n1,2\n")
    assert "schema does not have" in floe.fails("parquet", "write", bad, out, "--schema", schema_file).stderr
