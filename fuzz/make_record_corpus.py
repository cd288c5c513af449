"""Seed corpus for fuzz/json_record_fuzzer: the first byte picks Append (even) or Parse +
Scalar + AppendParsed (odd), the rest is a Kafka record value. Seeds: records of the fuzzer's
schema with every type, bad ones of each kind the decoder refuses, and documents nested just
under and far over the 64-level limit (megabytes), so that the fuzzer starts at the limits.

    make_record_corpus.py OUT_DIR [--floe BINARY]   (--floe is accepted and not needed)
"""

import argparse
import json
import pathlib

GOOD = {"id": 7, "n": -3, "s": "S-001", "d": "12.50", "t": "2026-11-25T08:30:00+01:00", "f": 1.5,
        "b": True, "u": "123e4567-e89b-12d3-a456-426614174000", "bin": "AAEC", "day": "2026-11-25",
        "point": {"x": 4, "tags": ["a", None]}, "m": {"k": [1, 2], "l": []}}
BAD = [b'{"id": 1, "s": ', b'[1, 2]', b'{"id": "x"}', b'{"n": 1}', b'{"id": 1, "id": 2}',
       b'{"id": 1, "d": 1.005}', b'{"id": 1, "point": {"tags": []}}', b'{"id": 1} trailing',
       b'{"id": 1, "t": 99999999999999999}', b'\xff\xfe']


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--floe")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    seeds = [json.dumps(GOOD).encode(), json.dumps({"id": 1}).encode()] + BAD
    deep_ok = b'{"id": 1, "x": ' + b"[" * 60 + b"]" * 60 + b"}"
    deep_bad = b'{"id": 1, "x": ' + b"[" * 200000 + b"]" * 200000 + b"}"
    wide = json.dumps({"id": 1, "s": "x" * 500000, "m": {f"k{i}": [i] for i in range(5000)}}).encode()
    seeds += [deep_ok, deep_bad, wide]
    for i, seed in enumerate(seeds):
        for mode in (0, 1):
            (out / f"seed-{i:02d}-{mode}").write_bytes(bytes([mode]) + seed)


if __name__ == "__main__":
    main()
