"""DuckDB connections with the iceberg extension loaded from the pinned wheels.

The duckdb-extension-* wheels carry signed extension binaries; installing them
from those files means DuckDB never reaches for the network. Autoloading is
turned off so that any attempt to fetch an extension fails instead of hanging.
"""

from __future__ import annotations

import pathlib

import duckdb
import duckdb_extensions

# iceberg needs avro (manifests) and, for remote catalogs, httpfs.
EXTENSIONS = ("avro", "httpfs", "iceberg")


def connect(extension_dir: pathlib.Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "extension_directory": str(extension_dir),
    })
    for name in EXTENSIONS:
        duckdb_extensions.import_extension(name, con=con)
        con.execute(f"LOAD {name}")
    return con
