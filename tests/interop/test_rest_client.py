"""floe's CLI as a REST catalog client (--catalog http://...): every namespace and table command
against floe server, checked with PyIceberg's RestCatalog on the same server; concurrent CLI
appends through the server lose nothing; errors are clean."""

import json
import subprocess

from harness.floe_text import floe_rows
from pyiceberg.catalog.rest import RestCatalog

SCHEMA = {"type": "struct", "fields": [
    {"id": 1, "name": "id", "required": True, "type": "long"},
    {"id": 2, "name": "site", "required": False, "type": "string"}]}


def test_cli_commands_through_floe_server(floe_server, floe, tmp_path):
    rest = ["--catalog", floe_server.uri, "--warehouse", tmp_path / "unused"]
    (tmp_path / "schema.json").write_text(json.dumps(SCHEMA))
    for part in range(3):
        (tmp_path / f"p{part}.jsonl").write_text(
            "".join(json.dumps({"id": part * 10 + i, "site": f"S{i % 2}"}) + "\n" for i in range(10)))
    floe.run("namespace", "create", "edc", "--property", "owner=dm", *rest)
    assert floe.run("namespace", "list", *rest).stdout.split() == ["edc"]
    created = floe.run("table", "create", "edc.vs", "--schema", tmp_path / "schema.json",
                       "--partition", "site", "--property", "k=v", *rest).stdout.strip()
    # The server chose where the table lives: in its warehouse, not the CLI's.
    assert created.startswith(floe_server.warehouse.as_uri()) and not (tmp_path / "unused" / "edc.db").exists()
    for part in range(3):
        floe.run("table", "append", "edc.vs", tmp_path / f"p{part}.jsonl", *rest)
    floe.run("table", "tag", "edc.vs", "two-appends", "--snapshot",
             floe.run("table", "snapshots", "edc.vs", *rest).stdout.splitlines()[2].split()[0], *rest)

    catalog = RestCatalog("check", uri=floe_server.uri)
    table = catalog.load_table("edc.vs")
    assert table.properties == {"k": "v"}
    assert [s.summary.operation.value for s in table.snapshots()] == ["append"] * 3
    assert table.metadata.refs["two-appends"].snapshot_id == table.snapshots()[1].snapshot_id
    expected = sorted(range(30))
    assert sorted(table.scan().to_arrow().column("id").to_pylist()) == expected
    assert sorted(r["id"] for r in floe_rows(floe.run("table", "scan", "edc.vs", *rest).stdout)) == expected
    tagged = floe_rows(floe.run("table", "scan", "edc.vs", "--ref", "two-appends", *rest).stdout)
    assert sorted(r["id"] for r in tagged) == list(range(20))
    s1 = floe_rows(floe.run("table", "scan", "edc.vs", "--where", "site = 'S1'", *rest).stdout)
    assert sorted(r["id"] for r in s1) == [i for i in expected if i % 2]
    assert floe.run("table", "metadata-location", "edc.vs", *rest).stdout.strip() == table.metadata_location
    assert len(floe.run("table", "files", "edc.vs", *rest).stdout.splitlines()) == 6  # JSON lines, one per file

    floe.run("table", "rename", "edc.vs", "edc.vitals", *rest)
    assert floe.run("table", "list", "edc", *rest).stdout.split() == ["edc.vitals"]
    floe.run("table", "register", "edc.again", table.metadata_location, *rest)
    assert sorted(floe.run("table", "list", "edc", *rest).stdout.split()) == ["edc.again", "edc.vitals"]
    floe.run("table", "drop", "edc.again", *rest)
    missing = floe.fails("table", "scan", "edc.again", *rest)
    assert missing.returncode == 1 and "Table does not exist: edc.again" in missing.stderr
    catalog.close()


def test_concurrent_cli_appends_through_the_server(floe_server, floe, tmp_path):
    rest = ["--catalog", floe_server.uri]
    (tmp_path / "schema.json").write_text(json.dumps(SCHEMA))
    floe.run("namespace", "create", "ns", *rest)
    floe.run("table", "create", "ns.t", "--schema", tmp_path / "schema.json", *rest)
    writers, appends = 3, 15
    for w in range(writers):
        for a in range(appends):
            f = tmp_path / f"w{w}-{a}.jsonl"
            f.write_text(json.dumps({"id": w * appends + a, "site": f"w{w}"}) + "\n")
    procs = [subprocess.Popen(
        ["bash", "-c", " && ".join(f"{floe.binary} table append ns.t {tmp_path}/w{w}-{a}.jsonl --catalog {floe_server.uri}"
                                   for a in range(appends))],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for w in range(writers)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    table = RestCatalog("check", uri=floe_server.uri).load_table("ns.t")
    assert len(table.snapshots()) == writers * appends
    assert sorted(table.scan().to_arrow().column("id").to_pylist()) == list(range(writers * appends))


def test_client_errors_are_clean(floe_server, floe):
    down = floe.fails("namespace", "list", "--catalog", "http://127.0.0.1:1")
    assert down.returncode == 1 and down.stderr.startswith("floe: error: ") and "127.0.0.1:1" in down.stderr
    tls = floe.fails("namespace", "list", "--catalog", "https://example.org")
    assert tls.returncode == 1 and "plain http://" in tls.stderr
    missing = floe.fails("table", "list", "nope", "--catalog", floe_server.uri)
    assert missing.returncode == 1 and "Namespace does not exist: nope" in missing.stderr
