"""floe's lossless JSON-lines rendering, computed independently from Arrow data.

Tests compare `floe parquet cat` output (parsed with json.loads) with
`arrow_rows(table)`, which renders what pyarrow or DuckDB hold in the same form
(see the README's "JSON lines" section), so every cell is checked.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import math
import struct
import uuid

import pyarrow as pa

EPOCH = dt.datetime(1970, 1, 1)


def _timestamps_as_ints(t: pa.DataType) -> pa.DataType:
    """The same type with timestamps and times as int64, so no precision is lost on the way to Python."""
    if pa.types.is_timestamp(t) or pa.types.is_time64(t):
        return pa.int64()
    if pa.types.is_time32(t):
        return pa.int32()
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, _timestamps_as_ints(f.type), f.nullable) for f in t])
    if pa.types.is_map(t):
        return pa.map_(_timestamps_as_ints(t.key_type), _timestamps_as_ints(t.item_type))
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return pa.list_(pa.field(t.value_field.name, _timestamps_as_ints(t.value_type), t.value_field.nullable))
    return t


def _format_instant(value: int, unit: str, tz) -> str:
    per_second = {"s": 1, "ms": 1000, "us": 1_000_000, "ns": 1_000_000_000}[unit]
    digits = 9 if unit == "ns" else 6
    seconds, fraction = divmod(value, per_second)
    fraction = fraction * (10**digits // per_second)
    base = EPOCH + dt.timedelta(seconds=seconds)
    text = f"{base.year:04d}-{base.month:02d}-{base.day:02d}T{base:%H:%M:%S}.{fraction:0{digits}d}"
    return text + ("Z" if tz is not None else "")


def _format_time(value: int, unit: str) -> str:
    micros = value * {"s": 1_000_000, "ms": 1000, "us": 1, "ns": 1}[unit]
    if unit == "ns":
        micros //= 1000
    s, us = divmod(micros, 1_000_000)
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.{us:06d}"


def _shortest_float32(x: float) -> float:
    """The double nearest the shortest decimal that reads back as float32 x (what floe prints)."""
    for digits in range(1, 10):
        candidate = float(f"{x:.{digits}g}")
        if struct.unpack("<f", struct.pack("<f", candidate))[0] == x:
            return candidate
    return x


def render(value, t: pa.DataType):
    """One value as floe's JSON rendering would give it (as a Python object)."""
    if value is None:
        return None
    if pa.types.is_timestamp(t):
        return _format_instant(value, t.unit, t.tz)
    if pa.types.is_time(t):
        return _format_time(value, t.unit)
    if pa.types.is_floating(t):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if t == pa.float32():
            return ("float", repr(_shortest_float32(value)))
        return ("float", repr(float(value)))
    if pa.types.is_decimal(t):
        with decimal.localcontext() as ctx:
            ctx.prec = 80
            return format(value.quantize(decimal.Decimal(1).scaleb(-t.scale)), "f")
    if pa.types.is_date(t):
        return value.isoformat()
    if isinstance(t, pa.UuidType) or (pa.types.is_fixed_size_binary(t) and isinstance(value, uuid.UUID)):
        return str(value)
    if pa.types.is_binary(t) or pa.types.is_fixed_size_binary(t) or pa.types.is_large_binary(t):
        return base64.b64encode(value).decode()
    if pa.types.is_struct(t):
        return {f.name: render(value[f.name], f.type) for f in t}
    if pa.types.is_map(t):
        return [{"key": render(k, t.key_type), "value": render(v, t.item_type)} for k, v in value]
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return [render(v, t.value_type) for v in value]
    return value


def arrow_rows(table: pa.Table) -> list[dict]:
    """Rows of `table` rendered like floe renders them."""
    original = table.schema
    as_ints = pa.schema([pa.field(f.name, _timestamps_as_ints(f.type), f.nullable) for f in original])
    rows = table.cast(as_ints).to_pylist()
    return [{f.name: render(row[f.name], f.type) for f in original} for row in rows]


def floe_rows(jsonl: str) -> list[dict]:
    """floe's JSON lines, with floats tagged like render() tags them."""
    import json

    def tag(v):
        if isinstance(v, float):
            return ("float", repr(v))
        if isinstance(v, list):
            return [tag(x) for x in v]
        if isinstance(v, dict):
            return {k: tag(x) for k, x in v.items()}
        return v

    return [tag(json.loads(line)) for line in jsonl.splitlines() if line]
