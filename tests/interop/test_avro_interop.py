"""floe's Avro object container codec against fastavro, both ways, and on real
Iceberg manifests and manifest lists written by PyIceberg."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import decimal
import json
import math
import pathlib
import uuid

import fastavro
import pyarrow as pa
import pytest

CODECS = ["null", "deflate", "snappy", "zstandard"]

# Every Avro type, with the attributes Iceberg puts on its Avro schemas.
SCHEMA = {"type": "record", "name": "row", "namespace": "floe.test", "fields": [
    {"name": "id", "type": "long", "field-id": 1},
    {"name": "flag", "type": ["null", "boolean"], "default": None, "field-id": 2},
    {"name": "i32", "type": "int", "field-id": 3},
    {"name": "f32", "type": "float", "field-id": 4},
    {"name": "f64", "type": ["null", "double"], "default": None, "field-id": 5},
    {"name": "blob", "type": "bytes", "field-id": 6},
    {"name": "name", "type": ["null", "string"], "default": None, "field-id": 7,
     "doc": "a name"},
    {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]},
     "field-id": 8},
    {"name": "fix", "type": {"type": "fixed", "name": "f4", "size": 4}, "field-id": 9},
    {"name": "day", "type": {"type": "int", "logicalType": "date"}, "field-id": 10},
    {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros",
                            "adjust-to-utc": True}, "field-id": 11},
    {"name": "dec", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9,
                             "scale": 2}, "field-id": 12},
    {"name": "u", "type": {"type": "string", "logicalType": "uuid"}, "field-id": 13},
    {"name": "tags", "type": {"type": "array", "items": "string", "element-id": 15},
     "field-id": 14},
    {"name": "props", "type": {"type": "map", "values": ["null", "long"], "key-id": 17,
                               "value-id": 18}, "field-id": 16},
    {"name": "inner", "type": ["null", {"type": "record", "name": "r19", "fields": [
        {"name": "x", "type": "int", "field-id": 20},
        {"name": "again", "type": ["null", "f4"], "default": None, "field-id": 21}]}],
     "default": None, "field-id": 19},
]}

# float32 values that print the same at float and double precision.
FLOATS = [1.5, -0.0, float("nan"), float("inf"), -65504.5]


def records(n: int = 40) -> list[dict]:
    out = []
    for i in range(n):
        out.append({
            "id": i * 1_000_000_007 - 5,
            "flag": None if i % 3 == 0 else i % 2 == 0,
            "i32": -(2**31) if i == 1 else i * 7,
            "f32": FLOATS[i % len(FLOATS)],
            "f64": None if i % 4 == 0 else i / 3,
            "blob": bytes([i % 256, 0, 255]) * (i % 3),
            "name": None if i % 5 == 0 else f"n\u00e9{i}\"\\",
            "color": "GREEN" if i % 2 else "RED",
            "fix": bytes([i, i + 1, i + 2, i + 3]),
            "day": dt.date(2026, 1, 1) + dt.timedelta(days=i),
            "ts": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=i),
            "dec": decimal.Decimal(f"{i}.{i % 100:02d}").scaleb(0) * (-1 if i % 2 else 1),
            "u": str(uuid.UUID(int=i * 12345678901234567)),
            "tags": [f"t{j}" for j in range(i % 4)],
            "props": {f"k{j}": (None if j == 1 else j) for j in range(i % 3)},
            "inner": None if i % 2 else {"x": i, "again": None if i % 4 else b"abcd"},
        })
    return out


def norm(v):
    """fastavro's raw Python values in floe's JSON text form."""
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    return v


def fastavro_raw(path: pathlib.Path) -> tuple[list, dict]:
    """fastavro's records as stored (logical types not applied) and its metadata."""
    saved = dict(fastavro.read.LOGICAL_READERS)
    fastavro.read.LOGICAL_READERS.clear()
    try:
        with open(path, "rb") as f:
            reader = fastavro.reader(f)
            return [norm(r) for r in reader], reader.metadata
    finally:
        fastavro.read.LOGICAL_READERS.update(saved)


def floe_cat(floe, path) -> list:
    out = floe.run("avro", "cat", path).stdout
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("codec", CODECS)
def test_fastavro_writes_floe_reads(floe, tmp_path, codec):
    path = tmp_path / f"fa-{codec}.avro"
    with open(path, "wb") as f:
        fastavro.writer(f, fastavro.parse_schema(copy.deepcopy(SCHEMA)), records(), codec=codec,
                        metadata={"format-version": "2", "content": "data"}, sync_interval=500)
    expected, _ = fastavro_raw(path)
    assert floe_cat(floe, path) == expected
    meta = json.loads(floe.run("avro", "meta", path).stdout)
    assert meta["avro.codec"] == codec
    assert meta["format-version"] == "2" and meta["content"] == "data"
    schema = floe.run("avro", "schema", path).stdout
    for needle in ['"field-id":21', '"element-id":15', '"key-id":17', '"logicalType":"decimal"']:
        assert needle in schema


@pytest.mark.parametrize("codec", CODECS)
def test_floe_writes_fastavro_reads(floe, tmp_path, codec):
    # floe's text form of the records: fastavro's raw values, normalized.
    src = tmp_path / "src.avro"
    with open(src, "wb") as f:
        fastavro.writer(f, fastavro.parse_schema(copy.deepcopy(SCHEMA)), records())
    rows, _ = fastavro_raw(src)
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows))
    schema_file = tmp_path / "schema.avsc"
    schema_file.write_text(json.dumps(SCHEMA))
    out = tmp_path / f"floe-{codec}.avro"
    floe.run("avro", "write", jsonl, out, "--schema", schema_file, "--codec", codec,
             "--block-bytes", "300", "--meta", "format-version=2",
             "--meta", "partition-spec=[]", "--meta", "content=data")
    got, metadata = fastavro_raw(out)
    assert got == rows
    assert metadata["avro.codec"] == codec
    assert metadata["format-version"] == "2"
    assert metadata["partition-spec"] == "[]"
    assert metadata["content"] == "data"
    with open(out, "rb") as f:
        reader = fastavro.reader(f)
        # Logical types decode through fastavro as usual.
        first = next(iter(reader))
        assert first["day"] == dt.date(2026, 1, 1)
        assert first["dec"] == decimal.Decimal("0.00")
        written = json.loads(reader.metadata["avro.schema"])
        parsed = reader.writer_schema
    assert written == SCHEMA
    fields = {f["name"]: f for f in parsed["fields"]}
    assert fields["id"]["field-id"] == 1
    assert fields["tags"]["type"]["element-id"] == 15
    assert fields["props"]["type"]["key-id"] == 17
    assert fields["day"]["type"]["logicalType"] == "date"
    # And floe reads back what it wrote.
    assert floe_cat(floe, out) == rows


def test_floe_write_rejects_bad_rows(floe, tmp_path):
    schema_file = tmp_path / "schema.avsc"
    schema_file.write_text(json.dumps(SCHEMA))
    jsonl = tmp_path / "bad.jsonl"
    jsonl.write_text('{"id": "x"}\n')
    result = floe.fails("avro", "write", jsonl, tmp_path / "o.avro", "--schema", schema_file)
    assert "line 1" in result.stderr and "id" in result.stderr
    assert not (tmp_path / "o.avro").exists()
    result = floe.fails("avro", "write", jsonl, tmp_path / "o.avro", "--schema", schema_file,
                        "--codec", "bzip2")
    assert "bzip2" in result.stderr


def test_reads_pyiceberg_manifests(floe, tmp_path):
    from pyiceberg.catalog.sql import SqlCatalog

    warehouse = tmp_path / "wh"
    warehouse.mkdir()
    catalog = SqlCatalog("t", uri=f"sqlite:///{tmp_path}/cat.db",
                         warehouse=f"file://{warehouse}")
    catalog.create_namespace("db")
    data = pa.table({
        "id": pa.array([1, 2, 3], pa.int64()),
        "name": pa.array(["a", None, "c"], pa.string()),
        "day": pa.array([dt.date(2026, 1, d) for d in (1, 2, 3)], pa.date32()),
        "amount": pa.array([decimal.Decimal("1.25"), None, decimal.Decimal("-3.50")],
                           pa.decimal128(9, 2)),
    })
    table = catalog.create_table("db.t", schema=data.schema)
    table.append(data)
    table.append(data)
    avro_files = sorted((pathlib.Path(table.location().removeprefix("file://")) / "metadata")
                        .glob("*.avro"))
    lists = [p for p in avro_files if p.name.startswith("snap-")]
    manifests = [p for p in avro_files if not p.name.startswith("snap-")]
    assert lists and manifests
    for path in avro_files:
        expected, metadata = fastavro_raw(path)
        assert floe_cat(floe, path) == expected, path.name
        schema = json.loads(floe.run("avro", "schema", path).stdout)
        assert "field-id" in json.dumps(schema)
        meta = json.loads(floe.run("avro", "meta", path).stdout)
        assert meta == {k: v.decode() if isinstance(v, bytes) else v
                        for k, v in metadata.items()}
    manifest_meta = json.loads(floe.run("avro", "meta", manifests[0]).stdout)
    assert {"schema", "partition-spec", "format-version"} <= manifest_meta.keys()
