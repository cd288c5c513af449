"""Seed corpus for fuzz/avro_record_fuzzer: the first byte picks Append (even) or Parse + Scalar +
AppendParsed (odd), and with 0x80 set the rest carries its own wire-format header; the rest is a
binary datum of the fuzzer's writer schema. Seeds: good datums (unions on each branch, a nested
tree, maps and arrays in several blocks), truncations, and hostile counts at the size limits.

    make_avro_record_corpus.py OUT_DIR [--floe BINARY]   (--floe is accepted and not needed)
"""

import argparse
import pathlib
import struct


def long(v: int) -> bytes:
    z = (v << 1) ^ (v >> 63)
    z &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = z & 0x7F
        z >>= 7
        if z:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def string(s: bytes) -> bytes:
    return long(len(s)) + s


def tree(depth: int) -> bytes:
    if depth == 0:
        return long(0) + long(0)  # no kids, label null
    return long(1) + tree(depth - 1) + long(0) + long(1) + string(b"node")


def datum(n_branch: int = 1, depth: int = 2, blocks: bool = False) -> bytes:
    out = long(7)  # id
    out += long(n_branch) + (long(-3) if n_branch == 1 else string(b"42") if n_branch == 2 else b"")
    out += string(b"S-001")
    out += (1250).to_bytes(6, "big", signed=True)  # d
    out += long(1764059400123)  # t
    out += string(b"2026-11-25T08:30:00+01:00")
    out += struct.pack("<f", 1.5)
    out += long(2)  # enum C
    out += bytes(range(16))
    out += tree(depth)
    out += long(1) + long(4)  # point: x
    out += long(2) + long(1) + string(b"a") + long(0) + long(0)  # tags ["a", null]
    if blocks:  # a map in two blocks, the second with its byte size
        out += long(1) + string(b"k") + long(1) + long(5) + long(0)
        entry = string(b"l") + long(0)
        out += long(-1) + long(len(entry)) + entry + long(0)
    else:
        out += long(0)
    out += long(3) + long(0)  # three nulls
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--floe")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    good = [datum(), datum(0, 0), datum(2, 5, True), datum(1, 60)]
    seeds = [bytes([i % 2]) + g for i, g in enumerate(good)]
    seeds += [b"\x80\x00\x00\x00\x00\x01" + good[0], b"\x81\x01\x00\x00\x00\x01" + good[0]]
    seeds += [b"\x00" + good[2][: len(good[2]) // 2], b"\x01" + good[0] + b"extra"]
    hostile = long(7) + long(0) + string(b"s") + bytes(6) + long(0) + string(b"x") + bytes(4) + long(0) + bytes(16)
    seeds += [b"\x00" + hostile + long(1 << 40), b"\x00" + hostile + long(1) * 200 + long(0) * 200,
              b"\x00" + datum()[:-3] + long(1 << 30) + long(0)]
    for i, s in enumerate(seeds):
        (out / f"seed-{i:02d}").write_bytes(s)


if __name__ == "__main__":
    main()
