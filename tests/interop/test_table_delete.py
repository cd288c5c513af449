"""`floe table delete --where` judged by PyIceberg 0.10, DuckDB 1.5 and Spark 4.1 (Iceberg 1.11):
floe writes the deletes (position-delete Parquet files on v2 tables, deletion vectors in Puffin files
on v3, whole data files removed where every live row matches) and each engine reads exactly floe's
rows, and the Python model's, at every snapshot of rounds of deletes interleaved with appends.

The v2 table is changed through floe's SQLite catalog directly, the v3 one through `floe server`'s
REST API (`--catalog http://...`), so both commit paths are covered. The engines all read through
the server.
"""

from __future__ import annotations

import gc
import json
import pathlib

import pyarrow as pa
import pytest
from harness import duck
from harness import spark as spark_harness
from harness.floe import FloeRunner
from harness.floe_server import FloeServer
from harness.floe_text import arrow_rows, floe_rows
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import DoubleType, IntegerType, LongType, NestedField, StringType

pytestmark = pytest.mark.timeout(300)

SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "site", StringType(), required=False),
    NestedField(3, "hr", IntegerType(), required=False),
    NestedField(4, "temp", DoubleType(), required=False),
)
BY_SITE = PartitionSpec(PartitionField(2, 1000, IdentityTransform(), "site"))


def readings(ids) -> list[dict]:
    return [{"id": i, "site": f"S{i % 3}", "hr": 60 + i % 40, "temp": 36.0 + (i % 10) / 4} for i in ids]


def rendered(table: pa.Table) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in arrow_rows(table))


def model(rows: list[dict]) -> list[str]:
    return rendered(pa.Table.from_pylist(rows, schema=SCHEMA.as_arrow()))


@pytest.fixture
def catalog(floe_server):
    c = RestCatalog("floe", uri=floe_server.uri)
    try:
        yield c
    finally:
        c.close()
        gc.collect()


@pytest.fixture
def lake(floe_server, tmp_path_factory):
    con = duck.connect(tmp_path_factory.mktemp("duckdb-extensions"))
    con.execute(f"ATTACH 'warehouse' AS lake (TYPE iceberg, ENDPOINT '{floe_server.uri}', AUTHORIZATION_TYPE 'none')")
    try:
        yield con
    finally:
        con.close()


# Rounds of changes: an append of ids, or a delete by a filter with its Python twin.
ROUNDS = [
    ("append", range(0, 60)),
    ("delete", "hr >= 90", lambda r: r["hr"] >= 90),
    ("delete", "id = 7 OR id = 8", lambda r: r["id"] in (7, 8)),
    ("append", range(60, 90)),
    ("delete", "site = 'S1' AND id < 70", lambda r: r["site"] == "S1" and r["id"] < 70),
    ("delete", "id = 12", lambda r: r["id"] == 12),  # v3: merged into the file's vector
    ("delete", "site = 'S2'", lambda r: r["site"] == "S2"),  # whole files removed
    ("append", range(90, 100)),
    ("delete", "temp > 37.5 AND id >= 60", lambda r: r["temp"] > 37.5 and r["id"] >= 60),
]


@pytest.mark.parametrize("format_version", [2, 3])
def test_floe_deletes_read_alike_everywhere(floe_server, catalog, lake, floe, spark, tmp_path, format_version):
    catalog.create_namespace("clinic")
    catalog.create_table("clinic.vitals", schema=SCHEMA, partition_spec=BY_SITE,
                         properties={"format-version": str(format_version)})
    via = floe_server.catalog_args if format_version == 2 else ["--catalog", floe_server.uri]
    rows: list[dict] = []
    states = []  # (snapshot id, rows then)
    for n, step in enumerate(ROUNDS):
        if step[0] == "append":
            batch = readings(step[1])
            path = tmp_path / f"batch-{n}.jsonl"
            path.write_text("".join(json.dumps(r) + "\n" for r in batch))
            floe.run("table", "append", "clinic.vitals", str(path), *via)
            rows += batch
        else:
            _, where, matches = step
            gone = [r for r in rows if matches(r)]
            result = floe.run("table", "delete", "clinic.vitals", "--where", where, *via)
            assert f"deleted {len(gone)} rows as snapshot" in result.stderr, result.stderr
            rows = [r for r in rows if not matches(r)]
        table = catalog.load_table("clinic.vitals")
        states.append((table.current_snapshot().snapshot_id, list(rows)))

    table = catalog.load_table("clinic.vitals")
    assert [s.summary.operation.value for s in table.snapshots()] == \
        ["append" if step[0] == "append" else "delete" for step in ROUNDS]
    deletes = table.inspect.delete_files().to_pylist()
    assert deletes, "the rounds leave delete files"
    assert {(d["content"], d["file_format"]) for d in deletes} == {(1, "PARQUET" if format_version == 2 else "PUFFIN")}
    if format_version == 3:
        files = [json.loads(line) for line in floe.run("table", "files", "clinic.vitals", *via).stdout.splitlines()]
        referenced = [f["referenced_data_file"] for f in files if f["content"] == 1]
        assert len(referenced) == len(deletes) == len(set(referenced)), "one deletion vector per data file"
    # The whole-file delete removed the S2 files: no live data file of S2 is left but the last append's.
    s2_files = [f for f in table.inspect.data_files().to_pylist() if f["partition"]["site"] == "S2"]
    assert len(s2_files) == 1 and s2_files[0]["record_count"] == 3  # ids 92, 95, 98

    name = f"{spark_harness.add_rest_catalog(spark, f'deletes{format_version}', floe_server.uri)}.clinic.vitals"
    for sid, expected in states:
        want = model(expected)
        assert rendered(table.scan(snapshot_id=sid).to_arrow()) == want, ("pyiceberg", sid)
        assert rendered(lake.execute(f"SELECT * FROM lake.clinic.vitals AT (VERSION => {sid})").to_arrow_table()) \
            == want, ("duckdb", sid)
        assert rendered(spark.sql(f"SELECT * FROM {name} VERSION AS OF {sid}").toArrow()) == want, ("spark", sid)
        out = floe.run("table", "scan", "clinic.vitals", *via, "--format", "jsonl", "--snapshot", str(sid)).stdout
        assert sorted(json.dumps(r, sort_keys=True) for r in floe_rows(out)) == want, ("floe", sid)
    # Spark counts what the snapshot summary says is live.
    summary = table.current_snapshot().summary
    assert int(summary["total-records"]) - int(summary["total-position-deletes"]) == len(rows)
    assert spark.sql(f"SELECT count(*) FROM {name}").collect()[0][0] == len(rows)


def test_a_delete_that_matches_nothing_commits_nothing(floe_server, catalog, floe, tmp_path):
    catalog.create_namespace("clinic")
    catalog.create_table("clinic.vitals", schema=SCHEMA, partition_spec=BY_SITE)
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in readings(range(5))))
    floe.run("table", "append", "clinic.vitals", str(path), *floe_server.catalog_args)
    result = floe.run("table", "delete", "clinic.vitals", "--where", "id > 100", *floe_server.catalog_args)
    assert "nothing committed" in result.stderr
    assert len(catalog.load_table("clinic.vitals").snapshots()) == 1
    error = floe.fails("table", "delete", "clinic.vitals", "--where", "nope = 1", *floe_server.catalog_args).stderr
    assert "nope" in error, error
    error = floe.fails("table", "delete", "clinic.vitals", *floe_server.catalog_args).stderr
    assert "--where" in error, error
