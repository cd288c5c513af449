"""Commits whose answer is lost (issue 11, items 3 to 5), against the real server and the real
PostgreSQL, with a TCP proxy that breaks a connection at the worst moment:

- the catalog database's connection breaks during the compare-and-swap or the COMMIT of a
  multi-table transaction: floe server looks again, answers success when the swap took effect and
  CommitStateUnknown (500) when it cannot tell, and never deletes a metadata file the catalog may
  point at (before: it deleted it, and the table could no longer be read);
- the answer of a commit to floe's CLI (a REST client) is lost: the CLI recognises its own commit
  in the table's history instead of re-sending it blindly and reporting a committed append as
  failed;
- commits take turns per table without sleeping in the turn, and multi-table transactions over
  the same tables in opposite orders, on two servers sharing one database, never deadlock.
"""

import contextlib
import json
import threading
import urllib.parse
import uuid

import pyarrow as pa
import pytest
from harness.floe_server import FloeServer
from harness.floe_text import floe_rows
from harness.hostile import request
from harness.tcp_proxy import Cut, TcpProxy
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.exceptions import CommitStateUnknownException

SWAP = b"UPDATE iceberg_tables SET metadata_location"
SCHEMA = pa.schema([pa.field("id", pa.int64(), nullable=False)])


@pytest.fixture
def pg(postgres):
    """A fresh catalog database: (its DSN, the PostgreSQL port)."""
    dsn = postgres.create_database(f"t{uuid.uuid4().hex[:12]}")
    return dsn, urllib.parse.urlsplit(dsn).port


def via(dsn: str, proxy: TcpProxy) -> str:
    """The DSN with the proxy in front of PostgreSQL."""
    parts = urllib.parse.urlsplit(dsn)
    return parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl()


def ids(table) -> list[int]:
    return sorted(table.scan().to_arrow().column("id").to_pylist())


def rows(start: int, stop: int) -> pa.Table:
    return pa.table({"id": pa.array(range(start, stop), pa.int64())}, schema=SCHEMA)


def metadata_files(server: FloeServer) -> set[str]:
    """The metadata files in the warehouse, as the file:// locations floe gives them."""
    return {p.as_uri() for p in server.warehouse.rglob("*.metadata.json")}


@contextlib.contextmanager
def table_behind_a_proxy(pg, tmp_path, names=("t",)):
    """A floe server whose catalog database is reached through a TcpProxy, with namespace lab
    and tables lab.<name> holding rows 0..9: (proxy, server, catalog)."""
    dsn, port = pg
    with TcpProxy("127.0.0.1", port) as proxy:
        server = FloeServer(tmp_path / "wh", catalog_db=via(dsn, proxy)).start()
        try:
            catalog = RestCatalog("t", uri=server.uri)
            catalog.create_namespace("lab")
            for name in names:
                catalog.create_table(f"lab.{name}", schema=SCHEMA).append(rows(0, 10))
            yield proxy, server, catalog
        finally:
            assert server.stop() == 0, server.log()


def set_properties(*names: str, **properties: str) -> dict:
    """A multi-table transaction setting `properties` on lab.<name> for each name, in order."""
    return {"table-changes": [
        {"identifier": {"namespace": ["lab"], "name": name}, "requirements": [],
         "updates": [{"action": "set-properties", "updates": properties}]} for name in names]}


def test_swap_applied_but_its_answer_lost_is_a_success(pg, tmp_path):
    with table_behind_a_proxy(pg, tmp_path) as (proxy, server, catalog):
        cut = proxy.arm(Cut(SWAP, when="after"))
        catalog.load_table("lab.t").append(rows(10, 20))  # answered 200: floe looked again
        assert cut.fired == 1
        table = RestCatalog("check", uri=server.uri).load_table("lab.t")
        assert ids(table) == list(range(20))
        assert table.metadata_location in metadata_files(server)


def test_swap_lost_before_the_database_is_unknown_and_keeps_its_file(pg, tmp_path):
    with table_behind_a_proxy(pg, tmp_path) as (proxy, server, catalog):
        before = metadata_files(server)
        cut = proxy.arm(Cut(SWAP, when="before"))
        with pytest.raises(CommitStateUnknownException, match="may or may not have been applied"):
            catalog.load_table("lab.t").append(rows(10, 20))
        assert cut.fired == 1
        # The swap never reached the database: the table is as it was and readable, and the
        # file the swap would have pointed at is still there (an orphan, never a hole).
        table = RestCatalog("check", uri=server.uri).load_table("lab.t")
        assert ids(table) == list(range(10))
        assert len(metadata_files(server) - before) == 1


def test_transaction_commit_lost_after_the_database_applied_it(pg, tmp_path):
    with table_behind_a_proxy(pg, tmp_path, names=("a", "b")) as (proxy, server, catalog):
        cut = proxy.arm(Cut(b"COMMIT", when="after"))
        status, body = request(server, "POST", "/v1/transactions/commit", set_properties("b", "a", phase="locked"))
        assert (status, body) == (204, None)
        assert cut.fired == 1
        check = RestCatalog("check", uri=server.uri)
        for name in ("a", "b"):
            table = check.load_table(f"lab.{name}")
            assert table.properties["phase"] == "locked"
            assert table.metadata_location in metadata_files(server)
            assert ids(table) == list(range(10))


@pytest.mark.parametrize("relay_bytes", [0, 12], ids=["no-answer", "partial-answer"])
def test_cli_recognises_its_commit_when_the_answer_is_lost(floe_server, floe, tmp_path, relay_bytes):
    schema = {"type": "struct", "fields": [{"id": 1, "name": "id", "required": True, "type": "long"}]}
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    (tmp_path / "rows.jsonl").write_text("".join(json.dumps({"id": i}) + "\n" for i in range(7)))
    direct = ["--catalog", floe_server.uri]
    floe.run("namespace", "create", "lab", *direct)
    floe.run("table", "create", "lab.t", "--schema", tmp_path / "schema.json", *direct)
    port = urllib.parse.urlsplit(floe_server.uri).port
    with TcpProxy("127.0.0.1", port) as proxy:
        cut = proxy.arm(Cut(b"POST /v1/namespaces/lab/tables/t ", when="after", relay_bytes=relay_bytes))
        floe.run("table", "append", "lab.t", tmp_path / "rows.jsonl",
                 "--catalog", f"http://127.0.0.1:{proxy.port}")
        assert cut.fired == 1
    table = RestCatalog("check", uri=floe_server.uri).load_table("lab.t")
    assert len(table.snapshots()) == 1  # one append, exactly once
    assert ids(table) == list(range(7))
    assert sorted(r["id"] for r in floe_rows(floe.run("table", "scan", "lab.t", *direct).stdout)) == list(range(7))


def test_opposite_order_transactions_on_two_servers_do_not_deadlock(pg, tmp_path):
    """Two servers on one database run transactions over the same two tables, listed in opposite
    orders. Swapping rows in request order could deadlock in PostgreSQL (40P01, answered 5xx);
    rows are locked in one order, and a lost race is retried with back-off."""
    dsn, _ = pg
    servers = [FloeServer(tmp_path / f"wh{i}", catalog_db=dsn, extra_args=["--workers", "4"]).start()
               for i in range(2)]
    try:
        catalog = RestCatalog("t", uri=servers[0].uri)
        catalog.create_namespace("lab")
        for name in ("a", "b"):
            catalog.create_table(f"lab.{name}", schema=SCHEMA)
        answers: list[tuple[int, dict]] = []
        lock = threading.Lock()

        def run(worker: int) -> None:
            order = ("a", "b") if worker % 2 else ("b", "a")
            for i in range(25):
                answer = request(servers[worker % 2], "POST", "/v1/transactions/commit",
                                 set_properties(*order, **{f"w{worker}": str(i)}), timeout=60)
                with lock:
                    answers.append(answer)

        threads = [threading.Thread(target=run, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert not any(t.is_alive() for t in threads)
        failures = [a for a in answers if a[0] != 204]
        assert len(answers) == 100 and failures == []
        for name in ("a", "b"):
            properties = RestCatalog("check", uri=servers[1].uri).load_table(f"lab.{name}").properties
            assert {k: properties[k] for k in ("w0", "w1", "w2", "w3")} == {f"w{w}": "24" for w in range(4)}
    finally:
        for s in servers:
            assert s.stop() == 0, s.log()
