"""Seed corpus for fuzz/puffin_footer_fuzzer: Puffin files written here from the spec
(format/puffin-spec.md): no blobs, deletion-vector blobs, several blobs with properties,
and a footer nested to the JSON depth limit.

    make_puffin_corpus.py OUT_DIR [--floe BINARY]   (--floe is accepted and unused)
"""

import argparse
import json
import pathlib
import struct

MAGIC = b"PFA1"


def puffin(blobs: list[bytes], payload_extra: dict | None = None, raw_payload: bytes | None = None) -> bytes:
    body = bytearray(MAGIC)
    meta = []
    for i, blob in enumerate(blobs):
        meta.append({"type": "deletion-vector-v1", "fields": [2147483545], "snapshot-id": -1,
                     "sequence-number": -1, "offset": len(body), "length": len(blob),
                     "properties": {"referenced-data-file": f"s3://b/t/data/{i}.parquet",
                                    "cardinality": str(i + 1)}})
        body += blob
    footer = {"blobs": meta, "properties": {"created-by": "make_puffin_corpus"}}
    footer.update(payload_extra or {})
    payload = raw_payload if raw_payload is not None else json.dumps(footer).encode()
    return bytes(body + MAGIC + payload + struct.pack("<iI", len(payload), 0) + MAGIC)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--floe")
    out = pathlib.Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    seeds = {
        "empty": puffin([]),
        "one": puffin([b"\x00\x00\x00\x0c\xd1\xd3\x39\x64" + bytes(12)]),
        "three": puffin([b"a" * 10, b"b" * 100, b"c"]),
        "codec": puffin([b"x" * 8], {"blobs": [{"type": "t", "fields": [], "snapshot-id": 1,
                                                "sequence-number": 1, "offset": 4, "length": 8,
                                                "compression-codec": "zstd"}]}),
        "deep": puffin([], raw_payload=b'{"blobs": [], "properties": ' + b"[" * 70 + b"]" * 70 + b"}"),
    }
    for name, data in seeds.items():
        (out / f"{name}.puffin").write_bytes(data)


if __name__ == "__main__":
    main()
