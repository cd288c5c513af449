"""The freshness judge of bench/ingest: a separate process that polls a table through the REST
catalog every 50 ms and, for each snapshot it has not seen, reads the produce time (`ts`, ms) of
every row that snapshot added, recording (time the snapshot was first seen - ts). On SIGTERM it
writes the latencies (ms) as a JSON list to OUT.

    freshness_reader.py URI NS.TABLE OUT
"""

from __future__ import annotations

import json
import signal
import sys
import time

import pyarrow.parquet as pq
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.manifest import DataFileContent, ManifestEntryStatus


def main() -> None:
    uri, table_name, out = sys.argv[1:4]
    catalog = RestCatalog("freshness", uri=uri)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    seen: set[int] = set()
    latencies: list[int] = []
    while not stopping:
        try:
            table = catalog.load_table(table_name)
        except NoSuchTableError:
            time.sleep(0.05)
            continue
        visible_ms = time.time() * 1000
        for snapshot in table.snapshots():
            if snapshot.snapshot_id in seen:
                continue
            seen.add(snapshot.snapshot_id)
            for manifest in snapshot.manifests(table.io):
                if manifest.added_snapshot_id != snapshot.snapshot_id:
                    continue
                for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=True):
                    if entry.status != ManifestEntryStatus.ADDED or entry.data_file.content != DataFileContent.DATA:
                        continue
                    path = entry.data_file.file_path.removeprefix("file://").removeprefix("file:")
                    for ts in pq.read_table(path, columns=["ts"]).column("ts").to_pylist():
                        latencies.append(int(visible_ms - ts))
        time.sleep(0.05)
    with open(out, "w") as f:
        json.dump(latencies, f)


if __name__ == "__main__":
    main()
