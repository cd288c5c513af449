"""Seed corpus for fuzz/deletion_vector_fuzzer: deletion-vector-v1 blobs (puffin-spec) written
here from the spec, with array, bitmap and run containers, several 32-bit keys, and the 8-byte
header the fuzzer reads (the data file's row count, the manifest's cardinality).

    make_dv_corpus.py OUT_DIR [--floe BINARY]   (--floe is accepted and unused)
"""

import argparse
import pathlib
import struct
import zlib

NO_RUN_COOKIE, RUN_COOKIE = 12346, 12347


def roaring32(values: list[int], runs: bool) -> bytes:
    """The 32-bit Roaring portable layout of sorted distinct `values`."""
    containers: dict[int, list[int]] = {}
    for v in values:
        containers.setdefault(v >> 16, []).append(v & 0xFFFF)
    keys = sorted(containers)
    n = len(keys)
    out = bytearray()
    if runs:
        out += struct.pack("<I", RUN_COOKIE | (n - 1) << 16)
        out += bytes([0xFF] * ((n + 7) // 8))  # every container a run container
    else:
        out += struct.pack("<II", NO_RUN_COOKIE, n)
    for k in keys:
        out += struct.pack("<HH", k, len(containers[k]) - 1)
    bodies = []
    for k in keys:
        low = containers[k]
        if runs:
            pairs, start = [], low[0]
            for a, b in zip(low, low[1:] + [None]):
                if b != a + 1:
                    pairs.append((start, a - start))
                    start = b
            bodies.append(struct.pack("<H", len(pairs)) + b"".join(struct.pack("<HH", *p) for p in pairs))
        elif len(low) > 4096:
            bits = bytearray(8192)
            for v in low:
                bits[v >> 3] |= 1 << (v & 7)
            bodies.append(bytes(bits))
        else:
            bodies.append(b"".join(struct.pack("<H", v) for v in low))
    if not runs or n >= 4:
        offset = len(out) + 4 * n
        for body in bodies:
            out += struct.pack("<I", offset)
            offset += len(body)
    for body in bodies:
        out += body
    return bytes(out)


def blob(positions: list[int], runs: bool = False) -> bytes:
    by_key: dict[int, list[int]] = {}
    for p in sorted(set(positions)):
        by_key.setdefault(p >> 32, []).append(p & 0xFFFFFFFF)
    vector = struct.pack("<Q", len(by_key))
    for key in sorted(by_key):
        vector += struct.pack("<I", key) + roaring32(by_key[key], runs)
    checked = b"\xD1\xD3\x39\x64" + vector
    return struct.pack(">I", len(checked)) + checked + struct.pack(">I", zlib.crc32(checked))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--floe")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = (1 << 24) - 1
    sets = {
        "empty": ([], False), "one": ([0], False), "array": ([3, 9, 70000, 70001, 1 << 20], False),
        "bitmap": (list(range(0, 20000, 2)), False), "runs": (list(range(100, 5000)) + [9000], True),
        "many-containers-runs": ([k << 16 | 1 for k in range(6)], True),
        "wide": ([5, (1 << 32) + 7], False),  # a second key: positions past any 24-bit row count
    }
    for name, (positions, runs) in sets.items():
        header = struct.pack("<II", rows, len(set(positions)))
        (args.out / name).write_bytes(header + blob(positions, runs))


if __name__ == "__main__":
    main()
