"""Writes the seed corpus for fuzz/parquet_reader_fuzzer: small, diverse Parquet files.

    .venv/bin/python fuzz/make_corpus.py OUT_DIR [--floe build/floe]

Seeds come from pyarrow (every codec, dictionary on / off, data page v1 / v2,
BYTE_STREAM_SPLIT, the DELTA_* encodings, nested lists / maps / structs,
INT96), DuckDB, and floe's own writer (every codec and page option). Each is a
few KB, so the fuzzer mutates structure rather than bulk. Deterministic; the
corpus is generated at test time, never committed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import json
import pathlib
import subprocess
import sys
import tempfile

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

UTC = dt.timezone.utc
ROWS = 24  # small: a few KB per file


def flat_table(n: int = ROWS) -> pa.Table:
    return pa.table({
        "id": pa.array(range(n), pa.int64()),
        "small": pa.array([i % 5 if i % 4 else None for i in range(n)], pa.int32()),
        "f32": pa.array([i / 3 for i in range(n)], pa.float32()),
        "f64": pa.array([float("nan") if i == 3 else i * 0.1 for i in range(n)], pa.float64()),
        "flag": pa.array([i % 2 == 0 if i % 5 else None for i in range(n)], pa.bool_()),
        "name": pa.array([f"n{i % 7}" if i % 4 else None for i in range(n)], pa.string()),
        "blob": pa.array([bytes([i % 256, 0]) for i in range(n)], pa.binary()),
        "fix": pa.array([bytes([i, i, i]) for i in range(n)], pa.binary(3)),
        "dec": pa.array([decimal.Decimal(i) / 100 for i in range(n)], pa.decimal128(12, 2)),
        "dec38": pa.array([decimal.Decimal(i * 10**20) for i in range(n)], pa.decimal128(38, 0)),
        "day": pa.array([dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(n)], pa.date32()),
        "tod": pa.array([dt.time(i % 24, i % 60) for i in range(n)], pa.time64("us")),
        "ts": pa.array([dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(seconds=i) if i % 5 else None
                        for i in range(n)], pa.timestamp("us", tz="UTC")),
        "tsms": pa.array([dt.datetime(2026, 1, 1) + dt.timedelta(milliseconds=i) for i in range(n)],
                         pa.timestamp("ms")),
        "u32": pa.array(range(n), pa.uint32()),
    })


def nested_table(n: int = ROWS) -> pa.Table:
    return pa.table({
        "id": pa.array(range(n), pa.int64()),
        "tags": pa.array([[f"t{j}" for j in range(i % 3)] if i % 5 else None for i in range(n)],
                         pa.list_(pa.string())),
        "kv": pa.array([[("a", i), ("b", None)] if i % 6 else None for i in range(n)],
                       pa.map_(pa.string(), pa.int64())),
        "nested": pa.array([{"x": i, "ys": [i, None]} if i % 4 else None for i in range(n)],
                           pa.struct([("x", pa.int32()), ("ys", pa.list_(pa.int64()))])),
        "grid": pa.array([[[i, None], [], None] if i % 3 else [] for i in range(n)],
                         pa.list_(pa.list_(pa.int32()))),
        "recs": pa.array([[{"k": f"k{i}", "v": [1.5, None]}] if i % 2 else None for i in range(n)],
                         pa.list_(pa.struct([("k", pa.string()), ("v", pa.list_(pa.float64()))]))),
    })


def pyarrow_seeds(out: pathlib.Path) -> None:
    flat, nested = flat_table(), nested_table()
    for codec in ["none", "snappy", "gzip", "zstd", "lz4", "brotli"]:
        for version in ["1.0", "2.0"]:
            for dictionary in [True, False]:
                name = f"pa-{codec}-v{version[0]}-{'dict' if dictionary else 'plain'}"
                kwargs = dict(compression=codec, data_page_version=version,
                              use_dictionary=dictionary)
                pq.write_table(flat, out / f"{name}-flat.parquet", **kwargs)
                pq.write_table(nested, out / f"{name}-nested.parquet", **kwargs)
    pq.write_table(flat, out / "pa-byte-stream-split.parquet", use_dictionary=False,
                   use_byte_stream_split=["f32", "f64", "small", "id", "fix", "day"])
    delta = {"id": "DELTA_BINARY_PACKED", "small": "DELTA_BINARY_PACKED",
             "day": "DELTA_BINARY_PACKED", "name": "DELTA_LENGTH_BYTE_ARRAY",
             "blob": "DELTA_BYTE_ARRAY", "fix": "DELTA_BYTE_ARRAY"}
    for version in ["1.0", "2.0"]:
        pq.write_table(flat, out / f"pa-delta-v{version[0]}.parquet", use_dictionary=False,
                       column_encoding=delta, data_page_version=version)
    pq.write_table(nested, out / "pa-nested-delta.parquet", use_dictionary=False,
                   column_encoding={"id": "DELTA_BINARY_PACKED", "tags": "DELTA_BYTE_ARRAY"})
    pq.write_table(flat, out / "pa-boolean-rle.parquet", use_dictionary=False,
                   column_encoding={"flag": "RLE"}, data_page_version="2.0")
    pq.write_table(flat.select(["id", "small", "flag", "name"]), out / "pa-small-pages.parquet",
                   row_group_size=7, data_page_size=64,
                   write_batch_size=5)
    pq.write_table(flat.slice(0, 0), out / "pa-empty.parquet")
    int96 = pa.table({"ts": pa.array([dt.datetime(2020, 5, 17, 1, 2, 3, 456789), None,
                                      dt.datetime(1900, 1, 1)], pa.timestamp("ns"))})
    pq.write_table(int96, out / "pa-int96.parquet", use_deprecated_int96_timestamps=True)
    pq.write_table(int96, out / "pa-timestamp-ns.parquet")
    pq.write_table(pa.table({"s": pa.array(["x" * 40] * 3 + ["y"], pa.large_string())}),
                   out / "pa-large-string.parquet", store_schema=False)


def duckdb_seeds(out: pathlib.Path) -> None:
    con = duckdb.connect()
    for version in ["V1", "V2"]:
        path = out / f"duckdb-{version.lower()}.parquet"
        con.execute(f"""
            COPY (SELECT i AS id, 'site-' || (i % 5) AS site, i * 0.5 AS value,
                         CASE WHEN i % 3 = 0 THEN NULL ELSE i::INTEGER END AS maybe,
                         DATE '2026-01-01' + (i % 300)::INTEGER AS day,
                         [i, i + 1] AS pair, {{'a': i, 'b': 'x' || i}} AS obj,
                         MAP {{'k': i}} AS m, (i / 7)::DECIMAL(10, 3) AS dec,
                         uuid() IS NULL AS flag
                  FROM range({ROWS}) t(i))
            TO '{path}' (FORMAT parquet, PARQUET_VERSION {version})""")


FLOE_SCHEMA = {"type": "struct", "fields": [
    {"id": 1, "name": "id", "required": True, "type": "long"},
    {"id": 2, "name": "flag", "required": False, "type": "boolean"},
    {"id": 3, "name": "i32", "required": False, "type": "int"},
    {"id": 4, "name": "f32", "required": False, "type": "float"},
    {"id": 5, "name": "f64", "required": False, "type": "double"},
    {"id": 6, "name": "dec9", "required": False, "type": "decimal(9,2)"},
    {"id": 7, "name": "dec38", "required": False, "type": "decimal(38,10)"},
    {"id": 8, "name": "day", "required": False, "type": "date"},
    {"id": 9, "name": "tod", "required": False, "type": "time"},
    {"id": 10, "name": "tstz", "required": False, "type": "timestamptz"},
    {"id": 11, "name": "tsns", "required": False, "type": "timestamp_ns"},
    {"id": 12, "name": "text", "required": False, "type": "string"},
    {"id": 13, "name": "blob", "required": False, "type": "binary"},
    {"id": 14, "name": "fix", "required": False, "type": "fixed[3]"},
    {"id": 15, "name": "uid", "required": False, "type": "uuid"},
    {"id": 16, "name": "tags", "required": False, "type": {
        "type": "list", "element-id": 17, "element": "string", "element-required": False}},
    {"id": 18, "name": "attrs", "required": False, "type": {
        "type": "map", "key-id": 19, "key": "string", "value-id": 20, "value": "double",
        "value-required": False}},
    {"id": 21, "name": "site", "required": False, "type": {"type": "struct", "fields": [
        {"id": 22, "name": "code", "required": True, "type": "string"},
        {"id": 23, "name": "visits", "required": False, "type": {
            "type": "list", "element-id": 24, "element-required": True, "element": {
                "type": "struct", "fields": [
                    {"id": 25, "name": "n", "required": True, "type": "int"},
                    {"id": 26, "name": "at", "required": False, "type": "timestamptz"}]}}}]}},
    {"id": 27, "name": "grid", "required": False, "type": {
        "type": "list", "element-id": 28, "element-required": False, "element": {
            "type": "list", "element-id": 29, "element": "long", "element-required": False}}},
]}


def floe_rows(n: int = ROWS) -> list[dict]:
    rows = [{"id": 0}]  # everything optional null
    for i in range(1, n):
        rows.append({
            "id": i * 7919 - 10**12, "flag": i % 3 == 0 if i % 7 else None, "i32": i * 37 - 500,
            "f32": i / 8, "f64": "NaN" if i == 5 else i * 1.25, "dec9": f"{i}.{i % 100:02d}",
            "dec38": f"-{i * 1000003}.{i % 7:010d}", "day": f"2026-01-{1 + i % 28:02d}",
            "tod": f"{i % 24:02d}:{i % 60:02d}:00.000001", "tstz": f"2026-02-01T00:{i % 60:02d}:00.000000Z",
            "tsns": f"2026-03-01T00:00:00.{i:09d}", "text": f"site-{i % 5}" if i % 4 else None,
            "blob": "AQID", "fix": "AQID", "uid": f"00000000-0000-0000-0000-{i:012d}",
            "tags": [f"t{i % 5}", None][: i % 3], "attrs": [{"key": f"k{j}", "value": j * 0.5} for j in range(i % 3)],
            "site": {"code": f"S{i % 9}", "visits": [{"n": j, "at": None} for j in range(i % 2)]}
            if i % 5 else None,
            "grid": [[i, None], [], None] if i % 2 else [],
        })
    return rows


def floe_seeds(out: pathlib.Path, floe: pathlib.Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        schema, rows = tmp / "schema.json", tmp / "rows.jsonl"
        schema.write_text(json.dumps(FLOE_SCHEMA))
        rows.write_text("".join(json.dumps(r) + "\n" for r in floe_rows()))
        variants = {f"floe-{codec}": ["--codec", codec]
                    for codec in ["none", "snappy", "gzip", "zstd", "lz4_raw", "brotli"]}
        variants.update({
            "floe-v2": ["--page-version", "2"],
            "floe-v2-zstd-plain": ["--page-version", "2", "--codec", "zstd", "--no-dictionary"],
            "floe-plain": ["--no-dictionary", "--codec", "none"],
            "floe-small-pages": ["--page-bytes", "200", "--row-group-bytes", "1500", "--codec", "none"],
        })
        for name, options in variants.items():
            subprocess.run([str(floe), "parquet", "write", str(rows), str(out / f"{name}.parquet"),
                            "--schema", str(schema), *options], check=True, stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--floe", type=pathlib.Path, default=pathlib.Path("build/floe"),
                        help="floe binary for the floe-written seeds")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pyarrow_seeds(args.out)
    duckdb_seeds(args.out)
    floe_seeds(args.out, args.floe)
    sizes = [p.stat().st_size for p in args.out.glob("*.parquet")]
    print(f"make_corpus: {len(sizes)} seeds in {args.out}, largest {max(sizes)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
