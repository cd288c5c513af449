"""Pipeline transforms (docs/design/expressions.md) against a real broker: computed columns,
pseudonyms, casts that fail per record into the dead letters, filters, a route by expression and
Kafka metadata, wall times in per-record IANA zones across DST changes, read back by PyIceberg and
DuckDB and compared with what Python (hmac, zoneinfo) computes from the same records."""

from __future__ import annotations

import collections
import hashlib
import hmac
import json
import subprocess
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from confluent_kafka import Producer

from harness import duck
from harness.floe import FLOE_BINARY
from test_pipeline_ingest import PARTITIONS, catalog, start_worker, stop_worker, wait_for_offsets

KEY = "pseudonym-key-for-tests"
RECORDS = 5000

CONFIG = """
pipelines:
  - name: vitals
    source:
      kafka:
        bootstrap_servers: {bootstrap}
        topics: [{topic}]
        group: floe-{topic}
    format: json
    input:                                  # read by the steps, kept by no table
      - {{name: subject_key, type: string}}
      - {{name: reading, type: string}}
      - {{name: site_zone, type: string}}
      - {{name: visit_local, type: string}}
    transform:
      - set: {{subject: "upper(trim(subject_key))"}}
      - set: {{subject_hash: "hmac_sha256(subject, env('SUBJECT_KEY'))",
               value: "CAST(reading AS double)"}}
      - filter: "kind <> 'heartbeat'"
      - set: {{day: "date_trunc('day', measured_at)", source_topic: _kafka.topic,
               source_offset: _kafka.offset, trace: "_kafka.headers['trace']",
               key_text: "_kafka.key",
               visit_at: "parse_timestamp(visit_local, '%d/%m/%Y %H:%M', site_zone)",
               wall_paris: "to_timezone(measured_at, 'Europe/Paris')"}}
    route: "CASE WHEN kind IN ('vs', 'lb') THEN upper(kind) ELSE 'other' END"
    tables:
      - {{name: tx.vs, when: VS, schema: &cols [
          {{name: seq, type: long, required: true}}, {{name: kind, type: string}},
          {{name: subject, type: string}}, {{name: subject_hash, type: string}},
          {{name: value, type: double}}, {{name: measured_at, type: timestamptz}},
          {{name: day, type: timestamptz}}, {{name: source_topic, type: string}},
          {{name: source_offset, type: long}}, {{name: trace, type: string}},
          {{name: key_text, type: string}}, {{name: visit_at, type: timestamptz}},
          {{name: wall_paris, type: timestamp}}]}}
      - {{name: tx.lb, when: LB, schema: *cols}}
    dead_letters: tx.vitals__dlq
    commit_interval: 200ms
"""

KINDS = ["vs", "vs", "vs", "vs", "lb", "lb", "lb", "heartbeat", "ae", "lb"]
# Sites in zones with unusual rules, and visit days on which clocks changed somewhere (Apia
# skipped 2011-12-30 entirely), at every hour: gaps and overlaps are hit many times.
ZONES = ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Apia",
         "America/Sao_Paulo", "Europe/Dublin"]
DAYS = ["29/03/2026", "25/10/2026", "08/03/2026", "01/11/2026", "04/10/2026", "05/04/2026", "30/12/2011",
        "15/07/2026"]
WALL = "%d/%m/%Y %H:%M"


def record(i: int) -> dict:
    return {"seq": i, "kind": KINDS[i % 10], "subject_key": f"  s-{i % 13:03d} ",
            "reading": "n/a" if i % 50 == 3 else str(60 + i % 40),
            "measured_at": f"2026-{3 + i % 9:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
            "site_zone": ZONES[i % len(ZONES)],
            "visit_local": f"{DAYS[(i // 7) % len(DAYS)]} {(i // 3) % 24:02d}:{(i * 7) % 60:02d}"}


def expected(i: int, topic: str):
    """(table, row) or (None, dead-letter stage) or (None, None) for a filtered record."""
    r = record(i)
    if r["reading"] == "n/a":
        return None, "evaluate"
    if r["kind"] == "heartbeat":
        return None, None
    if r["kind"] not in ("vs", "lb"):
        return None, "route"
    subject = r["subject_key"].strip().upper()
    day = r["measured_at"][:10] + "T00:00:00Z"
    # fold=0, as floe: an ambiguous wall time is the earlier instant, a skipped one uses the
    # offset from before the change.
    visit = datetime.strptime(r["visit_local"], WALL).replace(tzinfo=ZoneInfo(r["site_zone"]))
    measured = datetime.fromisoformat(r["measured_at"].replace("Z", "+00:00"))
    wall_paris = measured.astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m-%dT%H:%M:%S")
    row = (i, r["kind"], subject, hmac.new(KEY.encode(), subject.encode(), hashlib.sha256).hexdigest(),
           float(r["reading"]), r["measured_at"], day, topic, f"tr-{i}" if i % 2 == 0 else None, f"k{i}",
           iso(visit), wall_paris)
    return "tx." + r["kind"], row


def produce(kafka, topic: str) -> None:
    producer = Producer({"bootstrap.servers": kafka.bootstrap, "enable.idempotence": True, "linger.ms": 5})
    for i in range(RECORDS):
        headers = [("trace", f"tr-{i}".encode())] if i % 2 == 0 else []
        producer.produce(topic, key=f"k{i}".encode(), value=json.dumps(record(i)).encode(), headers=headers)
    assert producer.flush(60) == 0


def iso(ts: datetime) -> str:
    return ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_transforms_filters_and_routes_by_expression(kafka, tmp_path):
    topic = kafka.create_topic("tx-vitals", partitions=PARTITIONS)
    config = tmp_path / "pipeline.yaml"
    config.write_text(CONFIG.format(bootstrap=kafka.bootstrap, topic=topic))
    produce(kafka, topic)
    proc, log = start_worker(tmp_path, config, env={"SUBJECT_KEY": KEY})
    wait_for_offsets(tmp_path, ["tx.vs", "tx.lb", "tx.vitals__dlq"], topic, RECORDS, procs=[proc])
    stop_worker(proc, log)

    want = collections.defaultdict(collections.Counter)
    want_dead = collections.Counter()
    for i in range(RECORDS):
        table, row = expected(i, topic)
        if table:
            want[table][row] += 1
        elif row:
            want_dead[(f"k{i}", row)] += 1
    cat = catalog(tmp_path)
    con = duck.connect(tmp_path / "duck-ext")
    for table in ("tx.vs", "tx.lb"):
        t = cat.load_table(table)
        got = collections.Counter()
        for r in t.scan().to_arrow().to_pylist():
            # The offset is the record's own; checked apart (it depends on the partitioning).
            assert r["source_offset"] is not None and r["source_offset"] >= 0
            got[(r["seq"], r["kind"], r["subject"], r["subject_hash"], r["value"], iso(r["measured_at"]),
                 iso(r["day"]), r["source_topic"], r["trace"], r["key_text"], iso(r["visit_at"]),
                 r["wall_paris"].strftime("%Y-%m-%dT%H:%M:%S"))] += 1
        assert got == want[table], (table, sum((got - want[table]).values()), sum((want[table] - got).values()))
        duck_rows = con.execute(
            "SELECT seq, subject_hash, value, strftime(day AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'), "
            "strftime(visit_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'), strftime(wall_paris, '%Y-%m-%dT%H:%M:%S') "
            f"FROM iceberg_scan('{t.metadata_location}')").fetchall()
        assert collections.Counter(duck_rows) == collections.Counter(
            (w[0], w[3], w[4], w[6], w[10], w[11]) for w in want[table])
    # Offsets are the records' own: one record per (partition, offset), none missing.
    offsets = [r["source_offset"] for table in ("tx.vs", "tx.lb")
               for r in cat.load_table(table).scan().to_arrow().to_pylist()]
    assert len(offsets) == sum(sum(c.values()) for c in want.values())

    dlq = cat.load_table("tx.vitals__dlq").scan().to_arrow().to_pylist()
    got_dead = collections.Counter((r["key"].decode(), r["stage"]) for r in dlq)
    assert got_dead == want_dead
    for r in dlq:
        if r["stage"] == "evaluate":
            assert "transform[1].set.value" in r["error"] and "'n/a' is not a number" in r["error"], r["error"]
        else:
            assert "no table takes" in r["error"] and "= 'other'" in r["error"], r["error"]


def test_validate_types_every_expression_with_its_path(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("""
name: bad
source: {kafka: {bootstrap_servers: 127.0.0.1:1, topics: [t]}}
format: json
input: [{name: raw, type: string}]
transform:
  - set: {n: "raw + 1"}
  - filter: "lenght(raw) > 2"
  - set: {total: "CAST(raw AS int)"}
  - filter: "total"
route: "CASE WHEN total > 1 THEN 'A' END"
tables:
  - {name: a.t, when: A, schema: [{name: total, type: string}]}
""")
    out = subprocess.run([str(FLOE_BINARY), "pipeline", "validate", str(config)], capture_output=True, text=True)
    assert out.returncode != 0
    errors = out.stderr + out.stdout
    assert "transform[0].set.n: 'raw + 1': '+' needs numbers, not string and int at column 5 (line 7)" in errors, errors
    assert "transform[1].filter: 'lenght(raw) > 2': unknown function 'lenght' at column 1 (line 8)" in errors, errors
    assert "transform[3].filter: 'total' is a int, not a boolean" in errors, errors
    assert "tables[0]: column total: the value is a int, and the column a string" in errors, errors
