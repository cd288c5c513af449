"""Runs one named benchmark: floe and its peer on the same data in the same run.

    bench/run --list
    bench/run NAME [--record] [-- ARGS for the benchmark]

A benchmark is a folder bench/NAME/ with a bench.py that defines

    DESCRIPTION = "one line"
    def run(ctx: Context, args: list[str]) -> list[Comparison]

Each Comparison is one metric measured for floe and for the peer. The runner
prints them as a table whose last column is floe's advantage: >1 means floe is
better, whichever way the metric points. --record appends the table, with the
date and the machine, to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib.util
import os
import pathlib
import platform
import subprocess
import sys
import time
from typing import Callable, Sequence

BENCH_DIR = pathlib.Path(__file__).resolve().parent
REPO = BENCH_DIR.parent


@dataclasses.dataclass
class Comparison:
    metric: str
    unit: str
    floe: float
    peer: float
    peer_name: str
    higher_is_better: bool = True

    @property
    def advantage(self) -> float:
        """floe's advantage over the peer: >1 means floe is better."""
        if self.higher_is_better:
            return self.floe / self.peer if self.peer else float("inf")
        return self.peer / self.floe if self.floe else float("inf")


@dataclasses.dataclass
class Context:
    name: str
    work_dir: pathlib.Path  # scratch space for this benchmark's data, kept between runs
    floe: pathlib.Path      # the floe binary under test

    @staticmethod
    def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
        """The fastest of `repeat` wall-clock timings of fn(), in seconds."""
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - start)
        return best

    @staticmethod
    def run_command(argv: Sequence[str | os.PathLike]) -> tuple[float, int]:
        """Runs a command to completion; returns (wall seconds, peak RSS in bytes).

        The peak RSS is the child's own, read with wait4, so it is exact even
        when several commands run one after another.
        """
        start = time.perf_counter()
        proc = subprocess.Popen([str(a) for a in argv])
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        if code != 0:
            raise RuntimeError(f"{argv[0]} exited with {code}")
        return elapsed, usage.ru_maxrss * 1024


def discover(bench_dir: pathlib.Path) -> dict[str, pathlib.Path]:
    return {p.parent.name: p for p in sorted(bench_dir.glob("*/bench.py"))}


def load(path: pathlib.Path):
    spec = importlib.util.spec_from_file_location(f"bench_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def format_value(v: float) -> str:
    if v == 0 or 0.01 <= abs(v) < 1e7:
        return f"{v:,.2f}".rstrip("0").rstrip(".") if v != int(v) else f"{int(v):,}"
    return f"{v:.3g}"


def render(name: str, rows: list[Comparison]) -> str:
    header = ["metric", "unit", "floe", "peer", "peer value", "floe advantage"]
    body = [[r.metric, r.unit, format_value(r.floe), r.peer_name, format_value(r.peer),
             f"{r.advantage:.2f}x"] for r in rows]
    widths = [max(len(row[i]) for row in [header] + body) for i in range(len(header))]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule] + [line(r) for r in body])


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for text in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                cpu = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, {mem_gib:.0f} GiB"


def record(results: pathlib.Path, name: str, description: str, table: str) -> None:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    with results.open("a") as f:
        f.write(f"\n## {name} — {stamp}\n\n{description}\n\nMachine: {machine()}\n\n{table}\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n\n")[0])
    parser.add_argument("name", nargs="?", help="benchmark to run (see --list)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks")
    parser.add_argument("--record", action="store_true", help="append the table to RESULTS.md")
    parser.add_argument("--bench-dir", type=pathlib.Path, default=BENCH_DIR, help=argparse.SUPPRESS)
    parser.add_argument("--results", type=pathlib.Path, default=BENCH_DIR / "RESULTS.md",
                        help=argparse.SUPPRESS)
    parser.add_argument("--floe", type=pathlib.Path,
                        default=pathlib.Path(os.environ.get("FLOE_BINARY", REPO / "build" / "floe")),
                        help="floe binary (default $FLOE_BINARY, else build/floe)")
    # Everything after "--" belongs to the benchmark itself.
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    opts = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)

    benchmarks = discover(opts.bench_dir)
    if opts.list or not opts.name:
        for name, path in benchmarks.items():
            print(f"{name:20} {getattr(load(path), 'DESCRIPTION', '')}")
        return 0 if opts.list else 2
    if opts.name not in benchmarks:
        print(f"bench/run: no benchmark '{opts.name}' (have: {', '.join(benchmarks) or 'none'})",
              file=sys.stderr)
        return 2
    if not opts.floe.exists():
        print(f"bench/run: {opts.floe} not found; run scripts/setup", file=sys.stderr)
        return 2

    module = load(benchmarks[opts.name])
    work = REPO / "bench" / "out" / opts.name
    work.mkdir(parents=True, exist_ok=True)
    rows = module.run(Context(opts.name, work, opts.floe), extra)
    table = render(opts.name, rows)
    print(f"\n{opts.name}: {getattr(module, 'DESCRIPTION', '')}\n\n{table}")
    if opts.record:
        record(opts.results, opts.name, getattr(module, "DESCRIPTION", ""), table)
        print(f"\nrecorded in {opts.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
