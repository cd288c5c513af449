"""floe server never reads or writes outside its warehouse for a client: table and view locations,
write.data.path / write.metadata.path, set-location commits and register's metadata-location
outside it are refused (400, "outside the warehouse") in every spelling (absolute, file: URI,
'..', a sibling sharing the warehouse's name as a prefix), register is refused before it opens the
file (no existence oracle), a purge deletes nothing outside, --allowed-location widens the tree
exactly, and hostile namespace and table names get a 4xx. The hostile target is tmp_path/outside,
a sibling of the warehouse: after each request nothing beside the warehouse has changed."""

import errno
import json
import os
import shutil
import time
import types

import pytest

from harness.hostile import (CREATE_TX, LOCATION_ERRORS, SCHEMA, VIEW_VERSION, assert_serving,
                             expect_error, request, serve, short, tree)
from harness.paths import local_path

OUTSIDE_PHRASE = "outside the warehouse"


@pytest.fixture
def site(tmp_path):
    """A server over tmp_path/warehouse with namespace ns, table ns.t and view ns.v, and beside it
    tmp_path/outside holding a secret file and copies of t's and v's metadata files."""
    with serve(tmp_path) as server:
        assert request(server, "POST", "/v1/namespaces", {"namespace": ["ns"]})[0] == 200
        status, table = request(server, "POST", "/v1/namespaces/ns/tables", {"name": "t", "schema": SCHEMA})
        assert status == 200, short(table)
        status, view = request(server, "POST", "/v1/namespaces/ns/views",
                               {"name": "v", "schema": SCHEMA, "view-version": VIEW_VERSION})
        assert status == 200, short(view)
        outside = tmp_path / "outside"
        outside.mkdir()
        (outside / "secret.txt").write_text("root:x:0:0\n")
        shutil.copy(local_path(table["metadata-location"]), outside / "copy.metadata.json")
        shutil.copy(local_path(view["metadata-location"]), outside / "view-copy.metadata.json")
        yield types.SimpleNamespace(server=server, root=tmp_path, warehouse=server.warehouse, outside=outside,
                                    table=table, view=view)


# Spellings of tmp_path/outside/<name>, all outside the warehouse.
SPELLINGS = {
    "absolute": lambda s, name: str(s.outside / name),
    "file URI": lambda s, name: "file://" + str(s.outside / name),
    "dot-dot": lambda s, name: f"{s.warehouse}/../outside/{name}",
    "warehouse name as prefix": lambda s, name: f"{s.warehouse}-evil/{name}",
}


def table_commit(s, *updates):
    return {"requirements": [{"type": "assert-table-uuid", "uuid": s.table["metadata"]["table-uuid"]}],
            "updates": list(updates)}


def view_commit(s, *updates):
    return {"requirements": [{"type": "assert-view-uuid", "uuid": s.view["metadata"]["view-uuid"]}],
            "updates": list(updates)}


# Requests that would place files at `where`: (site, where) -> (method, path, body).
PLACEMENTS = {
    "create table location": lambda s, where: (
        "POST", "/v1/namespaces/ns/tables", {"name": "t2", "schema": SCHEMA, "location": where}),
    "create table write.data.path": lambda s, where: (
        "POST", "/v1/namespaces/ns/tables", {"name": "t2", "schema": SCHEMA, "properties": {"write.data.path": where}}),
    "create table write.metadata.path": lambda s, where: (
        "POST", "/v1/namespaces/ns/tables",
        {"name": "t2", "schema": SCHEMA, "properties": {"write.metadata.path": where}}),
    "create transaction set-location": lambda s, where: (
        "POST", "/v1/namespaces/ns/tables/t2",
        {**CREATE_TX, "updates": CREATE_TX["updates"] + [{"action": "set-location", "location": where}]}),
    "commit set-location": lambda s, where: (
        "POST", "/v1/namespaces/ns/tables/t", table_commit(s, {"action": "set-location", "location": where})),
    "commit write.data.path": lambda s, where: (
        "POST", "/v1/namespaces/ns/tables/t",
        table_commit(s, {"action": "set-properties", "updates": {"write.data.path": where}})),
    "commit write.metadata.path": lambda s, where: (
        "POST", "/v1/namespaces/ns/tables/t",
        table_commit(s, {"action": "set-properties", "updates": {"write.metadata.path": where}})),
    "transaction set-location": lambda s, where: (
        "POST", "/v1/transactions/commit",
        {"table-changes": [{"identifier": {"namespace": ["ns"], "name": "t"},
                            **table_commit(s, {"action": "set-location", "location": where})}]}),
    "create view location": lambda s, where: (
        "POST", "/v1/namespaces/ns/views",
        {"name": "v2", "schema": SCHEMA, "view-version": VIEW_VERSION, "location": where}),
    "create view write.metadata.path": lambda s, where: (
        "POST", "/v1/namespaces/ns/views",
        {"name": "v2", "schema": SCHEMA, "view-version": VIEW_VERSION, "properties": {"write.metadata.path": where}}),
    "view commit set-location": lambda s, where: (
        "POST", "/v1/namespaces/ns/views/v", view_commit(s, {"action": "set-location", "location": where})),
    "view commit write.metadata.path": lambda s, where: (
        "POST", "/v1/namespaces/ns/views/v",
        view_commit(s, {"action": "set-properties", "updates": {"write.metadata.path": where}})),
}


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("placement", PLACEMENTS)
def test_nothing_is_placed_outside_the_warehouse(site, placement, spelling):
    """Each way a client names a place for table or view files, pointed outside: a 400 naming why,
    nothing created beside the warehouse, t and v unchanged, t2 and v2 not created."""
    before = tree(site.root)
    method, path, body = PLACEMENTS[placement](site, SPELLINGS[spelling](site, "target"))
    expect_error(site.server, method, path, body, 400, OUTSIDE_PHRASE, types=LOCATION_ERRORS)
    assert tree(site.root) == before
    status, t = request(site.server, "GET", "/v1/namespaces/ns/tables/t")
    assert status == 200 and t["metadata-location"] == site.table["metadata-location"], short(t)
    status, v = request(site.server, "GET", "/v1/namespaces/ns/views/v")
    assert status == 200 and v["metadata-location"] == site.view["metadata-location"], short(v)
    assert request(site.server, "GET", "/v1/namespaces/ns/tables/t2")[0] == 404
    assert request(site.server, "GET", "/v1/namespaces/ns/views/v2")[0] == 404
    assert_serving(site.server)


REGISTER_ROUTES = {"register": ("/v1/namespaces/ns/register", "copy.metadata.json"),
                   "register-view": ("/v1/namespaces/ns/register-view", "view-copy.metadata.json")}


@pytest.mark.parametrize("route", REGISTER_ROUTES)
def test_register_outside_the_warehouse_gives_no_existence_oracle(site, route):
    """A valid metadata file, a secret that is not JSON and a missing file, all outside: the same
    answer for the three (the path itself aside), so a client learns nothing about files there.
    The file: URI and '..' spellings are refused too, and nothing is registered."""
    path, copy = REGISTER_ROUTES[route]
    before = tree(site.root)
    paths = {"valid metadata": str(site.outside / copy), "secret": str(site.outside / "secret.txt"),
             "missing": str(site.outside / "missing.metadata.json"),
             "file URI": "file://" + str(site.outside / copy),
             "dot-dot": f"{site.warehouse}/../outside/{copy}"}
    answers = {}
    for kind, location in paths.items():
        error = expect_error(site.server, "POST", path, {"name": "r", "metadata-location": location}, 400,
                             OUTSIDE_PHRASE, types=LOCATION_ERRORS)
        answers[kind] = (error["type"], error["message"].replace(location, "<path>"))
        assert_serving(site.server)
    assert answers["valid metadata"] == answers["secret"] == answers["missing"], answers
    assert tree(site.root) == before
    assert request(site.server, "GET", "/v1/namespaces/ns/tables/r")[0] == 404
    assert request(site.server, "GET", "/v1/namespaces/ns/views/r")[0] == 404
    assert_serving(site.server)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("route", REGISTER_ROUTES)
def test_register_is_refused_before_the_file_is_opened(site, route):
    """A FIFO outside the warehouse blocks whoever opens it for reading: a server that refuses
    first answers at once, one that opens the path first never does (the 10 s socket timeout is the
    hang guard; the FIFO is then opened for writing to release the server)."""
    fifo = site.outside / "fifo.metadata.json"
    os.mkfifo(fifo)
    status, answer = request(site.server, "POST", REGISTER_ROUTES[route][0],
                             {"name": "r", "metadata-location": str(fifo)}, timeout=10)
    if status is None:  # release a worker blocked in open(): a writer opens and closes the FIFO
        for _ in range(50):
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
                break
            except OSError as e:
                assert e.errno == errno.ENXIO, e  # no reader yet
                time.sleep(0.1)
    assert status == 400 and OUTSIDE_PHRASE in json.dumps(answer), short(answer)
    assert_serving(site.server)


def test_purge_deletes_nothing_outside_the_warehouse(site):
    """A table written by PyIceberg gains, through add_files, two data files outside the warehouse:
    one by its absolute path, one spelled through the table's own data directory with '..'. The
    server may refuse that commit ("outside the warehouse"); either way a drop with purge removes
    the table's own files and neither outside file."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyiceberg.catalog.rest import RestCatalog

    catalog = RestCatalog("floe", uri=site.server.uri)
    table = catalog.create_table("ns.p", schema=pa.schema([pa.field("id", pa.int64())]))
    table.append(pa.table({"id": pa.array([1, 2, 3], pa.int64())}))
    table_dir = table.location().removeprefix("file://")
    own_files = list((site.warehouse / "ns.db" / "p" / "data").rglob("*.parquet"))
    assert own_files
    kept, dotted = site.outside / "kept.parquet", site.outside / "dotted.parquet"
    for path in (kept, dotted):
        pq.write_table(pa.table({"id": pa.array([4], pa.int64())}), path)
    dotted_spelling = f"{table_dir}/data/{os.path.relpath(dotted, f'{table_dir}/data')}"
    assert "/../" in dotted_spelling and os.path.samefile(dotted_spelling, dotted)
    before = tree(site.root)
    try:
        table.add_files([str(kept), dotted_spelling])
    except Exception as e:  # refusing the commit is the other acceptable answer
        assert OUTSIDE_PHRASE in str(e), e
    status, answer = request(site.server, "DELETE", "/v1/namespaces/ns/tables/p?purgeRequested=true")
    assert status == 204, short(answer)
    assert kept.exists() and dotted.exists()
    assert tree(site.root) == before
    assert not any(f.exists() for f in own_files), "the purge did not run"
    assert_serving(site.server)


def test_allowed_location_widens_the_tree_exactly(tmp_path):
    """--allowed-location DIR lets tables live under DIR; a sibling sharing DIR's name as a prefix,
    a '..' escape from DIR and everything else outside stay refused."""
    extra = tmp_path / "extra"
    extra.mkdir()
    with serve(tmp_path, "--allowed-location", extra) as server:
        assert request(server, "POST", "/v1/namespaces", {"namespace": ["ns"]})[0] == 200
        status, body = request(server, "POST", "/v1/namespaces/ns/tables",
                               {"name": "a", "schema": SCHEMA, "location": str(extra / "a")})
        assert status == 200 and body["metadata-location"].startswith(f"{extra}/a/metadata/"), short(body)
        before = tree(tmp_path)
        for name, location in [("b", tmp_path / "extra2" / "b"), ("c", f"{extra}/../outside/c"),
                               ("d", tmp_path / "outside" / "d")]:
            expect_error(server, "POST", "/v1/namespaces/ns/tables",
                         {"name": name, "schema": SCHEMA, "location": str(location)}, 400, OUTSIDE_PHRASE,
                         types=LOCATION_ERRORS)
            assert_serving(server)
        assert tree(tmp_path) == before
        assert_serving(server)


# --- hostile names --------------------------------------------------------------------------------

LONG = "x" * 100_000
URL_TOO_LONG = (414, 431)  # a 100 KB request target: over the header section's limit


def create_table(name):
    return lambda s: ("POST", "/v1/namespaces/ns/tables", {"name": name, "schema": SCHEMA}, (400,))


def create_namespace(*levels):
    return lambda s: ("POST", "/v1/namespaces", {"namespace": list(levels)}, (400,))


def create_by_commit(segment, statuses=(400,)):
    return lambda s: ("POST", f"/v1/namespaces/ns/tables/{segment}", CREATE_TX, statuses)


def rename_to(name):
    return lambda s: ("POST", "/v1/tables/rename", {"source": {"namespace": ["ns"], "name": "t"},
                                                     "destination": {"namespace": ["ns"], "name": name}}, (400,))


NAMES = {
    "namespace a/b": create_namespace("a/b"),
    "namespace ..": create_namespace(".."),
    "namespace ../outside": create_namespace("../outside"),
    "namespace NUL": create_namespace("a\x00b"),
    "namespace 100 KB": create_namespace(LONG),
    "table a/b": create_table("a/b"),
    "table ..": create_table(".."),
    "table ../../outside/evil": create_table("../../outside/evil"),
    "table NUL": create_table("a\x00b"),
    "table 100 KB": create_table(LONG),
    "view ../../outside/evil": lambda s: ("POST", "/v1/namespaces/ns/views",
                                          {"name": "../../outside/evil", "schema": SCHEMA,
                                           "view-version": VIEW_VERSION}, (400,)),
    "rename to ../../outside/evil": rename_to("../../outside/evil"),
    "rename to NUL": rename_to("a\x00b"),
    "register as ..": lambda s: ("POST", "/v1/namespaces/ns/register",
                                 {"name": "..", "metadata-location": s.table["metadata-location"]}, (400,)),
    "create-by-commit %2E%2E": create_by_commit("%2E%2E"),
    "create-by-commit %00": create_by_commit("a%00b"),
    "create-by-commit non-UTF-8 %FF%FE": create_by_commit("%FF%FE"),
    "create-by-commit overlong / %C0%AF": create_by_commit("a%C0%AFb"),
    "create-by-commit 100 KB": create_by_commit(LONG, URL_TOO_LONG),
}


@pytest.mark.parametrize("case", NAMES)
def test_hostile_names_are_refused(site, case):
    """Names with '/', '..', NUL, 100 KB or bytes that are not UTF-8, wherever a client names
    something new: a 4xx whose message says what is wrong (never a 500), and nothing beside the
    warehouse created."""
    method, path, body, statuses = NAMES[case](site)
    before = tree(site.root)
    status, answer = request(site.server, method, path, body)
    assert status in statuses, short((status, answer))
    message = answer["error"]["message"].lower()
    assert any(p in message for p in ("name", "utf-8", "too long", "too large")), short(answer)
    assert tree(site.root) == before
    assert_serving(site.server)


@pytest.mark.parametrize("path", ["/v1/namespaces/%FF%FE", "/v1/namespaces/a%00b/tables",
                                  "/v1/namespaces/ns/tables/a%C0%AFb", "/v1/namespaces/ns/tables/a%00b",
                                  "/v1/namespaces/ns/views/%FF", "/v1/namespaces/" + LONG])
def test_hostile_names_in_lookups_get_4xx(site, path):
    """Looking such names up is a client error too (400 or 404; a 100 KB target 414 or 431)."""
    status, answer = request(site.server, "GET", path)
    assert status in ((400, 404) if len(path) < 1000 else URL_TOO_LONG), short((status, answer))
    assert answer["error"]["message"], short(answer)
    assert_serving(site.server)


def test_a_views_default_location_may_not_lie_inside_a_table(site):
    """A table placed (explicitly) at namespace ns2's directory: creating view ns2.w without a
    location (so at <warehouse>/ns2.db/w, inside that table) is refused as creating a table there
    is, and nothing is written into the table's directory."""
    assert request(site.server, "POST", "/v1/namespaces", {"namespace": ["ns2"]})[0] == 200
    status, body = request(site.server, "POST", "/v1/namespaces/ns/tables",
                           {"name": "placed", "schema": SCHEMA, "location": f"{site.warehouse}/ns2.db"})
    assert status == 200, short(body)
    before = tree(site.warehouse / "ns2.db")
    for route, body in [("tables", {"name": "w", "schema": SCHEMA}),
                        ("views", {"name": "w", "schema": SCHEMA, "view-version": VIEW_VERSION})]:
        status, answer = request(site.server, "POST", f"/v1/namespaces/ns2/{route}", body)
        assert status == 400, (route, short(answer))
        assert "the default location" in answer["error"]["message"], (route, answer)
        assert "inside the table" in answer["error"]["message"], (route, answer)
        assert request(site.server, "GET", f"/v1/namespaces/ns2/{route}/w")[0] == 404
    assert tree(site.warehouse / "ns2.db") == before
    assert_serving(site.server)
