"""Durability of what floe writes (issue 11, item 6), seen from the system calls of the real
binary: an LD_PRELOAD shim (shims/io_faults.c) logs every mkdir and fsync and injects faults.

- every directory floe creates for a table (metadata/, data/ and partition directories) has its
  entry synced in the directory above it, and every file a commit references has its name synced
  in its directory, so that after a power loss a durable catalog pointer never names a file whose
  directory entry is gone;
- a failed fsync of a directory fails the operation instead of being ignored;
- on a filesystem without hard links, metadata files are still created without replacing one
  (renameat2 RENAME_NOREPLACE).
"""

import json
import os
import pathlib
import shutil
import subprocess

import pytest

SHIM_SOURCE = pathlib.Path(__file__).parent / "shims" / "io_faults.c"
SCHEMA = {"type": "struct", "fields": [
    {"id": 1, "name": "id", "required": True, "type": "long"},
    {"id": 2, "name": "site", "required": False, "type": "string"}]}


@pytest.fixture(scope="module")
def shim(tmp_path_factory) -> pathlib.Path:
    cc = shutil.which("cc") or shutil.which("gcc")
    assert cc, "a C compiler (cc) is needed to build the I/O shim; run scripts/setup (build-essential)"
    out = tmp_path_factory.mktemp("shim") / "io_faults.so"
    subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", out, SHIM_SOURCE, "-ldl"], check=True)
    return out


def run(floe, shim, log, *args, check=True, **env):
    environment = {**os.environ, "LD_PRELOAD": str(shim), "FLOE_SHIM_LOG": str(log), **env}
    return subprocess.run([str(floe.binary), *map(str, args)], cwd=floe.cwd, env=environment,
                          capture_output=True, text=True, check=check, timeout=120)


def make_inputs(tmp_path):
    (tmp_path / "schema.json").write_text(json.dumps(SCHEMA))
    (tmp_path / "rows.jsonl").write_text(
        "".join(json.dumps({"id": i, "site": f"S{i % 3}"}) + "\n" for i in range(30)))


def test_new_directories_and_files_are_durable(floe, shim, tmp_path):
    make_inputs(tmp_path)
    log = tmp_path / "io.log"
    wh = ["--warehouse", tmp_path / "wh"]
    run(floe, shim, log, "namespace", "create", "lab", *wh)
    run(floe, shim, log, "table", "create", "lab.t", "--schema", tmp_path / "schema.json",
        "--partition", "site", *wh)
    run(floe, shim, log, "table", "append", "lab.t", tmp_path / "rows.jsonl", *wh)
    events = [line.split(" ", 2) if line.startswith("fsync") else line.split(" ", 1)
              for line in log.read_text().splitlines()]
    table_dir = tmp_path / "wh" / "lab.db" / "t"

    def synced_after(index: int, directory: pathlib.Path) -> bool:
        return any(e[:2] == ["fsync", "dir"] and pathlib.Path(e[2]) == directory for e in events[index + 1:])

    created = [(i, pathlib.Path(e[1])) for i, e in enumerate(events) if e[0] == "mkdir"]
    under_table = [(i, d) for i, d in created if d == table_dir or table_dir in d.parents]
    assert len(under_table) >= 5, created  # t, metadata, data and three partition directories
    for i, d in under_table:
        assert synced_after(i, d.parent), f"{d} was created but {d.parent} never synced after it"
    files = [p for p in table_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".parquet" for p in files) and any(p.name.endswith(".metadata.json") for p in files)
    last_sync = {pathlib.Path(e[2]): i for i, e in enumerate(events) if e[:2] == ["fsync", "dir"]}
    for f in files:
        assert f.parent in last_sync, f"the directory of {f} was never synced"


def test_a_failed_directory_fsync_fails_the_operation(floe, shim, tmp_path):
    make_inputs(tmp_path)
    log = tmp_path / "io.log"
    wh = ["--warehouse", tmp_path / "wh"]
    run(floe, shim, log, "namespace", "create", "lab", *wh)
    failed = run(floe, shim, log, "table", "create", "lab.t", "--schema", tmp_path / "schema.json", *wh,
                 check=False, FLOE_SHIM_FAIL_DIR_FSYNC="/lab.db/t/metadata")
    assert failed.returncode == 1, failed
    assert "fsync directory" in failed.stderr and "Input/output error" in failed.stderr, failed.stderr
    # Nothing was committed: the table does not exist (its metadata file may, unreferenced).
    listed = run(floe, shim, log, "table", "list", "lab", *wh)
    assert listed.stdout.split() == []


def test_without_hard_links_metadata_files_are_created_without_replacing(floe, shim, tmp_path):
    make_inputs(tmp_path)
    log = tmp_path / "io.log"
    wh = ["--warehouse", tmp_path / "wh"]
    no_links = {"FLOE_SHIM_NO_LINKS": "1"}
    run(floe, shim, log, "namespace", "create", "lab", *wh, **no_links)
    run(floe, shim, log, "table", "create", "lab.t", "--schema", tmp_path / "schema.json", *wh, **no_links)
    for _ in range(3):
        run(floe, shim, log, "table", "append", "lab.t", tmp_path / "rows.jsonl", *wh, **no_links)
    metadata = sorted((tmp_path / "wh" / "lab.db" / "t" / "metadata").glob("*.metadata.json"))
    assert [m.name[:5] for m in metadata] == ["00000", "00001", "00002", "00003"]
    assert not list((tmp_path / "wh").rglob("*.tmp"))  # no temporary file left behind
    scanned = run(floe, shim, log, "table", "scan", "lab.t", *wh)
    assert len(scanned.stdout.splitlines()) == 90
