"""floe's Parquet writer and reader against pyarrow on SDTM-vitals-like rows.

Both sides start from the same rows in memory (floe loads the source file,
pyarrow reads it into a Table; neither load is timed), write with the same codec
and the same row-group size (rows), and read the files back into memory.
Options after `--`: --rows N (default 10,000,000), --codecs zstd,snappy.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from runner import Comparison, Context

DESCRIPTION = "Parquet write/read of SDTM vitals rows: floe vs pyarrow (same data, codec, row groups)"
ROW_GROUP_ROWS = 1 << 20

TESTS = [("SYSBP", "mmHg", 120.0, 15.0), ("DIABP", "mmHg", 80.0, 10.0), ("PULSE", "beats/min", 72.0, 12.0),
         ("TEMP", "C", 36.8, 0.4), ("RESP", "breaths/min", 16.0, 3.0), ("WEIGHT", "kg", 75.0, 14.0)]


def _mod(values, k):
    return pc.subtract(values, pc.multiply(pc.divide(values, k), k))


def vitals(n: int) -> pa.Table:
    """n rows shaped like SDTM VS: low-cardinality strings, measurements, timestamps, some nulls."""
    idx = pa.array(range(n), pa.int64())
    subject = pc.divide(idx, 60)
    test = _mod(idx, len(TESTS))
    noise = pc.random(n, initializer=42)
    missing = pc.less(pc.random(n, initializer=7), 0.02)

    def pick(values, index, type_=pa.string()):
        return pc.take(pa.array(values, type_), index)

    mean = pick([t[2] for t in TESTS], test, pa.float64())
    sd = pick([t[3] for t in TESTS], test, pa.float64())
    value = pc.round(pc.add(mean, pc.multiply(sd, pc.multiply(pc.subtract(noise, 0.5), 3.4))), 1)
    value = pc.if_else(missing, pa.scalar(None, pa.float64()), value)
    site = pc.add(_mod(subject, 40), 701)
    start = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z in micros
    return pa.table({
        "STUDYID": pc.take(pa.array(["CDISCPILOT01", "CDISCPILOT02", "CDISCPILOT03"]), _mod(subject, 3)),
        "USUBJID": pc.binary_join_element_wise("01", pc.cast(site, pa.string()),
                                               pc.utf8_lpad(pc.cast(subject, pa.string()), 5, "0"), "-"),
        "SITEID": pc.cast(site, pa.string()),
        "VSSEQ": idx,
        "VSTESTCD": pick([t[0] for t in TESTS], test),
        "VSORRES": pc.cast(value, pa.string()),
        "VSSTRESN": value,
        "VSSTRESU": pick([t[1] for t in TESTS], test),
        "VISITNUM": pc.cast(pc.add(_mod(pc.divide(idx, 6), 10), 1), pa.int32()),
        "VSDTC": pc.cast(pc.add(pc.multiply(idx, 420_000_000), start), pa.timestamp("us", tz="UTC")),
    })


def _memory() -> tuple[int, int]:
    rss = peak = 0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
    return rss, peak


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def pyarrow_write(table: pa.Table, path, codec: str) -> dict:
    rss, _ = _memory()
    _reset_peak()
    start = time.perf_counter()
    pq.write_table(table, path, compression=codec, row_group_size=ROW_GROUP_ROWS)
    seconds = time.perf_counter() - start
    _, peak = _memory()
    return {"seconds": seconds, "file_bytes": os.path.getsize(path), "peak_rss_growth": peak - rss}


def floe_json(ctx: Context, *args) -> dict:
    out = subprocess.run([str(ctx.floe), "bench", *map(str, args)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def best(runs: list[dict]) -> dict:
    return min(runs, key=lambda r: r["seconds"])


def run(ctx: Context, args: list[str]) -> list[Comparison]:
    p = argparse.ArgumentParser(prog="bench/run parquet --")
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--codecs", default="zstd,snappy")
    p.add_argument("--repeat", type=int, default=2)
    opts = p.parse_args(args)

    source = ctx.work_dir / f"source-{opts.rows}.parquet"
    if not source.exists():
        print(f"generating {opts.rows:,} rows into {source} ...", flush=True)
        pq.write_table(vitals(opts.rows), source, compression="none", row_group_size=ROW_GROUP_ROWS)
    table = pq.read_table(source)
    mb = table.nbytes / 1e6
    rows = table.num_rows
    print(f"{rows:,} rows, {mb:,.0f} MB in memory (Arrow); {os.cpu_count()} cores; "
          f"pyarrow {pa.__version__} with {pa.cpu_count()} threads", flush=True)

    results = []
    for codec in opts.codecs.split(","):
        floe_file = ctx.work_dir / f"floe-{codec}.parquet"
        arrow_file = ctx.work_dir / f"pyarrow-{codec}.parquet"
        print(f"[{codec}] writing ...", flush=True)
        fw = best([floe_json(ctx, "parquet-write", source, floe_file, "--codec", codec,
                             "--row-group-rows", ROW_GROUP_ROWS) for _ in range(opts.repeat)])
        aw = best([pyarrow_write(table, arrow_file, codec) for _ in range(opts.repeat)])
        print(f"[{codec}] reading ...", flush=True)
        fr = best([floe_json(ctx, "parquet-read", floe_file) for _ in range(opts.repeat)])
        ar_seconds = ctx.best_of(lambda: pq.read_table(arrow_file), opts.repeat)
        # Both readers on the other's file too, to separate reader speed from file layout.
        fr_cross = best([floe_json(ctx, "parquet-read", arrow_file) for _ in range(opts.repeat)])
        ar_cross = ctx.best_of(lambda: pq.read_table(floe_file), opts.repeat)
        assert pq.read_table(floe_file).num_rows == rows and fr["rows"] == rows

        one_group = table.slice(0, ROW_GROUP_ROWS).nbytes
        results += [
            Comparison(f"{codec} write", "rows/s", rows / fw["seconds"], rows / aw["seconds"], "pyarrow"),
            Comparison(f"{codec} write", "MB/s", mb / fw["seconds"], mb / aw["seconds"], "pyarrow"),
            Comparison(f"{codec} file size", "bytes", fw["file_bytes"], aw["file_bytes"], "pyarrow",
                       higher_is_better=False),
            # pyarrow allocates from a pool it keeps, so its RSS growth says
            # nothing; floe's is compared with the bar of 2 row groups.
            Comparison(f"{codec} write peak RSS growth", "x one row group",
                       fw["peak_rss_growth"] / one_group, 2.0, "bar (2x)", higher_is_better=False),
            Comparison(f"{codec} read own file", "rows/s", rows / fr["seconds"], rows / ar_seconds, "pyarrow"),
            Comparison(f"{codec} read other's file", "rows/s", rows / fr_cross["seconds"], rows / ar_cross,
                       "pyarrow"),
        ]
    return results
