"""`floe server`: the Iceberg REST catalog. PyIceberg's RestCatalog and plain HTTP are the judges."""

import json
import urllib.error
import urllib.request

import pytest
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
    assert catalog.load_namespace_properties("edc") == {"owner": "data-management"}
    assert catalog.namespace_exists("edc") and not catalog.namespace_exists("nope")
    with pytest.raises(NoSuchNamespaceError):
        catalog.load_namespace_properties("nope")
    summary = catalog.update_namespace_properties("edc", removals={"owner", "gone"}, updates={"site": "S01"})
    assert summary.removed == ["owner"] and summary.missing == ["gone"] and summary.updated == ["site"]
    assert catalog.load_namespace_properties("edc") == {"site": "S01"}
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
