"""DuckDB's iceberg extension loads without network and reads a real Iceberg table.

The table is written by PyIceberg (a SQLite-backed catalog on local files), so
this checks the harness end to end with two independent implementations.
"""

import datetime as dt

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog


def test_iceberg_extension_is_loaded_offline(duckdb_con):
    loaded = dict(duckdb_con.execute(
        "SELECT extension_name, loaded FROM duckdb_extensions() "
        "WHERE extension_name IN ('iceberg', 'avro', 'httpfs')").fetchall())
    assert loaded == {"iceberg": True, "avro": True, "httpfs": True}


def test_duckdb_iceberg_scan_reads_a_pyiceberg_table(duckdb_con, tmp_path):
    catalog = SqlCatalog("harness", uri=f"sqlite:///{tmp_path}/catalog.db",
                         warehouse=f"file://{tmp_path}/warehouse")
    catalog.create_namespace("edc")
    rows = pa.table({
        "audit_id": pa.array(range(1, 101), pa.int64()),
        "site_id": pa.array([f"S{i % 7:02d}" for i in range(100)]),
        "audit_ts": pa.array([dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
                              + dt.timedelta(minutes=i) for i in range(100)],
                             pa.timestamp("us", tz="UTC")),
    })
    table = catalog.create_table("edc.audit_events", schema=rows.schema)
    table.append(rows)
    table.append(rows.slice(0, 10))

    metadata = table.metadata_location.removeprefix("file://")
    count, sites, max_id = duckdb_con.execute(
        "SELECT count(*), count(DISTINCT site_id), max(audit_id) FROM iceberg_scan(?)",
        [metadata]).fetchone()
    assert (count, sites, max_id) == (110, 7, 100)

    per_site = dict(duckdb_con.execute(
        "SELECT site_id, count(*) FROM iceberg_scan(?) GROUP BY site_id", [metadata]).fetchall())
    expected = {}
    for i in list(range(100)) + list(range(10)):
        expected[f"S{i % 7:02d}"] = expected.get(f"S{i % 7:02d}", 0) + 1
    assert per_site == expected
