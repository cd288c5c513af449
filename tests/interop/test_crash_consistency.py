"""Crash consistency of floe's commits, judged by PyIceberg.

floe is killed with SIGKILL at each table-file operation of a commit, before the operation or
right after it took effect (FLOE_FAULTS=OP:N:kill|kill-after, counted from the process's start),
once per operation: `floe table append` on the embedded catalog, and `floe server` under a
PyIceberg append through the REST catalog. After every kill, PyIceberg (and for the CLI, floe's
own scan too) reads the table: the
current snapshot's records all scan, every manifest list, manifest and data file of every snapshot
exists, and the table is in its old state or its new one (never between). A run that finishes
(the N-th operation never came) must have committed, which also proves the table is not wedged.
The in-process suite (tests/unit/catalog/crash_consistency_test.cc) adds power loss and errors
before and after each operation; this one proves the real process dies cleanly at each point.
"""

import json
import os
import time

import pyarrow as pa
import pytest
from harness.floe_server import FloeServer
from harness.paths import local_path
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.catalog.sql import SqlCatalog

SCHEMA = {"type": "struct", "schema-id": 0, "fields": [
    {"id": 1, "name": "id", "required": True, "type": "long"},
    {"id": 2, "name": "name", "required": False, "type": "string"},
]}
# Operation kinds of floe's FileIO that a commit uses (reads too: a kill there is a crash point).
OPERATIONS = ["open", "exists", "create", "append", "close", "write-atomically", "delete"]
MAX_PER_KIND = 300  # bounds each loop; an append makes far fewer operations of any kind


def whole_state(table) -> tuple[int | None, int]:
    """(current snapshot id, rows) after checking that everything the table reaches exists and
    that its current snapshot's rows all read."""
    for snapshot in table.snapshots():
        assert os.path.exists(local_path(snapshot.manifest_list)), snapshot.manifest_list
        for manifest in snapshot.manifests(table.io):
            assert os.path.exists(local_path(manifest.manifest_path)), manifest.manifest_path
            for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=False):
                assert os.path.exists(local_path(entry.data_file.file_path)), entry.data_file.file_path
    current = table.current_snapshot()
    rows = table.scan().to_arrow().num_rows
    if current is None:
        return None, rows
    assert int(current.summary["total-records"]) == rows, current.summary
    return current.snapshot_id, rows


def expect_old_or_new(before, after, added: int, label: str) -> bool:
    """Whether `after` is the new state; fails unless it is the old or the new one."""
    if after == before:
        return False
    assert after[0] != before[0] and after[1] == before[1] + added, \
        f"{label}: neither the old state {before} nor the new one (+{added} rows): {after}"
    return True


@pytest.mark.parametrize("fault", ["kill", "kill-after"])
def test_an_append_killed_at_any_operation_leaves_the_table_whole(floe, tmp_path, fault):
    (tmp_path / "schema.json").write_text(json.dumps(SCHEMA))
    (tmp_path / "rows.jsonl").write_text("".join(
        json.dumps({"id": i, "name": f"subject-{i}"}) + "\n" for i in range(2)))
    floe.run("namespace", "create", "lab")
    floe.run("table", "create", "lab.t", "--schema", tmp_path / "schema.json")
    floe.run("table", "append", "lab.t", tmp_path / "rows.jsonl")
    catalog = SqlCatalog("floe", uri=f"sqlite:///{tmp_path}/floe-data/catalog.db",
                         warehouse=f"file://{tmp_path}/floe-data")
    kills = {}
    for op in OPERATIONS:
        kills[op] = 0
        for n in range(1, MAX_PER_KIND + 1):
            label = f"{op}:{n}:{fault}"
            before = whole_state(catalog.load_table("lab.t"))
            run = floe.run("table", "append", "lab.t", tmp_path / "rows.jsonl", check=False,
                           env={"FLOE_FAULTS": label})
            after = whole_state(catalog.load_table("lab.t"))
            scanned = floe.run("table", "scan", "lab.t").stdout.splitlines()
            assert len(scanned) == after[1], f"{label}: floe scans {len(scanned)} rows, PyIceberg {after}"
            changed = expect_old_or_new(before, after, 2, label)
            if run.returncode == 0:
                assert changed, f"{label}: the append succeeded but the table did not change"
                break  # the append makes fewer than n operations of this kind
            assert run.returncode == -9, f"{label}: expected a kill, got {run}"
            kills[op] += 1
        else:
            pytest.fail(f"{op}: the append was still being killed after {MAX_PER_KIND} operations")
    # Every step an append takes was a crash point: reading the metadata, writing the data
    # file, its manifest and the manifest list, and the new metadata file.
    for op in ["open", "create", "append", "close", "write-atomically"]:
        assert kills[op] >= 1, kills
    assert kills["create"] >= 3 and kills["close"] >= 3, kills


@pytest.mark.timeout(600)
@pytest.mark.parametrize("fault", ["kill", "kill-after"])
def test_a_server_killed_at_any_operation_of_a_rest_append_leaves_the_table_whole(tmp_path, fault):
    warehouse = tmp_path / "warehouse"
    rows = pa.table({"id": pa.array([1, 2], pa.int64()), "name": ["a", "b"]})

    def healthy():
        return FloeServer(warehouse).start()

    server = healthy()
    try:
        c = RestCatalog("floe", uri=server.uri)
        c.create_namespace("lab")
        c.create_table("lab.t", schema=rows.schema).append(rows)
    finally:
        server.stop()
    kills = {}
    for op in ["open", "exists", "write-atomically", "delete"]:
        kills[op] = 0
        for n in range(1, MAX_PER_KIND + 1):
            label = f"{op}:{n}:{fault}"
            server = healthy()
            try:
                before = whole_state(RestCatalog("floe", uri=server.uri).load_table("lab.t"))
            finally:
                server.stop()
            server = FloeServer(warehouse, env={"FLOE_FAULTS": label}).start()
            try:
                table = RestCatalog("floe", uri=server.uri).load_table("lab.t")
                table.append(rows)
                answered = True
            except Exception:  # the server died under the load or the commit
                answered = False
            for _ in range(50):  # a killed server's exit is seen within moments
                if server.proc.poll() is not None:
                    break
                time.sleep(0.1)
            killed = server.proc.poll() == -9
            code = server.stop()
            assert killed or code == 0, f"{label}: floe server exited with {code}:\n{server.log()}"
            server = healthy()
            try:
                after = whole_state(RestCatalog("floe", uri=server.uri).load_table("lab.t"))
            finally:
                server.stop()
            changed = expect_old_or_new(before, after, 2, label)
            if not killed:
                assert answered and changed, f"{label}: the append did not land:\n{server.log()}"
                break
            kills[op] += 1
        else:
            pytest.fail(f"{op}: the server was still being killed after {MAX_PER_KIND} operations")
    # The server reads the table's metadata and writes the new metadata file.
    assert kills["open"] >= 1 and kills["write-atomically"] >= 1, kills
