"""Seed corpus for fuzz/json_metadata_fuzzer: the first byte picks the parser (0 table metadata,
1 schema, 2 view metadata, 3 name mapping), the rest is the document. Seeds: the metadata file of
a table floe creates (--floe BINARY), a schema with every nested type, a view, a name mapping, and
documents nested just under and far over the 64-level limit (several MB), so that the fuzzer starts
at the limits instead of having to find them.

    make_json_corpus.py OUT_DIR --floe BINARY
"""

import argparse
import json
import pathlib
import subprocess
import tempfile

SCHEMA = {"type": "struct", "schema-id": 0, "fields": [
    {"id": 1, "name": "id", "required": True, "type": "long"},
    {"id": 2, "name": "tags", "required": False,
     "type": {"type": "list", "element-id": 3, "element-required": False, "element": "string"}},
    {"id": 4, "name": "attrs", "required": False,
     "type": {"type": "map", "key-id": 5, "key": "string", "value-id": 6, "value-required": False,
              "value": {"type": "struct", "fields": [
                  {"id": 7, "name": "v", "required": False, "type": "decimal(9, 2)"}]}}}]}
VIEW = {"view-uuid": "fa6506c3-7681-40c8-86dc-e36561f83385", "format-version": 1,
        "location": "/w/lab.db/v", "current-version-id": 1, "properties": {},
        "schemas": [SCHEMA], "versions": [{
            "version-id": 1, "timestamp-ms": 1, "schema-id": 0, "summary": {"operation": "create"},
            "default-namespace": ["lab"],
            "representations": [{"type": "sql", "sql": "SELECT 1", "dialect": "spark"}]}],
        "version-log": [{"version-id": 1, "timestamp-ms": 1}]}
MAPPING = [{"field-id": 1, "names": ["id"]},
           {"field-id": 2, "names": ["tags"], "fields": [{"field-id": 3, "names": ["element"]}]}]


def nested_list_schema(depth: int) -> str:
    """A schema whose one column nests `depth` lists (three JSON levels each)."""
    head = '{"type":"list","element-id":2,"element-required":false,"element":'
    return ('{"type":"struct","fields":[{"id":1,"name":"a","required":false,"type":'
            + head * depth + '"int"' + "}" * depth + "}]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--floe", required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        schema_file = pathlib.Path(tmp) / "schema.json"
        schema_file.write_text(json.dumps(SCHEMA))
        wh = ["--warehouse", str(pathlib.Path(tmp) / "wh")]
        subprocess.run([args.floe, "namespace", "create", "lab", *wh], check=True, capture_output=True)
        subprocess.run([args.floe, "table", "create", "lab.t", "--schema", str(schema_file),
                        "--partition", "bucket(4, id)", "--property", "format-version=3", *wh],
                       check=True, capture_output=True)
        metadata = next((pathlib.Path(tmp) / "wh").rglob("*.metadata.json")).read_bytes()
    seeds = {
        "metadata": b"\x00" + metadata,
        "schema": b"\x01" + json.dumps(SCHEMA).encode(),
        "view": b"\x02" + json.dumps(VIEW).encode(),
        "mapping": b"\x03" + json.dumps(MAPPING).encode(),
        "schema-deep-20": b"\x01" + nested_list_schema(20).encode(),
        "schema-deep-100000": b"\x01" + nested_list_schema(100_000).encode(),
        "metadata-deep-arrays": b"\x00" + b"[" * 3_000_000 + b"]" * 3_000_000,
        "mapping-deep": b"\x03" + b'[{"field-id":1,"names":["a"],"fields":' * 50_000 + b"[]" + b"}]" * 50_000,
    }
    for name, data in seeds.items():
        (args.out / f"seed-{name}").write_bytes(data)


if __name__ == "__main__":
    main()
