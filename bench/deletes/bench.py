"""Scans of tables with row-level deletes: floe vs DuckDB's iceberg extension, same tables, same run.

Four copies of one table are written by floe in this run (a fresh warehouse each run): --rows rows
(10,000,000 by default) of (id, bucket, site, value, note) in --files data files, appended by
`floe table append`. Then 10% of the rows (bucket = 0, spread over every file) are updated with
`floe table update --set "value = value + 1" --where "bucket = 0"`, each copy its own way:

- none: the update is not made (the no-delete baseline);
- equality (v2): `--equality-columns id`, equality delete files of the updated ids;
- position (v2): position delete files (one per data file);
- vectors (v3): deletion vectors (one Puffin file).

So every copy but the baseline holds the same rows: the 90% untouched and the 10% re-added.

Each scan materializes every row of the current snapshot:
- in process, into columns: floe's own scan time (`floe table scan --stats`: "scanned N rows in X
  ms", planning and reading and applying deletes, text excluded) against DuckDB fetching
  `SELECT * FROM iceberg_scan(metadata)` as Arrow in this process (the connection opened first);
- CPU seconds of the whole scan to text: `floe table scan --format csv` as a process (user + system
  from wait4) against DuckDB's `COPY (SELECT ...) TO '/dev/null' (FORMAT csv)` (this process's
  user + system time around it).

Before timing, floe's and DuckDB's rows are checked to be the same (count and sums of id and of
value) and the expected ones. Every timing is the best of --repeat runs after a warm-up, the
contenders alternating. Targets (the issue's): floe >= 1.5x DuckDB on every variant; a
deletion-vector scan costs floe <= 1.15x its scan of the table without deletes.
DuckDB 1.5.5's equality deletes take time that grows with rows times keys (6 s for 200,000 rows and
20,000 deleted keys here), so the equality copy is compared with DuckDB at --equality-peer-rows
rows (200,000 by default, a table of its own built the same way); at --rows, floe's equality scan is
reported against its own no-delete scan.
Options after `--`: --rows N, --files N (default 10), --repeat N (default 5),
--equality-peer-rows N, --keep.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
import pathlib

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from runner import Comparison, Context

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tests" / "interop"))
from harness import duck  # noqa: E402

DESCRIPTION = ("Scans of a table with 10% of its rows updated (equality deletes, position deletes, "
               "deletion vectors) and without: floe vs DuckDB iceberg_scan")

SCHEMA = {"type": "struct", "schema-id": 0, "fields": [
    {"id": 1, "name": "id", "required": True, "type": "long"},
    {"id": 2, "name": "bucket", "required": True, "type": "int"},
    {"id": 3, "name": "site", "required": True, "type": "string"},
    {"id": 4, "name": "value", "required": False, "type": "double"},
    {"id": 5, "name": "note", "required": False, "type": "string"},
]}
SCANNED = re.compile(r"scanned (\d+) rows in ([\d.]+) ms")
VARIANTS = [("none", 2, None), ("equality", 2, ["--equality-columns", "id"]), ("position", 2, []),
            ("vectors", 3, [])]


def part(index: int, n: int) -> pa.Table:
    i = pa.array(range(index * n, (index + 1) * n), pa.int64())
    bucket = pc.cast(pc.subtract(i, pc.multiply(pc.divide(i, 10), 10)), pa.int32())
    site = pc.binary_join_element_wise("S", pc.utf8_lpad(pc.cast(pc.divide(i, 7919), pa.string()), 3, "0"), "")
    return pa.table({"id": i, "bucket": bucket, "site": pc.utf8_slice_codeunits(site, 0, 4),
                     "value": pc.multiply(pc.cast(i, pa.float64()), 0.25),
                     "note": pc.binary_join_element_wise("visit ", pc.cast(bucket, pa.string()), " ok", "")})


def inputs(work: pathlib.Path, rows: int, files: int) -> list[pathlib.Path]:
    folder = work / f"input-{rows}-{files}"
    paths = [folder / f"part-{k:03d}.parquet" for k in range(files)]
    if not (folder / "done").exists():
        print(f"generating {files} input files of {rows // files:,} rows into {folder} ...", flush=True)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for k, path in enumerate(paths):
            pq.write_table(part(k, rows // files), path, compression="zstd")
        (folder / "done").touch()
    return paths


class Floe:
    def __init__(self, binary: pathlib.Path, warehouse: pathlib.Path) -> None:
        self.binary, self.warehouse = binary, warehouse

    def argv(self, *args) -> list[str]:
        return [str(self.binary), *map(str, args), "--warehouse", str(self.warehouse)]

    def run(self, *args) -> subprocess.CompletedProcess:
        return subprocess.run(self.argv(*args), capture_output=True, text=True, check=True)

    def scan_cpu(self, table: str) -> tuple[float, str]:
        """CPU seconds (user + system) of `table scan --format csv --stats`, stdout discarded."""
        proc = subprocess.Popen(self.argv("table", "scan", table, "--format", "csv", "--stats"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        stderr = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"floe scan {table} failed: {stderr}")
        return usage.ru_utime + usage.ru_stime, stderr


def scan_seconds(stderr: str) -> float:
    m = SCANNED.search(stderr)
    if not m:
        raise RuntimeError(f"no scan time in floe's stderr: {stderr!r}")
    return float(m[2]) / 1e3


def cpu_of(fn) -> tuple[float, None]:
    before = resource.getrusage(resource.RUSAGE_SELF)
    fn()
    after = resource.getrusage(resource.RUSAGE_SELF)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), None


def fastest(contenders: dict, repeat: int) -> dict:
    for fn in contenders.values():
        fn()
    best = {name: float("inf") for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            best[name] = min(best[name], fn())
    return best


def summary(table: pa.Table) -> tuple[int, int, float]:
    return (table.num_rows, pc.sum(table.column("id")).as_py(), round(pc.sum(table.column("value")).as_py(), 2))


def run(ctx: Context, args: list[str]) -> list[Comparison]:
    p = argparse.ArgumentParser(prog="bench/run deletes --")
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--files", type=int, default=10)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--equality-peer-rows", type=int, default=200_000)
    p.add_argument("--keep", action="store_true")
    opts = p.parse_args(args)
    version = subprocess.run([str(ctx.floe), "--version"], capture_output=True, text=True, check=True).stdout
    print(f"{version.strip()}; duckdb {duckdb.__version__}; load average {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} cores", flush=True)
    warehouse = ctx.work_dir / "warehouse"
    shutil.rmtree(warehouse, ignore_errors=True)
    floe = Floe(ctx.floe, warehouse)
    floe.run("namespace", "create", "bench")
    schema = ctx.work_dir / "schema.json"
    schema.write_text(json.dumps(SCHEMA))
    metadata, sizes = {}, {}
    try:
        for name, version_, update, rows in [(*v, opts.rows) for v in VARIANTS] + [
                ("equality_small", 2, ["--equality-columns", "id"], opts.equality_peer_rows)]:
            files = inputs(ctx.work_dir, rows, opts.files)
            sizes[name] = rows
            table = f"bench.{name}"
            floe.run("table", "create", table, "--schema", schema, "--property", f"format-version={version_}")
            start = time.perf_counter()
            floe.run("table", "append", table, *files)
            appended = time.perf_counter() - start
            note = ""
            if update is not None:
                start = time.perf_counter()
                out = floe.run("table", "update", table, "--set", "value = value + 1", "--where", "bucket = 0",
                               *update)
                note = f"; update {time.perf_counter() - start:.1f} s: {out.stderr.strip()}"
            print(f"{table}: append {appended:.1f} s{note}", flush=True)
            metadata[name] = floe.run("table", "metadata-location", table).stdout.strip()

        con = duck.connect(ctx.work_dir / "duckdb-extensions")
        # (name, whether DuckDB is timed on it)
        compared = [("none", True), ("equality", False), ("position", True), ("vectors", True),
                    ("equality_small", True)]
        for name, with_duck in compared:
            rows = sizes[name]
            expected_ids = rows * (rows - 1) // 2
            out = floe.run("table", "scan", f"bench.{name}", "--format", "csv").stdout
            got = {"floe": summary(pacsv.read_csv(io.BytesIO(out.encode())))}
            if with_duck:
                got["DuckDB"] = summary(
                    con.execute(f"SELECT * FROM iceberg_scan('{metadata[name]}')").to_arrow_table())
            want = (rows, expected_ids, round(0.25 * expected_ids + (0 if name == "none" else rows // 10), 2))
            print(f"  {name}: rows (count, sum id, sum value) {got}", flush=True)
            assert all(v == want for v in got.values()), f"{name}: {got} != {want}"

        results, floe_seconds = [], {}
        for name, with_duck in compared:
            table, meta = f"bench.{name}", metadata[name]
            if not with_duck:
                floe_seconds[name] = min(scan_seconds(floe.scan_cpu(table)[1]) for _ in range(opts.repeat + 1))
                print(f"  {name}: into columns floe {floe_seconds[name] * 1e3:.0f} ms", flush=True)
                continue
            select = f"SELECT * FROM iceberg_scan('{meta}')"
            walls = fastest({
                "floe": lambda: scan_seconds(floe.scan_cpu(table)[1]),
                "DuckDB": lambda: (lambda s: (con.execute(select).to_arrow_table(), time.perf_counter() - s)[1])(
                    time.perf_counter()),
            }, opts.repeat)
            cpus = fastest({
                "floe": lambda: floe.scan_cpu(table)[0],
                "DuckDB": lambda: cpu_of(lambda: con.execute(f"COPY ({select}) TO '/dev/null' (FORMAT csv)"))[0],
            }, opts.repeat)
            floe_seconds[name] = walls["floe"]
            print(f"  {name}: into columns floe {walls['floe'] * 1e3:.0f} ms, DuckDB {walls['DuckDB'] * 1e3:.0f} ms; "
                  f"CPU to CSV floe {cpus['floe']:.2f} s, DuckDB {cpus['DuckDB']:.2f} s", flush=True)
            label = name if name != "equality_small" else f"equality, {sizes[name]:,} rows"
            results += [
                Comparison(f"scan into columns, {label} (target >=1.5x)", "ms", walls["floe"] * 1e3,
                           walls["DuckDB"] * 1e3, "DuckDB", higher_is_better=False),
                Comparison(f"scan to CSV, CPU, {label}", "CPU s", cpus["floe"], cpus["DuckDB"], "DuckDB",
                           higher_is_better=False),
            ]
        con.close()
        for name in ("vectors", "position", "equality"):
            bar = 1.15 if name == "vectors" else 0
            results.append(Comparison(f"floe {name} scan / its no-delete scan" +
                                      (" (target <=1.15)" if bar else ""), "ratio",
                                      floe_seconds[name] / floe_seconds["none"], bar or 1.0,
                                      "bar" if bar else "no deletes", higher_is_better=False))
        return results
    finally:
        if not opts.keep:
            shutil.rmtree(warehouse, ignore_errors=True)
