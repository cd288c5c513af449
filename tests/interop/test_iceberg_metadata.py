"""Table metadata JSON: floe reads what PyIceberg writes and writes what PyIceberg reads back equal."""

import datetime as dt
import json
import pathlib

import pyarrow as pa
import pytest
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table.metadata import TableMetadataUtil
from pyiceberg.table.sorting import SortField, SortOrder
from pyiceberg.transforms import BucketTransform, DayTransform, IdentityTransform, TruncateTransform
from pyiceberg.types import LongType, NestedField, StringType, TimestamptzType, ListType, MapType, DoubleType


@pytest.fixture
def pyiceberg_table(tmp_path):
    catalog = SqlCatalog("t", uri=f"sqlite:///{tmp_path}/c.db", warehouse=f"file://{tmp_path}/wh")
    catalog.create_namespace("edc")
    schema = Schema(
        NestedField(1, "audit_id", LongType(), required=True),
        NestedField(2, "site_id", StringType(), required=False),
        NestedField(3, "audit_ts", TimestamptzType(), required=False),
        NestedField(4, "tags", ListType(5, StringType(), element_required=False), required=False),
        NestedField(6, "vals", MapType(7, StringType(), 8, DoubleType(), value_required=False), required=False),
        identifier_field_ids=[1],
    )
    spec = PartitionSpec(
        PartitionField(source_id=3, field_id=1000, transform=DayTransform(), name="audit_day"),
        PartitionField(source_id=1, field_id=1001, transform=BucketTransform(16), name="id_bucket"),
        PartitionField(source_id=2, field_id=1002, transform=TruncateTransform(2), name="site_trunc"),
    )
    order = SortOrder(SortField(source_id=1, transform=IdentityTransform()))
    table = catalog.create_table("edc.audit", schema=schema, partition_spec=spec, sort_order=order,
                                 properties={"owner": "floe-tests"})
    rows = pa.table({
        "audit_id": pa.array([1, 2, 3], pa.int64()),
        "site_id": ["S01", "S02", None],
        "audit_ts": pa.array([dt.datetime(2026, 1, d, tzinfo=dt.timezone.utc) for d in (1, 2, 3)],
                             pa.timestamp("us", tz="UTC")),
        "tags": pa.array([["a"], [], None], pa.list_(pa.string())),
        "vals": pa.array([[("x", 1.0)], None, []], pa.map_(pa.string(), pa.float64())),
    })
    table.append(rows.cast(table.schema().as_arrow()))
    table.append(rows.slice(0, 1).cast(table.schema().as_arrow()))
    table.manage_snapshots().create_tag(table.current_snapshot().snapshot_id, "database-lock").commit()
    return catalog.load_table("edc.audit")


def test_floe_reads_and_rewrites_pyiceberg_metadata(floe, pyiceberg_table, tmp_path):
    location = pyiceberg_table.metadata_location.removeprefix("file://")
    original = TableMetadataUtil.parse_raw(pathlib.Path(location).read_text())
    out = floe.run("metadata", location).stdout
    rewritten = TableMetadataUtil.parse_raw(out)
    assert rewritten == original
    doc = json.loads(out)
    assert doc["refs"]["database-lock"]["type"] == "tag"
    assert len(doc["snapshots"]) == 2 and doc["last-sequence-number"] == 2
    assert [f["transform"] for f in doc["partition-specs"][0]["fields"]] == ["day", "bucket[16]", "truncate[2]"]


def test_gzip_metadata_reads_like_plain(floe, pyiceberg_table, tmp_path):
    # Java writes "*.gz.metadata.json" with write.metadata.compression-codec=gzip.
    import gzip
    location = pathlib.Path(pyiceberg_table.metadata_location.removeprefix("file://"))
    packed = tmp_path / "00009-x.gz.metadata.json"
    packed.write_bytes(gzip.compress(location.read_bytes()))
    assert floe.run("metadata", packed).stdout == floe.run("metadata", location).stdout
    truncated = tmp_path / "00010-y.gz.metadata.json"
    truncated.write_bytes(packed.read_bytes()[:60])
    assert "truncated gzip metadata" in floe.fails("metadata", truncated).stderr


def test_corrupt_metadata_fails_cleanly(floe, pyiceberg_table, tmp_path):
    location = pyiceberg_table.metadata_location.removeprefix("file://")
    good = json.loads(pathlib.Path(location).read_text())
    variants = {
        "not json": "{",
        "array": "[]",
        "version 9": json.dumps({**good, "format-version": 9}),
        "no schemas": json.dumps({k: v for k, v in good.items() if k not in ("schemas",)}),
        "missing current schema": json.dumps({**good, "current-schema-id": 42}),
        "dangling ref": json.dumps({**good, "refs": {"x": {"snapshot-id": 1, "type": "tag"}}}),
        "bad transform": json.dumps({**good, "partition-specs": [{"spec-id": 0, "fields": [
            {"source-id": 1, "field-id": 1000, "name": "b", "transform": "bucket[0]"}]}]}),
        "wrong type": json.dumps({**good, "last-column-id": "eight"}),
    }
    for name, text in variants.items():
        path = tmp_path / f"{name}.json"
        path.write_text(text)
        result = floe.fails("metadata", path)
        assert result.returncode == 1 or "version" in name, (name, result.stderr)
        assert result.stderr.startswith("floe: error: "), (name, result.stderr)
        assert str(path) in result.stderr, (name, result.stderr)
