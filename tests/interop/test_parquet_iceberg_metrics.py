"""Iceberg data-file metrics of Parquet files: `floe parquet meta --iceberg-metrics`
against PyIceberg 0.12's data_file_statistics_from_parquet_metadata, field by field.

The judge is PyIceberg in the default metrics mode truncate(16). Where floe
differs on purpose, the test says which spec rule floe follows instead.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import struct

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyiceberg.io.pyarrow import (
    compute_statistics_plan,
    data_file_statistics_from_parquet_metadata,
    parquet_path_to_id_mapping,
    pyarrow_to_schema,
)
from pyiceberg.schema import Schema
from pyiceberg.types import TimestampNanoType, TimestamptzNanoType

from test_parquet_interop import EXTREME_ROWS, SCHEMA, arrow_table, generated_rows, write_jsonl

MAPS = ("column_sizes", "value_counts", "null_value_counts", "nan_value_counts",
        "lower_bounds", "upper_bounds")
MAX_CP = "\U0010FFFF"


def floe_metrics(floe, path) -> dict:
    return json.loads(floe.run("parquet", "meta", "--iceberg-metrics", path).stdout)


def pyiceberg_metrics(path, schema: Schema) -> dict:
    """PyIceberg's metrics in floe's JSON shape (string ids, hex bounds).

    pyarrow without pandas cannot turn nanosecond statistics into Python values
    (PyIceberg raises), so those columns are asked for in `counts` mode and their
    bounds are computed here the way PyIceberg's to_bytes would (8-byte LE of the
    raw value, no truncation).
    """
    nanos = [f for f in schema.columns if isinstance(f.field_type, (TimestampNanoType, TimestamptzNanoType))]
    props = {f"write.metadata.metrics.column.{f.name}": "counts" for f in nanos}
    meta = pq.read_metadata(path)
    stats = data_file_statistics_from_parquet_metadata(
        meta, stats_columns=compute_statistics_plan(schema, props),
        parquet_column_mapping=parquet_path_to_id_mapping(schema)).to_serialized_dict()
    out = {"record_count": stats["record_count"]}
    for name in MAPS:
        out[name] = {str(k): (v.hex() if isinstance(v, bytes) else v) for k, v in stats[name].items()}
    for f in nanos:
        pos = [meta.schema.column(i).path for i in range(meta.num_columns)].index(f.name)
        lows, highs = [], []
        for g in range(meta.num_row_groups):
            st = meta.row_group(g).column(pos).statistics
            if st is not None and st.has_min_max:
                lows.append(st.min_raw)
                highs.append(st.max_raw)
        if lows:
            out["lower_bounds"][str(f.field_id)] = struct.pack("<q", min(lows)).hex()
            out["upper_bounds"][str(f.field_id)] = struct.pack("<q", max(highs)).hex()
    return out


def assert_same(got: dict, want: dict) -> None:
    assert got["record_count"] == want["record_count"]
    for name in MAPS:
        for key in sorted(set(got[name]) | set(want[name]), key=int):
            assert got[name].get(key) == want[name].get(key), f"{name}[{key}]"


def floe_file(floe, tmp_path, rows, *options, schema=SCHEMA):
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    src = tmp_path / "in.jsonl"
    write_jsonl(src, rows)
    out = tmp_path / "out.parquet"
    result = floe.run("parquet", "write", src, out, "--schema", tmp_path / "schema.json", *options)
    assert result.stdout == ""  # write prints no metrics
    return out


def text_rows(texts: list[str | None], blobs: list[str | None]) -> list[dict]:
    """Rows of SCHEMA varying only the string and binary columns."""
    return [{"id": 10_000 + i, "text": t, "blob": b} for i, (t, b) in enumerate(zip(texts, blobs))]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# Strings and binary chosen for truncate(16): long, multi-byte, U+10FFFF, 0xFF.
TEXT_CASES = {
    "ascii": (["a" * 40, "abc", "zz" + "y" * 30],
              [b64(b"\x00" * 30), b64(b"\x01\x02"), b64(b"\x7f" * 17)]),
    "multibyte": (["Grüße, 世界 🧪 " * 4, "Ä" * 17, "🧪" * 16, "🧪" * 17],
                  [b64(bytes(range(200, 240))), None, b64(b"\xfe" + b"\xff" * 20), b64(b"")]),
    # The largest value is 16+ max code points: no upper bound can exist.
    "max code point": (["a" * 20, MAX_CP * 17, MAX_CP * 16 + "x"],
                       [b64(b"\xff" * 40), b64(b"\x00"), b64(b"\xff" * 16 + b"\x00")]),
    # The 16th code point is U+10FFFF: the one before it is incremented, the
    # U+10FFFF after it kept (PyIceberg; Java would drop it).
    "carry": (["z" * 15 + MAX_CP + "tail", "z"],
              [b64(b"\x05" + b"\xff" * 15 + b"tail"), b64(b"\x05")]),
}


@pytest.mark.parametrize("options", [[], ["--row-group-bytes", "20000", "--page-bytes", "2000"],
                                     ["--page-version", "2", "--no-dictionary"]],
                         ids=["one-row-group", "many-row-groups", "v2-plain"])
def test_floe_files_match_pyiceberg(floe, tmp_path, options):
    rows = EXTREME_ROWS + generated_rows(3000) + text_rows(*TEXT_CASES["multibyte"])
    path = floe_file(floe, tmp_path, rows, *options)
    if options:
        assert pq.ParquetFile(path).metadata.num_row_groups > 1 or "--page-version" in options
    got = floe_metrics(floe, path)
    assert_same(got, pyiceberg_metrics(path, Schema.model_validate_json(json.dumps(SCHEMA))))
    assert got["file_size_in_bytes"] == path.stat().st_size
    # Sanity on the judge itself: bounds only for top-level fields, counts for all leaves.
    assert set(got["lower_bounds"]) <= {str(f["id"]) for f in SCHEMA["fields"]}
    assert {"20", "22", "23", "25", "28", "29", "32"} <= set(got["value_counts"])
    # Footers carry no NaN counts; PyIceberg records none either.
    assert got["nan_value_counts"] == {}


@pytest.mark.parametrize("case", TEXT_CASES)
def test_truncation_matches_pyiceberg(floe, tmp_path, case):
    path = floe_file(floe, tmp_path, text_rows(*TEXT_CASES[case]))
    got = floe_metrics(floe, path)
    assert_same(got, pyiceberg_metrics(path, Schema.model_validate_json(json.dumps(SCHEMA))))
    if case == "max code point":
        assert "15" not in got["upper_bounds"] and "16" not in got["upper_bounds"]
        assert bytes.fromhex(got["lower_bounds"]["16"]) == b"\x00"
    if case == "carry":
        assert bytes.fromhex(got["upper_bounds"]["15"]).decode() == "z" * 14 + "{" + MAX_CP
        assert bytes.fromhex(got["upper_bounds"]["16"]) == b"\x06" + b"\xff" * 15


def test_surrogate_step_follows_java(floe, tmp_path):
    # The 16th code point is U+D7FF. Its successor U+D800 is a surrogate, not a
    # Unicode scalar value: PyIceberg 0.12 builds it and then fails to encode it
    # as UTF-8; Java (UnicodeUtil.incrementCodePoint) steps to U+E000, as floe does.
    text = "a" * 15 + "\ud7ff" + "tail"
    path = floe_file(floe, tmp_path, text_rows([text], [None]))
    got = floe_metrics(floe, path)
    assert bytes.fromhex(got["upper_bounds"]["15"]).decode() == "a" * 15 + "\ue000"
    assert bytes.fromhex(got["lower_bounds"]["15"]).decode() == "a" * 15 + "\ud7ff"
    with pytest.raises(UnicodeEncodeError):
        pyiceberg_metrics(path, Schema.model_validate_json(json.dumps(SCHEMA)))


def test_nan_and_zero_bounds(floe, tmp_path):
    rows = [{"id": 1, "f32": "NaN", "f64": 0.0}, {"id": 2, "f32": "NaN", "f64": "NaN"},
            {"id": 3, "f64": -0.0}]
    path = floe_file(floe, tmp_path, rows)
    got = floe_metrics(floe, path)
    assert_same(got, pyiceberg_metrics(path, Schema.model_validate_json(json.dumps(SCHEMA))))
    # All NaN: no bounds. Zeros: -0.0 lower and +0.0 upper, covering both signs.
    assert "4" not in got["lower_bounds"] and got["null_value_counts"]["4"] == 1
    assert got["lower_bounds"]["5"] == struct.pack("<d", -0.0).hex()
    assert got["upper_bounds"]["5"] == struct.pack("<d", 0.0).hex()


def test_empty_file(floe, tmp_path):
    path = floe_file(floe, tmp_path, [])
    got = floe_metrics(floe, path)
    assert_same(got, pyiceberg_metrics(path, Schema.model_validate_json(json.dumps(SCHEMA))))
    assert got["record_count"] == 0 and got["column_sizes"] == {}


def test_long_values_without_statistics(floe, tmp_path):
    # floe leaves min/max out of a chunk whose values pass 4096 bytes. With one
    # row group nothing bounds the column: floe and PyIceberg agree on no bounds.
    path = floe_file(floe, tmp_path, text_rows(["x" * 5000, "a"], [b64(b"\x00" * 5000), None]))
    got = floe_metrics(floe, path)
    assert_same(got, pyiceberg_metrics(path, Schema.model_validate_json(json.dumps(SCHEMA))))
    assert "15" not in got["lower_bounds"] and "16" not in got["upper_bounds"]


def test_long_values_in_one_row_group_drop_bounds(floe, tmp_path):
    # Deliberate difference: a row group whose min/max were left out (values
    # over 4096 bytes) still holds values. PyIceberg bounds the file by the other
    # row groups, which then do not cover "zzz..." (spec: an upper bound must be
    # >= every non-null value); floe records no bounds for the column.
    rows = [{"id": i, "text": "b"} for i in range(3000)] + [{"id": 5000, "text": "z" * 5000}]
    path = floe_file(floe, tmp_path, rows, "--row-group-bytes", "8000")
    meta = pq.read_metadata(path)
    assert meta.num_row_groups > 1
    assert not meta.row_group(meta.num_row_groups - 1).column(14).statistics.has_min_max
    got = floe_metrics(floe, path)
    want = pyiceberg_metrics(path, Schema.model_validate_json(json.dumps(SCHEMA)))
    assert bytes.fromhex(want["upper_bounds"]["15"]) == b"b"  # does not cover "zzz..."
    assert "15" not in got["lower_bounds"] and "15" not in got["upper_bounds"]
    for name in ("lower_bounds", "upper_bounds"):
        want[name].pop("15")
    assert_same(got, want)


# --- files pyarrow writes ---------------------------------------------------------------

def with_field_ids(schema: pa.Schema) -> pa.Schema:
    """Numbers every field depth-first, as an Iceberg schema would."""
    next_id = [1]

    def number(field: pa.Field) -> pa.Field:
        fid = next_id[0]
        next_id[0] += 1
        t = field.type
        if pa.types.is_struct(t):
            t = pa.struct([number(t.field(i)) for i in range(t.num_fields)])
        elif pa.types.is_map(t):
            t = pa.map_(number(t.key_field), number(t.item_field))
        elif pa.types.is_list(t):
            t = pa.list_(number(t.value_field))
        return field.with_type(t).with_metadata({b"PARQUET:field_id": str(fid).encode()})

    return pa.schema([number(f) for f in schema])


def arrow_file(tmp_path, table: pa.Table, **kwargs):
    table = table.cast(with_field_ids(table.schema))
    path = tmp_path / "arrow.parquet"
    pq.write_table(table, path, **kwargs)
    return path


@pytest.mark.parametrize("kwargs", [
    {},
    {"row_group_size": 300, "data_page_size": 512},
    {"use_dictionary": False, "data_page_version": "2.0", "compression": "zstd"},
    {"store_decimal_as_integer": True},  # how PyIceberg itself writes decimals
], ids=lambda k: json.dumps(k, sort_keys=True).replace(" ", "") or "defaults")
def test_pyarrow_files_match_pyiceberg(floe, tmp_path, kwargs):
    table = arrow_table()
    extra = pa.table({
        "long_text": pa.array(["€" * 30 if i % 2 else "a" * (i % 40) for i in range(table.num_rows)]),
        "d38": pa.array([decimal.Decimal(i - 1000) / 1000 for i in range(table.num_rows)],
                        pa.decimal128(38, 3)),
        "nan_only": pa.array([float("nan")] * table.num_rows, pa.float32()),
        "tod": pa.array([dt.time(i % 24, i % 60) for i in range(table.num_rows)], pa.time64("us")),
    })
    for name in extra.column_names:
        table = table.append_column(name, extra.column(name))
    path = arrow_file(tmp_path, table, **kwargs)
    schema = pyarrow_to_schema(pq.read_schema(path))
    got = floe_metrics(floe, path)
    assert_same(got, pyiceberg_metrics(path, schema))
    nan_only = str(schema.find_field("nan_only").field_id)
    assert nan_only not in got["lower_bounds"]


def test_pyarrow_units_and_unsigned(floe, tmp_path):
    # Values floe converts on read: TIME_MILLIS and TIMESTAMP_MILLIS become
    # microseconds, UINT_32 becomes long, UINT_8 int; bounds follow.
    n = 500
    table = pa.table({
        "tms": pa.array([dt.time(i % 24, 0, 0, (i % 1000) * 1000) for i in range(n)], pa.time32("ms")),
        "tsms": pa.array([dt.datetime(1960, 1, 1) + dt.timedelta(days=i, milliseconds=i)
                          for i in range(n)], pa.timestamp("ms")),
        "u32": pa.array([4_000_000_000 - i if i % 3 else i for i in range(n)], pa.uint32()),
        "u8": pa.array([i % 256 for i in range(n)], pa.uint8()),
    })
    path = arrow_file(tmp_path, table)
    # PyIceberg has no Iceberg type for time32[ms]: take the schema floe reads
    # (time, timestamp, long, int), which is what an import would register.
    schema = Schema.model_validate_json(floe.run("parquet", "schema", path).stdout)
    got = floe_metrics(floe, path)
    assert_same(got, pyiceberg_metrics(path, schema))
    assert set(got["lower_bounds"]) == set(got["upper_bounds"]) == {"1", "2", "3", "4"}
    assert struct.unpack("<q", bytes.fromhex(got["upper_bounds"]["3"]))[0] == 4_000_000_000 - 1
    # TIME_MILLIS 23:00:00.479 as microseconds.
    assert struct.unpack("<q", bytes.fromhex(got["upper_bounds"]["1"]))[0] == 23 * 3600 * 10**6 + 479_000


def test_int96_has_counts_only(floe, tmp_path):
    # pyarrow writes no statistics for INT96; PyIceberg then keeps only column
    # sizes and value counts, as floe does (Java keeps no metrics but the size).
    table = pa.table({"ts": pa.array([dt.datetime(2020, 5, 17, 1, 2, 3), None], pa.timestamp("ns"))})
    path = arrow_file(tmp_path, table, use_deprecated_int96_timestamps=True)
    schema = Schema.model_validate_json(json.dumps({"type": "struct", "fields": [
        {"id": 1, "name": "ts", "required": False, "type": "timestamptz_ns"}]}))
    got = floe_metrics(floe, path)
    assert_same(got, pyiceberg_metrics(path, schema))
    assert got["value_counts"] == {"1": 2} and got["lower_bounds"] == {}
