"""Seed corpus for fuzz/rest_catalog_fuzzer: one request per file ("METHOD /path?query", newline,
body), covering the REST catalog's routes with good and bad bodies.

    make_rest_corpus.py OUT_DIR [--floe BINARY]   (--floe is accepted and unused)
"""

import argparse
import json
import pathlib

SEEDS = [
    ("GET", "/v1/config?warehouse=w", ""),
    ("POST", "/v1/namespaces", json.dumps({"namespace": ["edc"], "properties": {"owner": "dm"}})),
    ("POST", "/v1/namespaces", json.dumps({"namespace": ["a", "b"]})),
    ("GET", "/v1/namespaces?parent=a&pageSize=1&pageToken=0", ""),
    ("GET", "/v1/prefix/namespaces/edc", ""),
    ("HEAD", "/v1/namespaces/edc", ""),
    ("POST", "/v1/namespaces/edc/properties", json.dumps({"removals": ["x"], "updates": {"k": "v"}})),
    ("DELETE", "/v1/namespaces/a\x1fb", ""),
    ("POST", "/v1/namespaces", "{\"namespace\": [1, null], \"properties\": []}"),
    ("GET", "/v1/namespaces?pageToken=99999999999999999999", ""),
]


def nested_lists(depth: int) -> str:
    """A create-table body whose one column nests `depth` lists: several MB at the depths below."""
    head = '{"type":"list","element-id":2,"element-required":false,"element":'
    return ('{"name":"deep","schema":{"type":"struct","fields":[{"id":1,"name":"a","required":false,'
            '"type":' + head * depth + '"int"' + "}" * depth + "}]}}")


# Bodies at and far past the 64-level nesting limit, so that the fuzzer starts at the limit.
SEEDS += [
    ("POST", "/v1/namespaces/edc/tables", nested_lists(20)),
    ("POST", "/v1/namespaces/edc/tables", nested_lists(100_000)),
    ("POST", "/v1/transactions/commit", "[" * 2_000_000 + "]" * 2_000_000),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--floe")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for i, (method, target, body) in enumerate(SEEDS):
        (args.out / f"seed-{i:02d}.txt").write_bytes(f"{method} {target}\n{body}".encode())


if __name__ == "__main__":
    main()
