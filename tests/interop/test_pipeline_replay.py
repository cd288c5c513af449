"""`floe pipeline replay` (issue 12): dead letters read back from the dead-letter table and run
through the pipeline as it is configured now. Records too large for the first config's
max_record_size are dead letters; with the limit raised, a replay turns them into rows of the
table, exactly once: killed before and after the catalog's swap, run again and again, beside
the pipeline running on. The rest (truly malformed records) stay dead letters. PyIceberg and
DuckDB judge the table."""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess

from harness import duck
from harness.floe import FLOE_BINARY
from test_pipeline_ingest import (catalog, config_yaml, produce, start_worker, stop_worker,
                                  wait_for_offsets)


def replay(tmp_path, config, *args, env=None):
    return subprocess.run([str(FLOE_BINARY), "pipeline", "replay", str(config), "--warehouse",
                           str(tmp_path / "wh"), *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def oversized(produced: dict) -> dict:
    """The bad records only the size limit made bad: seq -> subject."""
    out = {}
    for value in produced["bad"].values():
        try:
            rec = json.loads(value)
        except ValueError:
            continue
        if isinstance(rec, dict) and "seq" in rec and len(rec.get("subject", "")) > 4096:
            out[rec["seq"]] = rec["subject"]
    return out


def table_rows(tmp_path, table: str) -> tuple[collections.Counter, collections.Counter]:
    """(seq, subject) of every row, as PyIceberg and as DuckDB read them."""
    cat = catalog(tmp_path)
    t = cat.load_table(table)
    py = collections.Counter((r["seq"], r["subject"]) for r in t.scan().to_arrow().to_pylist())
    con = duck.connect(tmp_path / "duck-ext")
    dk = collections.Counter(con.execute(
        f"SELECT seq, subject FROM iceberg_scan('{t.metadata_location}')").fetchall())
    return py, dk


def test_replay_takes_fixed_dead_letters_exactly_once(kafka, tmp_path):
    topic = kafka.create_topic("ingest.replay", partitions=3)
    strict = tmp_path / "strict.yaml"
    strict.write_text(config_yaml(kafka, topic, "clinical.vitals"))
    relaxed = tmp_path / "relaxed.yaml"
    relaxed.write_text(strict.read_text().replace("max_record_size: 4KiB", "max_record_size: 8KiB"))
    assert relaxed.read_text() != strict.read_text()

    produced = produce(kafka, topic, 0, 3000)
    big = oversized(produced)
    assert len(big) >= 20, "the producer's oversized records"
    proc, log = start_worker(tmp_path, strict)
    wait_for_offsets(tmp_path, ["clinical.vitals", "clinical.vitals__dlq"], topic, 3000, [proc])
    stop_worker(proc, log)
    want = collections.Counter((seq, f"S-{seq % 97:03d}") for seq in produced["good"])
    assert table_rows(tmp_path, "clinical.vitals") == (want, want)
    dead = catalog(tmp_path).load_table("clinical.vitals__dlq").scan().to_arrow().num_rows
    assert dead == len(produced["bad"])

    # The old config takes nothing; a filter that matches nothing reads nothing.
    r = replay(tmp_path, strict)
    assert r.returncode == 0, r.stderr
    assert f"{dead} dead letters: 0 became rows" in r.stdout, r.stdout
    r = replay(tmp_path, relaxed, "--where", "stage = 'route'")
    assert r.returncode == 0 and "0 dead letters matching --where: 0 became rows" in r.stdout, r.stdout + r.stderr

    # A dry run says what would happen and commits nothing.
    r = replay(tmp_path, relaxed, "--dry-run")
    assert r.returncode == 0, r.stderr
    assert f"{len(big)} would become rows" in r.stdout, r.stdout
    assert f"{dead - len(big)} fail again" in r.stdout, r.stdout
    assert table_rows(tmp_path, "clinical.vitals") == (want, want)

    # Killed before the swap: nothing taken. Killed after it: taken, and never again.
    r = replay(tmp_path, relaxed, env={"FLOE_KILL_AT_SWAP": "before:1"})
    assert r.returncode == -signal.SIGKILL, r.stdout + r.stderr
    assert table_rows(tmp_path, "clinical.vitals") == (want, want)
    r = replay(tmp_path, relaxed, env={"FLOE_KILL_AT_SWAP": "after:1"})
    assert r.returncode == -signal.SIGKILL, r.stdout + r.stderr
    r = replay(tmp_path, relaxed)
    assert r.returncode == 0, r.stderr
    assert f"0 became rows, {len(big)} taken by an earlier replay" in r.stdout, r.stdout
    want.update((seq, subject) for seq, subject in big.items())
    assert table_rows(tmp_path, "clinical.vitals") == (want, want)
    props = catalog(tmp_path).load_table("clinical.vitals").properties
    ranges = json.loads(props["floe.pipeline.vitals.replayed"])
    assert set(ranges) == {f"{topic}/{p}" for p in range(3)}, ranges
    # The ranges hold every dead letter taken and no other (those between them fail again).
    big_keys = {f"k{seq}".encode() for seq in big}
    for r in catalog(tmp_path).load_table("clinical.vitals__dlq").scan().to_arrow().to_pylist():
        covered = any(a <= r["offset"] <= b for a, b in ranges[f"{r['topic']}/{r['partition']}"])
        assert covered == (r["key"] in big_keys), (r["key"], r["offset"], ranges)

    # The pipeline runs on beside the replay's marks (now taking large records itself), and the
    # dead-letter table is as it was, plus the new bad records.
    more = produce(kafka, topic, 3000, 1000)
    proc, log = start_worker(tmp_path, relaxed)
    wait_for_offsets(tmp_path, ["clinical.vitals", "clinical.vitals__dlq"], topic, 4000, [proc])
    stop_worker(proc, log)
    new_big = oversized(more)
    want.update((seq, f"S-{seq % 97:03d}") for seq in more["good"])
    want.update((seq, subject) for seq, subject in new_big.items())
    assert table_rows(tmp_path, "clinical.vitals") == (want, want)
    dlq = catalog(tmp_path).load_table("clinical.vitals__dlq").scan().to_arrow().to_pylist()
    taken_keys = {f"k{seq}".encode() for seq in new_big}
    want_keys = list(produced["bad"]) + [k for k in more["bad"] if k not in taken_keys]
    assert collections.Counter(r["key"] for r in dlq) == collections.Counter(want_keys), "dead letters"
    assert "floe.pipeline.vitals.replayed" in catalog(tmp_path).load_table("clinical.vitals").properties
    r = replay(tmp_path, relaxed)
    assert r.returncode == 0 and "0 became rows" in r.stdout, r.stdout
