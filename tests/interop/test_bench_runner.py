"""bench/runner.py: discovery, the comparison table, advantage direction and --record."""

import subprocess
import sys

from harness.paths import FLOE_BINARY, REPO

BENCH = '''
from runner import Comparison
DESCRIPTION = "toy benchmark for the runner's own test"
def run(ctx, args):
    seconds, rss = ctx.run_command([ctx.floe, "--version"])
    assert seconds > 0 and rss > 0
    return [Comparison("speed", "rows/s", 300.0, 100.0, "peerlib"),
            Comparison("file size", "bytes", 50.0, 100.0, "peerlib", higher_is_better=False),
            Comparison("args", "count", float(len(args)) + 1, 1.0, "peerlib")]
'''


def run_runner(tmp_path, *args):
    return subprocess.run(
        [sys.executable, REPO / "bench" / "runner.py", "--bench-dir", tmp_path / "benches",
         "--results", tmp_path / "RESULTS.md", "--floe", FLOE_BINARY, *args],
        capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(REPO / "bench")})


def test_runner_prints_ratio_table_and_records(tmp_path):
    (tmp_path / "benches" / "toy").mkdir(parents=True)
    (tmp_path / "benches" / "toy" / "bench.py").write_text(BENCH)

    listed = run_runner(tmp_path, "--list")
    assert listed.returncode == 0 and "toy" in listed.stdout and "toy benchmark" in listed.stdout

    result = run_runner(tmp_path, "toy", "--record", "--", "a", "b")
    assert result.returncode == 0, result.stderr
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in result.stdout.splitlines() if line.startswith("| ")}
    assert rows["speed"][-1] == "3.00x"       # higher is better: floe / peer
    assert rows["file size"][-1] == "2.00x"   # lower is better: peer / floe
    assert rows["args"][-1] == "3.00x"        # arguments after -- reach the benchmark
    recorded = (tmp_path / "RESULTS.md").read_text()
    assert "## toy" in recorded and "Machine:" in recorded and "3.00x" in recorded


def test_runner_rejects_unknown_benchmark(tmp_path):
    (tmp_path / "benches").mkdir()
    result = run_runner(tmp_path, "nope")
    assert result.returncode == 2
    assert "no benchmark 'nope'" in result.stderr
