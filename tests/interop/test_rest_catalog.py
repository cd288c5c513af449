"""`floe server`: the Iceberg REST catalog. PyIceberg's RestCatalog and plain HTTP are the judges."""

import json
import os
import time
import urllib.error
import urllib.request

import pytest
from harness.paths import local_path
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.exceptions import NamespaceAlreadyExistsError, NamespaceNotEmptyError, NoSuchNamespaceError


def rest(server) -> RestCatalog:
    return RestCatalog("floe", uri=server.uri)


def http(server, method: str, path: str, body=None) -> tuple[int, dict | None]:
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    request = urllib.request.Request(server.uri + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        text = e.read()
        return e.code, json.loads(text) if text else None


def test_config_advertises_what_is_served(floe_server):
    status, body = http(floe_server, "GET", "/v1/config?warehouse=anything")
    assert status == 200
    assert body["defaults"] == {} and body["overrides"] == {}
    assert "GET /v1/{prefix}/namespaces" in body["endpoints"]
    assert "HEAD /v1/{prefix}/namespaces/{namespace}" in body["endpoints"]


def test_pyiceberg_namespaces(floe_server):
    catalog = rest(floe_server)
    catalog.create_namespace("edc", {"owner": "data-management"})
    catalog.create_namespace("trials")
    catalog.create_namespace(("trials", "cdisc"))
    with pytest.raises(NamespaceAlreadyExistsError):
        catalog.create_namespace("edc")
    assert sorted(catalog.list_namespaces()) == [("edc",), ("trials",)]
    assert catalog.list_namespaces("trials") == [("trials", "cdisc")]
    # The location its tables go to by default is answered too (Trino needs it), unless set.
    where = f"{floe_server.warehouse.as_uri()}/edc.db"
    assert catalog.load_namespace_properties("edc") == {"owner": "data-management", "location": where}
    assert catalog.namespace_exists("edc") and not catalog.namespace_exists("nope")
    with pytest.raises(NoSuchNamespaceError):
        catalog.load_namespace_properties("nope")
    summary = catalog.update_namespace_properties("edc", removals={"owner", "gone"}, updates={"site": "S01"})
    assert summary.removed == ["owner"] and summary.missing == ["gone"] and summary.updated == ["site"]
    assert catalog.load_namespace_properties("edc") == {"site": "S01", "location": where}
    catalog.update_namespace_properties("edc", updates={"location": "/elsewhere"})
    assert catalog.load_namespace_properties("edc")["location"] == "/elsewhere"
    with pytest.raises(NamespaceNotEmptyError):
        catalog.drop_namespace("trials")  # it has a child
    catalog.drop_namespace(("trials", "cdisc"))
    catalog.drop_namespace("trials")
    with pytest.raises(NoSuchNamespaceError):
        catalog.drop_namespace("trials")
    assert catalog.list_namespaces() == [("edc",)]


def test_namespaces_are_the_embedded_catalogs(floe_server, floe):
    # The server and the CLI share the warehouse's catalog.
    rest(floe_server).create_namespace("shared", {"k": "v"})
    out = floe.run("namespace", "list", "--warehouse", floe_server.warehouse).stdout.split()
    assert out == ["shared"]


def test_paging_and_errors_follow_the_spec(floe_server):
    catalog = rest(floe_server)
    for name in ["a", "b", "c", "d", "e"]:
        catalog.create_namespace(name)
    pages, token = [], None
    while True:
        query = "?pageSize=2" + (f"&pageToken={token}" if token else "")
        status, body = http(floe_server, "GET", "/v1/namespaces" + query)
        assert status == 200
        pages.append([ns[0] for ns in body["namespaces"]])
        token = body.get("next-page-token")
        if token is None:
            break
    assert pages == [["a", "b"], ["c", "d"], ["e"]]
    # The same routes answer under a prefix segment.
    assert http(floe_server, "GET", "/v1/anyprefix/namespaces/a")[0] == 200
    cases = [
        ("GET", "/v1/namespaces/missing", None, 404, "NoSuchNamespaceException",
         "Namespace does not exist: missing"),
        ("GET", "/v1/namespaces?parent=missing", None, 404, "NoSuchNamespaceException",
         "Namespace does not exist: missing"),
        ("POST", "/v1/namespaces", b"{not json", 400, "BadRequestException", "not a JSON object"),
        ("POST", "/v1/namespaces", {"namespace": "a"}, 400, "BadRequestException", "non-empty array"),
        ("POST", "/v1/namespaces", {"namespace": ["x"], "properties": {"k": 1}}, 400,
         "BadRequestException", "must be a string"),
        ("POST", "/v1/namespaces", {"namespace": ["a"]}, 409, "AlreadyExistsException",
         "Namespace already exists: a"),
        ("POST", "/v1/namespaces/a/properties", {"removals": ["k"], "updates": {"k": "v"}}, 422,
         "UnprocessableEntityException", "cannot simultaneously set and remove keys: [k]"),
        ("GET", "/v1/namespaces?pageSize=0", None, 400, "BadRequestException", "pageSize"),
        ("GET", "/v2/nothing", None, 404, "NotFoundException", "No route"),
    ]
    for method, path, body, status, kind, message in cases:
        got_status, got = http(floe_server, method, path, body)
        assert got_status == status, (method, path, got)
        assert got["error"]["type"] == kind and got["error"]["code"] == status, got
        assert message in got["error"]["message"], got
    assert http(floe_server, "HEAD", "/v1/namespaces/missing")[0] == 404
    assert http(floe_server, "HEAD", "/v1/namespaces/a")[0] == 204
    # Every request is in the access log, one JSON object per line.
    lines = [json.loads(line[line.index("{"):]) for line in floe_server.log().splitlines() if '"method"' in line]
    assert any(entry["path"] == "/v2/nothing" and entry["status"] == 404 for entry in lines)


def vitals(n: int, start: int = 0):
    import datetime as dt

    import pyarrow as pa
    return pa.table({
        "id": pa.array(range(start, start + n), pa.int64()),
        "site": pa.array([f"S0{i % 3}" for i in range(start, start + n)], pa.string()),
        "ts": pa.array([dt.datetime(2026, 1, 1 + i % 5, tzinfo=dt.timezone.utc) for i in range(start, start + n)],
                       pa.timestamp("us", tz="UTC")),
    })


def test_pyiceberg_tables_through_floe_server(floe_server, floe):
    import pyarrow as pa
    from pyiceberg.exceptions import NoSuchTableError, TableAlreadyExistsError
    from pyiceberg.expressions import EqualTo
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.schema import Schema
    from pyiceberg.transforms import DayTransform, IdentityTransform
    from pyiceberg.types import LongType, NestedField, StringType, TimestamptzType

    catalog = rest(floe_server)
    catalog.create_namespace("edc")
    schema = Schema(NestedField(1, "id", LongType(), required=False), NestedField(2, "site", StringType()),
                    NestedField(3, "ts", TimestamptzType()))
    spec = PartitionSpec(PartitionField(2, 1000, IdentityTransform(), "site"),
                         PartitionField(3, 1001, DayTransform(), "ts_day"))
    table = catalog.create_table("edc.vs", schema=schema, partition_spec=spec, properties={"owner": "dm"})
    with pytest.raises(TableAlreadyExistsError):
        catalog.create_table("edc.vs", schema=schema)
    assert catalog.list_tables("edc") == [("edc", "vs")]
    assert catalog.table_exists("edc.vs") and not catalog.table_exists("edc.nope")
    with pytest.raises(NoSuchTableError):
        catalog.load_table("edc.nope")

    # Appends, an overwrite and a delete, committed by floe server.
    table.append(vitals(30))
    table.append(vitals(20, start=30))
    table.overwrite(vitals(5, start=100), overwrite_filter=EqualTo("site", "S01"))
    table.delete(EqualTo("id", 0))
    table = catalog.load_table("edc.vs")
    assert len(table.snapshots()) >= 4
    ids = sorted(table.scan().to_arrow()["id"].to_pylist())
    expected = sorted([i for i in range(50) if i % 3 != 1 and i != 0] + list(range(100, 105)))
    assert ids == expected
    # Every snapshot reads the same in floe (same warehouse, same catalog).
    for snapshot in table.snapshots():
        mine = sorted(json.loads(line)["id"] for line in floe.run(
            "table", "scan", "edc.vs", "--snapshot", snapshot.snapshot_id,
            "--warehouse", floe_server.warehouse).stdout.splitlines())
        assert mine == sorted(table.scan(snapshot_id=snapshot.snapshot_id).to_arrow()["id"].to_pylist())

    # Schema evolution and properties.
    with table.update_schema() as update:
        update.add_column("note", StringType())
    with table.transaction() as tx:
        tx.set_properties(retention="7y")
    table = catalog.load_table("edc.vs")
    assert [f.name for f in table.schema().fields] == ["id", "site", "ts", "note"]
    assert table.properties["retention"] == "7y" and table.properties["owner"] == "dm"
    table.append(vitals(3, start=200).append_column("note", pa.array(["a", None, "c"], pa.string())))
    assert catalog.load_table("edc.vs").scan(row_filter="note = 'c'").to_arrow()["id"].to_pylist() == [202]

    # An append built on an old base lands in one request: the server rebases it onto main.
    stale = catalog.load_table("edc.vs")
    table.append(vitals(1, start=300))
    stale.append(vitals(1, start=400))
    assert stale.current_snapshot().parent_snapshot_id == table.current_snapshot().snapshot_id
    assert {300, 400} <= set(catalog.load_table("edc.vs").scan().to_arrow()["id"].to_pylist())
    log = [json.loads(line[line.index("{"):]) for line in floe_server.log().splitlines() if '"method"' in line]
    assert not any(e["path"] == "/v1/namespaces/edc/tables/vs" and e["status"] == 409 for e in log)
    # A delete built on an old base gets 409 (its requirement names the old main); PyIceberg
    # refreshes and retries, and the delete lands.
    stale = catalog.load_table("edc.vs")
    table = catalog.load_table("edc.vs")
    table.append(vitals(1, start=500))
    stale.delete(EqualTo("id", 300))
    assert set(catalog.load_table("edc.vs").scan().to_arrow()["id"].to_pylist()) & {300, 400, 500} == {400, 500}
    log = [json.loads(line[line.index("{"):]) for line in floe_server.log().splitlines() if '"method"' in line]
    assert any(e["path"] == "/v1/namespaces/edc/tables/vs" and e["status"] == 409 for e in log)

    # Rename, register, drop.
    catalog.rename_table("edc.vs", "edc.vitals")
    assert catalog.list_tables("edc") == [("edc", "vitals")]
    location = catalog.load_table("edc.vitals").metadata_location
    catalog.register_table(("edc", "copy"), location)
    assert catalog.load_table("edc.copy").scan().to_arrow().num_rows == \
        catalog.load_table("edc.vitals").scan().to_arrow().num_rows
    catalog.drop_table("edc.copy")
    assert not catalog.table_exists("edc.copy")
    assert floe.run("table", "list", "edc", "--warehouse", floe_server.warehouse).stdout.split() == ["edc.vitals"]


def test_table_errors_follow_the_spec(floe_server):
    rest(floe_server).create_namespace("ns")
    schema = {"type": "struct", "fields": [{"id": 1, "name": "id", "required": False, "type": "long"}]}
    cases = [
        ("GET", "/v1/namespaces/missing/tables/t", None, 404, "NoSuchTableException",
         "Table does not exist: missing.t"),
        ("GET", "/v1/namespaces/missing/tables", None, 404, "NoSuchNamespaceException", "missing"),
        ("POST", "/v1/namespaces/missing/tables", {"name": "t", "schema": schema}, 404,
         "NoSuchNamespaceException", "Namespace does not exist: missing"),
        ("POST", "/v1/namespaces/ns/tables", {"name": "t"}, 400, "BadRequestException", "'schema'"),
        ("POST", "/v1/namespaces/ns/tables", {"name": "t", "schema": {"type": "struct", "fields": 3}}, 400,
         "BadRequestException", ""),
        ("POST", "/v1/namespaces/ns/tables", {"name": "t", "schema": schema, "location": "/a/../b"}, 400,
         "BadRequestException", "location"),
        ("POST", "/v1/namespaces/ns/tables", {"name": "t", "schema": schema, "location": "relative/dir"}, 400,
         "BadRequestException", "location"),
        ("POST", "/v1/namespaces/ns/tables/t", {"requirements": [], "updates": []}, 404,
         "NoSuchTableException", "Table does not exist: ns.t"),
        ("POST", "/v1/tables/rename", {"source": {"namespace": ["ns"], "name": "t"},
                                       "destination": {"namespace": ["ns"], "name": "u"}}, 404,
         "NoSuchTableException", "Table does not exist: ns.t"),
        # Outside the warehouse: refused before the file is looked at (no existence oracle) ...
        ("POST", "/v1/namespaces/ns/register", {"name": "r", "metadata-location": "/nonexistent/m.json"}, 400,
         "BadRequestException", "'metadata-location' /nonexistent/m.json is outside the warehouse"),
        # ... inside it, a missing file is a 404 as in Java.
        ("POST", "/v1/namespaces/ns/register",
         {"name": "r", "metadata-location": f"{floe_server.warehouse}/nonexistent/m.json"}, 404,
         "NotFoundException", f"Failed to open input stream for file: {floe_server.warehouse}/nonexistent/m.json"),
    ]
    for method, path, body, status, kind, message in cases:
        got_status, got = http(floe_server, method, path, body)
        assert got_status == status, (method, path, got)
        assert got["error"]["type"] == kind, got
        assert message in got["error"]["message"], got
    # Commit requirements and bad updates.
    status, created = http(floe_server, "POST", "/v1/namespaces/ns/tables", {"name": "t", "schema": schema})
    assert status == 200 and created["metadata-location"].endswith(".metadata.json")
    uuid = created["metadata"]["table-uuid"]
    commits = [
        ({"requirements": [{"type": "assert-table-uuid", "uuid": "0" * 8 + "-0000-0000-0000-" + "0" * 12}],
          "updates": []}, 409, "Requirement failed: UUID does not match"),
        ({"requirements": [{"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": 5}], "updates": []},
         409, "Requirement failed: branch or tag main is missing, expected 5"),
        ({"requirements": [{"type": "assert-current-schema-id", "current-schema-id": 7}], "updates": []},
         409, "Requirement failed: current schema changed: expected id 7 != 0"),
        ({"requirements": [{"type": "assert-nonsense"}], "updates": []}, 400, "unknown requirement"),
        ({"requirements": [], "updates": [{"action": "explode"}]}, 400, "unknown or unsupported update"),
        ({"requirements": [], "updates": [{"action": "set-current-schema", "schema-id": -1}]}, 400,
         "no schema has been added"),
        ({"requirements": [], "updates": [{"action": "set-snapshot-ref", "ref-name": "main", "snapshot-id": 9,
                                           "type": "branch"}]}, 400, "snapshot 9 does not exist"),
        ({"requirements": "nope"}, 400, "must be arrays"),
    ]
    for body, status, message in commits:
        got_status, got = http(floe_server, "POST", "/v1/namespaces/ns/tables/t", body)
        assert got_status == status, (body, got)
        assert message in got["error"]["message"], (body, got)
    # A commit that changes nothing writes nothing.
    status, same = http(floe_server, "POST", "/v1/namespaces/ns/tables/t",
                        {"requirements": [{"type": "assert-table-uuid", "uuid": uuid}], "updates": []})
    assert status == 200 and same["metadata-location"] == created["metadata-location"]


def test_etags_spare_unchanged_loads(floe_server):
    """A load answers with an ETag per metadata file and snapshots mode; sending it back as
    If-None-Match gets 304 and no body until the table changes (or its metadata file vanishes)."""
    import pyarrow as pa

    catalog = rest(floe_server)
    catalog.create_namespace("edc")
    table = catalog.create_table("edc.ae", schema=pa.schema([pa.field("id", pa.int64())]))

    def load(query: str = "", tag: str | None = None) -> tuple[int, str | None, bytes]:
        headers = {"If-None-Match": tag} if tag else {}
        request = urllib.request.Request(f"{floe_server.uri}/v1/namespaces/edc/tables/ae{query}",
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers.get("ETag"), response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("ETag"), e.read()

    status, tag, body = load()
    assert status == 200 and tag and json.loads(body)["metadata"]["table-uuid"] == str(table.metadata.table_uuid)
    assert load(tag=tag)[0] == 304 and load(tag=tag)[2] == b""
    status, refs_tag, _ = load("?snapshots=refs")
    assert status == 200 and refs_tag != tag
    assert load("?snapshots=refs", tag=tag)[0] == 200  # another mode, another tag
    assert load(tag="something else")[0] == 200
    table.append(pa.table({"id": [1, 2]}))
    status, new_tag, body = load(tag=tag)
    assert status == 200 and new_tag != tag and json.loads(body)["metadata"]["current-snapshot-id"]
    metadata = local_path(json.loads(body)["metadata-location"])
    os.rename(metadata, f"{metadata}.moved")
    status, _, body = load(tag=new_tag)
    assert status == 404 and json.loads(body)["error"]["type"] == "NotFoundException"


def test_multi_table_transactions_are_atomic(floe_server):
    """POST /v1/transactions/commit: both tables change, or (one requirement failing) neither."""
    import pyarrow as pa

    catalog = rest(floe_server)
    catalog.create_namespace("edc")
    a = catalog.create_table("edc.a", schema=pa.schema([pa.field("id", pa.int64())]))
    b = catalog.create_table("edc.b", schema=pa.schema([pa.field("id", pa.int64())]))

    def change(name: str, uuid, props: dict) -> dict:
        return {"identifier": {"namespace": ["edc"], "name": name},
                "requirements": [{"type": "assert-table-uuid", "uuid": str(uuid)}],
                "updates": [{"action": "set-properties", "updates": props}]}

    def props(name: str) -> dict:
        return catalog.load_table(f"edc.{name}").properties

    status, _ = http(floe_server, "POST", "/v1/transactions/commit",
                     {"table-changes": [change("a", a.metadata.table_uuid, {"k": "1"}),
                                        change("b", b.metadata.table_uuid, {"k": "1"})]})
    assert status == 204 and props("a") == {"k": "1"} and props("b") == {"k": "1"}
    before = {n: catalog.load_table(f"edc.{n}").metadata_location for n in "ab"}
    status, body = http(floe_server, "POST", "/v1/transactions/commit",
                        {"table-changes": [change("a", a.metadata.table_uuid, {"k": "2"}),
                                           change("b", a.metadata.table_uuid, {"k": "2"})]})
    assert status == 409 and body["error"]["type"] == "CommitFailedException"
    assert "UUID does not match" in body["error"]["message"]
    assert {n: catalog.load_table(f"edc.{n}").metadata_location for n in "ab"} == before
    assert props("a") == {"k": "1"}
    # every metadata file in the table directories is referenced: the failed attempt left none
    for n in "ab":
        files = sorted(p.name for p in (floe_server.warehouse / "edc.db" / n / "metadata").glob("*.metadata.json"))
        assert len(files) == 2, files
    status, body = http(floe_server, "POST", "/v1/transactions/commit",
                        {"table-changes": [change("a", a.metadata.table_uuid, {}),
                                           change("nope", a.metadata.table_uuid, {})]})
    assert status == 404 and body["error"]["type"] == "NoSuchTableException"
    status, body = http(floe_server, "POST", "/v1/transactions/commit",
                        {"table-changes": [change("a", a.metadata.table_uuid, {}),
                                           change("a", a.metadata.table_uuid, {})]})
    assert status == 400
    status, body = http(floe_server, "POST", "/v1/transactions/commit", {"table-changes": []})
    assert status == 400


def test_hostile_locations_are_refused(floe_server, tmp_path):
    """A table may not be created at (or moved to) a relative path, a path with '..', the warehouse
    or a directory above it, a directory outside it, or a directory inside another table; each
    answer is a 400 naming why. (test_server_hostile_locations covers every other way in.)"""
    catalog = rest(floe_server)
    catalog.create_namespace("edc")
    schema = {"type": "struct", "fields": [{"id": 1, "name": "id", "required": False, "type": "long"}]}
    status, body = http(floe_server, "POST", "/v1/namespaces/edc/tables", {"name": "a", "schema": schema})
    assert status == 200
    a_dir = body["metadata"]["location"]
    bad = {
        "relative": "relative/dir",
        "dotdot": f"{floe_server.warehouse}/edc.db/../../escape",
        "warehouse": str(floe_server.warehouse),
        "root": "/",
        "above the warehouse": str(floe_server.warehouse.parent),
        "inside a table": f"{a_dir}/data/nested",
        "inside a table (file URI)": f"file://{a_dir}/metadata/x",
        "outside the warehouse": str(tmp_path / "elsewhere" / "b"),
    }
    for why, location in bad.items():
        status, body = http(floe_server, "POST", "/v1/namespaces/edc/tables",
                            {"name": "b", "schema": schema, "location": location})
        assert status == 400, (why, body)
        assert body["error"]["message"].startswith("Malformed request: 'location'"), (why, body)
    # Elsewhere inside the warehouse is fine (engines choose their locations), as is a table's own
    # directory after it was renamed away (Java allows it: every file has a unique name).
    status, body = http(floe_server, "POST", "/v1/namespaces/edc/tables",
                        {"name": "b", "schema": schema, "location": str(floe_server.warehouse / "elsewhere" / "b")})
    assert status == 200, body
    uuid = body["metadata"]["table-uuid"]
    status, body = http(floe_server, "POST", "/v1/namespaces/edc/tables/b",
                        {"requirements": [{"type": "assert-table-uuid", "uuid": uuid}],
                         "updates": [{"action": "set-location", "location": f"{a_dir}/data/x"}]})
    assert status == 400 and "inside the table" in body["error"]["message"]
    assert ("edc", "b") in catalog.list_tables("edc")


def test_metrics_reports_are_kept_and_listed(floe_server, floe):
    """Scan and commit reports sent to POST .../metrics are stored in the catalog and listed, newest
    first, by floe's GET extension and by `floe table metrics` (on the catalog and through the
    server); malformed reports are refused."""
    import pyarrow as pa

    catalog = rest(floe_server)
    catalog.create_namespace("edc")
    catalog.create_table("edc.ae", schema=pa.schema([pa.field("id", pa.int64())]))
    scan = {"report-type": "scan-report", "table-name": "edc.ae", "snapshot-id": 1, "schema-id": 0,
            "filter": True, "projected-field-ids": [1], "projected-field-names": ["id"],
            "metrics": {"total-planning-duration": {"count": 1, "time-unit": "nanoseconds", "total-duration": 5}}}
    commit = {"report-type": "commit-report", "table-name": "edc.ae", "snapshot-id": 2, "sequence-number": 1,
              "operation": "append", "metrics": {}}
    for report in (scan, commit):
        assert http(floe_server, "POST", "/v1/namespaces/edc/tables/ae/metrics", report)[0] == 204
        time.sleep(0.01)  # distinct receive times
    status, body = http(floe_server, "GET", "/v1/namespaces/edc/tables/ae/metrics")
    assert status == 200 and [r["report"] for r in body["reports"]] == [commit, scan]
    status, body = http(floe_server, "GET", "/v1/namespaces/edc/tables/ae/metrics?limit=1")
    assert [r["report"]["report-type"] for r in body["reports"]] == ["commit-report"]
    for args in (floe_server.catalog_args, ["--catalog", floe_server.uri]):
        lines = [json.loads(line) for line in floe.run("table", "metrics", "edc.ae", *args).stdout.splitlines()]
        assert [line["report"] for line in lines] == [commit, scan]
    assert http(floe_server, "POST", "/v1/namespaces/edc/tables/ae/metrics", {"report-type": "x"})[0] == 400
    assert http(floe_server, "POST", "/v1/namespaces/edc/tables/ae/metrics", b"not json")[0] == 400
    # A report on a table not committed yet (Spark's staged CTAS) is kept too, as Java keeps it.
    assert http(floe_server, "POST", "/v1/namespaces/edc/tables/staged/metrics", scan)[0] == 204


def test_statistics_updates_over_rest(floe_server):
    """set-/remove-statistics and set-/remove-partition-statistics, as the spec's updates: one file
    per snapshot (a second replaces the first), PyIceberg reads them back, removal takes them away,
    and a file without its snapshot-id is a 400."""
    import pyarrow as pa

    catalog = rest(floe_server)
    catalog.create_namespace("edc")
    table = catalog.create_table("edc.s", schema=pa.schema([pa.field("id", pa.int64())]))
    table.append(pa.table({"id": pa.array([1, 2], pa.int64())}))
    sid = catalog.load_table("edc.s").current_snapshot().snapshot_id
    path = "/v1/namespaces/edc/tables/s"

    def stats(file: str) -> dict:
        return {"snapshot-id": sid, "statistics-path": f"/nowhere/{file}", "file-size-in-bytes": 10,
                "file-footer-size-in-bytes": 4, "blob-metadata": []}

    def commit(*updates) -> int:
        return http(floe_server, "POST", path, {"requirements": [], "updates": list(updates)})[0]

    assert commit({"action": "set-statistics", "statistics": stats("a.stats")},
                  {"action": "set-statistics", "statistics": stats("b.stats")},
                  {"action": "set-partition-statistics", "partition-statistics":
                   {"snapshot-id": sid, "statistics-path": "/nowhere/p.parquet", "file-size-in-bytes": 7}}) == 200
    metadata = catalog.load_table("edc.s").metadata
    assert [(s.snapshot_id, s.statistics_path) for s in metadata.statistics] == [(sid, "/nowhere/b.stats")]
    assert [(s.snapshot_id, s.statistics_path, s.file_size_in_bytes) for s in metadata.partition_statistics] == \
        [(sid, "/nowhere/p.parquet", 7)]

    assert commit({"action": "remove-statistics", "snapshot-id": sid},
                  {"action": "remove-partition-statistics", "snapshot-id": sid}) == 200
    metadata = catalog.load_table("edc.s").metadata
    assert metadata.statistics == [] and metadata.partition_statistics == []
    status, body = http(floe_server, "POST", path, {"requirements": [], "updates": [
        {"action": "set-statistics", "statistics": {"statistics-path": "/nowhere/c.stats"}}]})
    assert status == 400 and "snapshot-id" in body["error"]["message"], body
