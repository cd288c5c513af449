"""floe server against hostile request bodies: JSON nested past 64 levels at every JSON entry
point (refused with 400, never a crash: a recursive parser or printer overflows its stack long
before 200,000 levels), 64 levels still accepted, bodies over --max-body-bytes (413), bodies cut
short by the client, and invalid JSON. After each, the server keeps answering other clients."""

import json
import socket

import pytest

from harness.hostile import (SCHEMA, VIEW_VERSION, assert_serving, connect, expect_error, request,
                             serve, short, status_of, wait_closed)

DEPTH_LIMIT = 64


# --- deep JSON ------------------------------------------------------------------------------------

def list_type(levels: int) -> str:
    """A field type of `levels` nested lists (one JSON object per level): what a schema parser
    recurses into."""
    head = "".join('{"type":"list","element-id":%d,"element":' % (i + 2) for i in range(levels))
    return head + '"long"' + ',"element-required":false}' * levels


def arrays(levels: int) -> str:
    return "[" * levels + "]" * levels


def objects(levels: int) -> str:
    return '{"a":' * levels + "null" + "}" * levels


def schema_with(field_type: str) -> str:
    return '{"type":"struct","fields":[{"id":1,"name":"deep","required":false,"type":%s}]}' % field_type


TABLE_CHANGE = '{"identifier":{"namespace":["ns"],"name":"t"},"requirements":[],' \
               '"updates":[{"action":"add-schema","schema":%s}]}'
SCAN_REPORT = '{"report-type":"scan-report","table-name":"ns.t","snapshot-id":1,"schema-id":0,' \
              '"filter":true,"projected-field-ids":[1],"projected-field-names":["id"],"metrics":%s}'

# Every route that parses a JSON body: (method, path, body with DEEP where the nesting goes and
# META for table t's metadata file, what nests there). The server has namespace ns and table ns.t.
ENTRY_POINTS = {
    "create namespace": ("POST", "/v1/namespaces", '{"namespace":["deep"],"properties":{"k":DEEP}}', arrays),
    "create table": ("POST", "/v1/namespaces/ns/tables", '{"name":"deep","schema":%s}' % schema_with("DEEP"),
                     list_type),
    "commit table": ("POST", "/v1/namespaces/ns/tables/t",
                     '{"requirements":[],"updates":[{"action":"add-schema","schema":%s}]}' % schema_with("DEEP"),
                     list_type),
    "commit transaction": ("POST", "/v1/transactions/commit",
                           '{"table-changes":[%s]}' % (TABLE_CHANGE % schema_with("DEEP")), list_type),
    "register table": ("POST", "/v1/namespaces/ns/register",
                       '{"name":"deep","metadata-location":"META","x-deep":DEEP}', objects),
    "create view": ("POST", "/v1/namespaces/ns/views",
                    '{"name":"deep","schema":%s,"view-version":%s}' % (schema_with("DEEP"), json.dumps(VIEW_VERSION)),
                    list_type),
    "namespace properties": ("POST", "/v1/namespaces/ns/properties", '{"removals":DEEP,"updates":{}}', arrays),
    "metrics report": ("POST", "/v1/namespaces/ns/tables/t/metrics", SCAN_REPORT % "DEEP", objects),
    "rename table": ("POST", "/v1/tables/rename",
                     '{"source":{"namespace":DEEP,"name":"t"},"destination":{"namespace":["ns"],"name":"u"}}',
                     arrays),
}


def depth(text: str) -> int:
    """How deep arrays and objects nest in JSON `text` (strings skipped)."""
    deepest = level = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            level += 1
            deepest = max(deepest, level)
        elif ch in "]}":
            level -= 1
    return deepest


def deep_body(entry: str, total_depth: int, meta: str) -> bytes:
    """The entry point's body nested `total_depth` levels in all (its envelope included)."""
    _, _, template, nest = ENTRY_POINTS[entry]

    def build(levels: int) -> str:
        return template.replace("META", meta).replace("DEEP", nest(levels))

    envelope = depth(build(1)) - 1
    text = build(total_depth - envelope)
    if total_depth < 1000:
        assert depth(text) == total_depth and json.loads(text) is not None
    return text.encode()


def make_table(server) -> str:
    """Namespace ns and table ns.t; returns t's metadata file."""
    assert request(server, "POST", "/v1/namespaces", {"namespace": ["ns"]})[0] == 200
    status, body = request(server, "POST", "/v1/namespaces/ns/tables", {"name": "t", "schema": SCHEMA})
    assert status == 200, short(body)
    return body["metadata-location"]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("levels", [DEPTH_LIMIT + 1, pytest.param(200_000, marks=pytest.mark.slow)])
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_json_nested_deeper_than_64_is_refused(tmp_path, entry, levels):
    """65 levels and 200,000 levels (a schema of nested lists is ~14 MB, hence --max-body-bytes
    64 MiB) get the same 400, with nothing changed, and the server lives on."""
    with serve(tmp_path, "--max-body-bytes", 64 << 20) as server:
        meta = make_table(server)
        method, path, _, _ = ENTRY_POINTS[entry]
        expect_error(server, method, path, deep_body(entry, levels, meta), 400,
                     f"nested deeper than {DEPTH_LIMIT}")
        assert_serving(server)
        assert request(server, "GET", "/v1/namespaces/deep")[0] == 404
        assert request(server, "GET", "/v1/namespaces/ns/tables/deep")[0] == 404
        assert request(server, "GET", "/v1/namespaces/ns/views/deep")[0] == 404


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_json_nested_exactly_64_deep_is_not_refused_for_depth(tmp_path, entry):
    """64 levels is the limit, not past it: whatever the route answers, it is not a depth error
    (nor a server error)."""
    with serve(tmp_path) as server:
        meta = make_table(server)
        method, path, _, _ = ENTRY_POINTS[entry]
        status, answer = request(server, method, path, deep_body(entry, DEPTH_LIMIT, meta))
        assert status is not None and status < 500, short(answer)
        assert "nested deeper" not in json.dumps(answer), short(answer)
        assert_serving(server)


# --- body size, truncation and invalid JSON -------------------------------------------------------

def test_body_over_max_body_bytes_gets_413(tmp_path):
    """A whole (valid) body over --max-body-bytes is refused before it is parsed."""
    with serve(tmp_path, "--max-body-bytes", 4096) as server:
        body = {"namespace": ["big"], "properties": {"k": "v" * 8192}}
        error = expect_error(server, "POST", "/v1/namespaces", body, 413, "4096", types=None)
        assert "body" in error["message"], error
        assert request(server, "GET", "/v1/namespaces/big")[0] == 404
        assert_serving(server)


def test_truncated_body_then_half_close_is_not_served(tmp_path):
    """Content-Length 1000 but only a (complete-looking) JSON object sent, then the client
    half-closes: the server must not run the request on the partial body, nor crash; it closes
    the connection (a 400 first is fine)."""
    with serve(tmp_path) as server:
        s = connect(server)
        part = json.dumps({"namespace": ["truncated"]}).encode()
        s.sendall(b"POST /v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + part)
        s.shutdown(socket.SHUT_WR)
        answer = wait_closed(s, 10)
        s.close()
        assert answer is not None, "the server kept a half-closed connection with a truncated body open"
        assert answer == b"" or status_of(answer) == 400, answer[:300]
        assert_serving(server)
        assert request(server, "GET", "/v1/namespaces/truncated")[0] == 404


BAD_JSON = {
    "not JSON": b"{not json",
    "truncated": b'{"namespace": ["a"',
    "trailing garbage": b'{"namespace": ["a"]} {"namespace": ["b"]}',
    "invalid UTF-8": b'{"namespace": ["\xff\xfe"]}',
    "lone surrogate escape": b'{"namespace": ["\\ud800"]}',
    "NUL after the object": b'{"namespace": ["a"]}\x00',
    "empty": b"",
    "an array, not an object": b'[{"namespace": ["a"]}]',
}


@pytest.mark.parametrize("kind", BAD_JSON)
def test_invalid_json_gets_400_saying_so(tmp_path, kind):
    with serve(tmp_path) as server:
        expect_error(server, "POST", "/v1/namespaces", BAD_JSON[kind], 400, "JSON")
        status, body = request(server, "GET", "/v1/namespaces")
        assert status == 200 and body["namespaces"] == [], body
        assert_serving(server)


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_invalid_json_gets_400_at_every_entry_point(tmp_path, entry):
    with serve(tmp_path) as server:
        make_table(server)
        method, path, _, _ = ENTRY_POINTS[entry]
        expect_error(server, method, path, b'{"name": "x", "schema": {', 400, "JSON")
        assert_serving(server)
