"""The README's main command: scripts/quickstart.py runs Kafka, floe server with the clinical
pipelines and the generator, and the query lines it prints work (it runs them itself)."""

import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.timeout(300)
def test_quickstart_streams_into_tables_that_pyiceberg_and_duckdb_query():
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "quickstart.py"), "--exit", "--seconds", "4",
                        "--rate", "2000"], cwd=ROOT, capture_output=True, text=True, timeout=280)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    figures = [l for l in r.stdout.splitlines() if l.startswith("[quickstart] edc.audit_events")]
    assert figures, r.stdout
    last = figures[-1]
    for table in ("edc.audit_events", "sdtm.vs", "sdtm.lb", "sdtm.ae", "ehr.observations"):
        m = re.search(re.escape(table) + r" ([\d,]+)", last)
        assert m and int(m[1].replace(",", "")) > 0, last
    m = re.search(r"(\d+) rows in sdtm.vs", r.stdout)
    assert m and int(m[1]) > 0, r.stdout
    assert "│ Update" in r.stdout and "│ Insert" in r.stdout, r.stdout
