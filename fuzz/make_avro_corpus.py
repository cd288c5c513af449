"""Writes the seed corpus for fuzz/avro_reader_fuzzer: small, diverse Avro files.

    .venv/bin/python fuzz/make_avro_corpus.py OUT_DIR [--floe build/floe]

Seeds come from fastavro (every type, every codec, small and large blocks, a
recursive schema) and floe's own writer (every codec). Each is a few KB, so
the fuzzer mutates structure rather than bulk. Deterministic; generated at
test time, never committed.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

import fastavro

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests" / "interop"))
from test_avro_interop import SCHEMA, norm, records  # noqa: E402

CODECS = ["null", "deflate", "snappy", "zstandard"]
SYNC = bytes(range(16))  # fixed sync markers keep the corpus deterministic

RECURSIVE = {"type": "record", "name": "node", "fields": [
    {"name": "v", "type": "long"},
    {"name": "kids", "type": {"type": "array", "items": "node"}},
    {"name": "m", "type": {"type": "map", "values": ["null", "node"]}}]}


def tree(depth: int) -> dict:
    return {"v": depth, "kids": [tree(depth - 1)] if depth else [],
            "m": {"x": tree(depth - 2)} if depth > 1 else {}}


def write_fastavro(path: pathlib.Path, schema, rows, codec: str, interval: int) -> None:
    with open(path, "wb") as f:
        fastavro.writer(f, fastavro.parse_schema(json.loads(json.dumps(schema))), rows,
                        codec=codec, sync_interval=interval, sync_marker=SYNC,
                        metadata={"format-version": "2"})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--floe", type=pathlib.Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = records(12)
    for codec in CODECS:
        write_fastavro(args.out / f"fastavro-{codec}.avro", SCHEMA, rows, codec, 16000)
        write_fastavro(args.out / f"fastavro-{codec}-small-blocks.avro", SCHEMA, rows, codec, 200)
    write_fastavro(args.out / "fastavro-recursive.avro", RECURSIVE, [tree(4), tree(1)], "null",
                   16000)
    write_fastavro(args.out / "fastavro-empty.avro", SCHEMA, [], "null", 16000)
    if args.floe:
        with tempfile.TemporaryDirectory() as tmp:
            tmpdir = pathlib.Path(tmp)
            src = tmpdir / "src.avro"
            write_fastavro(src, SCHEMA, rows, "null", 16000)
            saved = dict(fastavro.read.LOGICAL_READERS)
            fastavro.read.LOGICAL_READERS.clear()
            with open(src, "rb") as f:
                raw = [norm(r) for r in fastavro.reader(f)]
            fastavro.read.LOGICAL_READERS.update(saved)
            (tmpdir / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in raw))
            (tmpdir / "schema.avsc").write_text(json.dumps(SCHEMA))
            for codec in CODECS:
                subprocess.run([str(args.floe), "avro", "write", tmpdir / "rows.jsonl",
                                args.out / f"floe-{codec}.avro", "--schema",
                                tmpdir / "schema.avsc", "--codec", codec, "--block-bytes", "400",
                                "--meta", "content=data"], check=True)
    print(f"wrote {len(list(args.out.iterdir()))} seeds to {args.out}")


if __name__ == "__main__":
    main()
