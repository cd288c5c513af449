"""Schema evolution from the stream (issue 12): records that gain fields (top level and nested) and
numbers that outgrow int and float, mid-run, through `floe server`'s REST catalog; one table with
a declared schema and `evolve_schema: true`, one with `schema: infer`. PyIceberg and Spark read the
old rows and the new ones, compared with what Python expects from the records produced; the values
no promotion can take are dead letters.
"""

from __future__ import annotations

import collections
import json

import pytest
from confluent_kafka import Producer
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.types import DoubleType, LongType, StringType, StructType

from harness import spark as spark_harness
from harness.floe_server import FloeServer
from test_pipeline_ingest import PARTITIONS, start_worker, stop_worker, wait_for_offsets

pytestmark = pytest.mark.timeout(300)

CONFIG = """
pipelines:
  - name: vitals
    source:
      kafka:
        bootstrap_servers: {bootstrap}
        topics: [{topic}]
        group: floe-{topic}
    format: json
    route: kind
    tables:
      - name: evo.vitals
        when: vs
        schema:
          - {{name: seq, type: long, required: true}}
          - {{name: kind, type: string}}
          - {{name: hr, type: int}}
          - {{name: temp, type: float}}
          - {{name: bp, type: struct, fields: [{{name: sys, type: int}}]}}
        evolve_schema: true
      - {{name: evo.events, when: ev, schema: infer}}
    dead_letters: evo.vitals__dlq
    commit_interval: 200ms
"""

PHASES = (1500, 3000, 4000)  # records before each change: new fields, then wider numbers


def record(i: int) -> dict:
    if i % 4 == 3:
        r = {"seq": i, "kind": "ev", "action": "login", "user": f"u{i % 7}"}
        if i >= PHASES[0]:
            r["meta"] = {"ip": f"10.0.0.{i % 200}", "tries": i % 4, "empty": None}
        return r
    r = {"seq": i, "kind": "vs", "hr": 60 + i % 40, "temp": 36.0 + (i % 10) / 10, "bp": {"sys": 110 + i % 20}}
    if i >= PHASES[0]:
        r["site"] = f"S{i % 5:02d}"
        r["bp"]["dia"] = 70 + i % 10
        r["device"] = {"model": "m1", "fw": i % 3, "tags": []}
    if i >= PHASES[1]:
        r["hr"] = 3_000_000_000 + i
        if i % 2 == 0:
            r["temp"] = 1e300
    if i % 97 == 0 and i > 0:
        r["hr"] = "oops" if i % 2 else 1.5  # no promotion takes these: dead letters
    return r


def is_dead(r: dict) -> bool:
    return r["kind"] == "vs" and (isinstance(r["hr"], str) or isinstance(r["hr"], float))


def vitals_row(r: dict) -> tuple:
    device = r.get("device") or {}
    return (r["seq"], r["hr"], f"{r['temp']:.6g}", r["bp"]["sys"], r["bp"].get("dia"), r.get("site"),
            device.get("model"), device.get("fw"))


def events_row(r: dict) -> tuple:
    meta = r.get("meta") or {}
    return (r["seq"], r["kind"], r["action"], r["user"], meta.get("ip"), meta.get("tries"))


def produce(kafka, topic: str, first: int, end: int) -> None:
    producer = Producer({"bootstrap.servers": kafka.bootstrap, "enable.idempotence": True, "linger.ms": 5})
    for i in range(first, end):
        producer.produce(topic, key=f"k{i}".encode(), value=json.dumps(record(i)).encode())
    assert producer.flush(60) == 0


def test_fields_and_wider_numbers_evolve_the_tables_mid_run(kafka, tmp_path, spark):
    topic = kafka.create_topic("evolve", partitions=PARTITIONS)
    config = tmp_path / "pipeline.yaml"
    config.write_text(CONFIG.format(bootstrap=kafka.bootstrap, topic=topic))
    server = FloeServer(tmp_path / "server-wh").start()
    open_catalog = lambda: RestCatalog("floe", uri=server.uri)  # noqa: E731
    tables = ["evo.vitals", "evo.events", "evo.vitals__dlq"]
    proc, log = start_worker(tmp_path, config, catalog_args=["--catalog", server.uri])
    try:
        produce(kafka, topic, 0, PHASES[0])
        wait_for_offsets(tmp_path, tables, topic, PHASES[0], [proc], open_catalog=open_catalog)
        # The rest in one go: the changes land in the middle of polls.
        produce(kafka, topic, PHASES[0], PHASES[2])
        wait_for_offsets(tmp_path, tables, topic, PHASES[2], [proc], open_catalog=open_catalog)
        stop_worker(proc, log)
        worker_log = (tmp_path / "worker.log").read_text()

        records = [record(i) for i in range(PHASES[2])]
        want_vitals = collections.Counter(vitals_row(r) for r in records if r["kind"] == "vs" and not is_dead(r))
        want_events = collections.Counter(events_row(r) for r in records if r["kind"] == "ev")
        cat = open_catalog()

        vitals = cat.load_table("evo.vitals")
        schema = vitals.schema()
        assert schema.find_field("hr").field_type == LongType()
        assert schema.find_field("temp").field_type == DoubleType()
        assert schema.find_field("site").field_type == StringType()
        assert schema.find_field("bp.dia").field_type == LongType()
        assert isinstance(schema.find_field("device").field_type, StructType)
        assert schema.find_field("device.fw").field_type == LongType()
        assert "device.tags" not in {f.name for f in schema.find_field("device").field_type.fields}, \
            "a key that only ever held [] has no type to take"
        assert len(vitals.schemas()) >= 3, vitals.schemas()
        assert "widened hr int -> long" in worker_log and "added site string" in worker_log, worker_log[-3000:]
        got = collections.Counter(
            (r["seq"], r["hr"], f"{r['temp']:.6g}", r["bp"]["sys"], r["bp"]["dia"], r["site"],
             (r["device"] or {}).get("model"), (r["device"] or {}).get("fw"))
            for r in vitals.scan().to_arrow().to_pylist())
        assert got == want_vitals, (sum((got - want_vitals).values()), sum((want_vitals - got).values()))

        events = cat.load_table("evo.events")
        assert [f.name for f in events.schema().fields][:4] == ["seq", "kind", "action", "user"]
        assert events.schema().find_field("meta.tries").field_type == LongType()
        got = collections.Counter(
            (r["seq"], r["kind"], r["action"], r["user"], (r["meta"] or {}).get("ip"), (r["meta"] or {}).get("tries"))
            for r in events.scan().to_arrow().to_pylist())
        assert got == want_events

        dlq = cat.load_table("evo.vitals__dlq").scan().to_arrow().to_pylist()
        assert collections.Counter(r["key"].decode() for r in dlq) == collections.Counter(
            f"k{r['seq']}" for r in records if is_dead(r))
        for r in dlq:
            assert r["stage"] == "decode" and "hr" in r["error"], r["error"]

        # Spark, through the same REST catalog, reads old files (int hr, float temp, no site) and
        # new ones alike.
        lake = spark_harness.add_rest_catalog(spark, "evolved", server.uri)
        rows = spark.sql(f"SELECT seq, hr, temp, bp.sys, bp.dia, site, device.model, device.fw "
                         f"FROM {lake}.evo.vitals").collect()
        got = collections.Counter((r[0], r[1], f"{r[2]:.6g}", r[3], r[4], r[5], r[6], r[7]) for r in rows)
        assert got == want_vitals
        rows = spark.sql(f"SELECT seq, kind, action, user, meta.ip, meta.tries FROM {lake}.evo.events").collect()
        assert collections.Counter(tuple(r) for r in rows) == want_events
    finally:
        if proc.poll() is None:
            proc.kill()
        assert server.stop() == 0
