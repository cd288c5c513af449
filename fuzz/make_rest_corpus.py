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
