"""The PostgreSQL catalog store: two floe servers on one database serve one consistent catalog
(concurrent appends through both lose nothing; a namespace created on one is seen by the other and
cannot be created twice), the CLI works on it with --catalog postgresql://..., and an unreachable
database is a clean error. (test_rest_pyiceberg runs the whole PyIceberg suite on this store too.)"""

import json
import random
import threading
import time
import uuid

import pyarrow as pa
import pytest
from harness.floe_server import FloeServer
from harness.floe_text import floe_rows
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.exceptions import CommitFailedException, NamespaceAlreadyExistsError


@pytest.fixture
def dsn(postgres):
    return postgres.create_database(f"t{uuid.uuid4().hex[:12]}")


def test_two_servers_share_one_database(dsn, tmp_path, floe):
    a = FloeServer(tmp_path / "wh-a", catalog_db=dsn).start()
    b = FloeServer(tmp_path / "wh-b", catalog_db=dsn).start()
    try:
        ca, cb = RestCatalog("a", uri=a.uri), RestCatalog("b", uri=b.uri)
        ca.create_namespace("edc")
        assert cb.list_namespaces() == [("edc",)]
        with pytest.raises(NamespaceAlreadyExistsError):
            cb.create_namespace("edc")
        schema = pa.schema([pa.field("writer", pa.int32()), pa.field("id", pa.int64())])
        cb.create_table("edc.events", schema=schema)
        assert ca.load_table("edc.events").metadata.table_uuid == cb.load_table("edc.events").metadata.table_uuid

        writers, appends = 4, 15
        errors: list[str] = []

        def write(w: int) -> None:
            catalog = RestCatalog(f"w{w}", uri=(a if w % 2 else b).uri)
            try:
                for seq in range(appends):
                    batch = pa.table({"writer": [w] * 2, "id": [(w * appends + seq) * 2 + k for k in range(2)]},
                                     schema=schema)
                    for attempt in range(100):
                        try:
                            catalog.load_table("edc.events").append(batch)
                            break
                        except CommitFailedException:
                            time.sleep(random.uniform(0, min(0.5, 0.01 * 2 ** attempt)))
                    else:
                        errors.append(f"writer {w}: append {seq} never committed")
            except Exception as e:  # reported below, not lost in the thread
                errors.append(f"writer {w}: {e!r}")
            finally:
                catalog.close()

        threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert not errors, errors
        table = ca.load_table("edc.events")
        assert len(table.snapshots()) == writers * appends
        ids = table.scan().to_arrow().column("id").to_pylist()
        assert sorted(ids) == list(range(writers * appends * 2))
        # floe's CLI on the same database reads what both servers committed.
        out = floe.run("table", "scan", "edc.events", *a.catalog_args, "--format", "jsonl").stdout
        assert sorted(r["id"] for r in floe_rows(out)) == list(range(writers * appends * 2))
        ca.close()
        cb.close()
    finally:
        assert a.stop() == 0, a.log()
        assert b.stop() == 0, b.log()


def test_cli_on_postgres(dsn, tmp_path, floe):
    catalog = ["--warehouse", tmp_path / "wh", "--catalog", dsn]
    (tmp_path / "schema.json").write_text(json.dumps({"type": "struct", "fields": [
        {"id": 1, "name": "id", "required": True, "type": "long"},
        {"id": 2, "name": "site", "required": False, "type": "string"}]}))
    (tmp_path / "rows.jsonl").write_text("".join(json.dumps({"id": i, "site": f"S{i % 3}"}) + "\n" for i in range(30)))
    floe.run("namespace", "create", "trials", *catalog)
    floe.run("table", "create", "trials.vs", "--schema", tmp_path / "schema.json", "--partition", "site", *catalog)
    floe.run("table", "append", "trials.vs", tmp_path / "rows.jsonl", *catalog)
    assert floe.run("namespace", "list", *catalog).stdout.split() == ["trials"]
    rows = floe_rows(floe.run("table", "scan", "trials.vs", "--where", "site = 'S1'", *catalog).stdout)
    assert sorted(r["id"] for r in rows) == [i for i in range(30) if i % 3 == 1]
    assert "trials" not in floe.run("namespace", "list", "--warehouse", tmp_path / "wh").stdout


def test_unreachable_database_is_a_clean_error(floe, tmp_path):
    result = floe.fails("namespace", "list", "--warehouse", tmp_path / "wh",
                        "--catalog", "postgresql://floe@127.0.0.1:1/nowhere")
    assert result.returncode == 1
    assert result.stderr.startswith("floe: error: ") and "catalog" in result.stderr
    assert "127.0.0.1" in result.stderr
