"""Streaming ingest, append mode (issue 12): a real Kafka broker, `floe pipeline run`, and the
tables judged by PyIceberg and DuckDB against the records produced.

Every record is either a row of the table or a dead letter with its exact bytes, exactly once,
also when the worker is killed with SIGKILL again and again while it consumes and commits.
"""

from __future__ import annotations

import base64
import collections
import json
import os
import pathlib
import random
import re
import signal
import subprocess
import threading
import time

import pytest
from confluent_kafka import Producer
from pyiceberg.catalog.sql import SqlCatalog

from harness import duck
from harness.floe import FLOE_BINARY

PARTITIONS = 4


def config_yaml(kafka, topic: str, table: str, interval: str = "200ms") -> str:
    return f"""
pipelines:
  - name: vitals
    source:
      kafka:
        bootstrap_servers: {kafka.bootstrap}
        topics: [{topic}]
        group: floe-{topic}
        # A killed worker's partitions move on after 6 s rather than 45.
        properties: {{session.timeout.ms: "6000", heartbeat.interval.ms: "500"}}
    format: json
    table:
      name: {table}
      schema:
        - {{name: seq, type: long, required: true}}
        - {{name: subject, type: string}}
        - {{name: heart_rate, type: int}}
        - {{name: temp_c, type: "decimal(4,1)"}}
        - {{name: measured_at, type: timestamptz}}
        - {{name: vitals, type: struct, fields: [{{name: sys, type: int}}, {{name: dia, type: int}}]}}
        - {{name: tags, type: list, element: string}}
      partition_by: bucket(4, subject)
    commit_interval: {interval}
    max_record_size: 4KiB
"""


def good_record(i: int) -> dict:
    return {"seq": i, "subject": f"S-{i % 97:03d}", "heart_rate": 50 + i % 70,
            "temp_c": f"{36 + (i % 30) / 10:.1f}", "measured_at": f"2026-11-{1 + i % 28:02d}T08:{i % 60:02d}:00Z",
            "vitals": {"sys": 100 + i % 50, "dia": 60 + i % 30}, "tags": [f"t{i % 3}"] * (i % 3)}


def bad_value(i: int) -> bytes:
    kinds = [b'{"seq": ' + str(i).encode() + b', "subject": ',           # truncated JSON
             json.dumps({"seq": i, "heart_rate": "fast"}).encode(),       # wrong type
             json.dumps({"seq": i, "subject": "x" * 5000}).encode(),      # oversized (4 KiB max)
             json.dumps({"subject": "no seq"}).encode(),                  # required field missing
             b'[1, 2, 3]',                                                # not an object
             b'\xff\xfe not utf-8']
    return kinds[i % len(kinds)]


def produce(kafka, topic: str, first: int, count: int, bad_every: int = 23) -> dict:
    """Produces records seq first..first+count-1; every bad_every-th is malformed, of each kind of
    bad_value in turn (bad_every is prime to their number: with 20, only every other kind came).
    Returns the expected rows by seq and the bad values, by (key)."""
    producer = Producer({"bootstrap.servers": kafka.bootstrap, "enable.idempotence": True,
                         "linger.ms": 5})
    good, bad = {}, {}
    errors = []
    for i in range(first, first + count):
        key = f"k{i}".encode()
        if i % bad_every == 7:
            value = bad_value(i)
            bad[key] = value
        else:
            rec = good_record(i)
            good[i] = rec
            value = json.dumps(rec).encode()
        producer.produce(topic, key=key, value=value, headers=[("source", b"test")],
                         on_delivery=lambda err, msg: err and errors.append(err))
    assert producer.flush(60) == 0
    assert errors == []
    return {"good": good, "bad": bad}


def start_worker(tmp_path, config, env=None, log_name="worker.log", catalog_args=None):
    log = open(tmp_path / log_name, "ab")
    args = catalog_args or ["--warehouse", str(tmp_path / "wh")]
    proc = subprocess.Popen([str(FLOE_BINARY), "pipeline", "run", str(config), *args, "--progress", "0"],
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    return proc, log


def catalog(tmp_path) -> SqlCatalog:
    wh = tmp_path / "wh"
    return SqlCatalog("floe", uri=f"sqlite:///{wh}/catalog.db", warehouse=f"file://{wh}")


def recorded_offsets(cat, table: str) -> dict:
    try:
        t = cat.load_table(table)
    except Exception:
        return {}
    return json.loads(t.properties.get("floe.pipeline.vitals.offsets", "{}"))


def worker_logs(tmp_path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                     for p in sorted(tmp_path.glob("worker*.log")))


def wait_for_offsets(tmp_path, tables, topic, end: int, procs=(), timeout=180, open_catalog=None):
    """Until every table recorded offsets summing to `end` records over the topic's partitions."""
    open_catalog = open_catalog or (lambda: catalog(tmp_path))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            cat = open_catalog()
        except Exception:  # noqa: BLE001 - the worker has not made its catalog yet
            cat = None
        if cat is not None and all(sum(v for k, v in recorded_offsets(cat, t).items() if k.startswith(topic + "/")) == end
               for t in tables):
            return
        for p in procs:
            assert p.poll() is None, f"worker exited with {p.returncode}:\n{worker_logs(tmp_path)}"
        time.sleep(0.3)
    raise AssertionError(f"offsets did not reach {end}: "
                         f"{[recorded_offsets(open_catalog(), t) for t in tables]}\n{worker_logs(tmp_path)}")


def stop_worker(proc, log):
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    log.close()


def expected_row(rec: dict) -> tuple:
    return (rec["seq"], rec["subject"], rec["heart_rate"], rec["temp_c"], rec["measured_at"],
            (rec["vitals"]["sys"], rec["vitals"]["dia"]), tuple(rec["tags"]))


def pyiceberg_rows(cat, table: str) -> list:
    arrow = cat.load_table(table).scan().to_arrow()
    out = []
    for r in arrow.to_pylist():
        out.append((r["seq"], r["subject"], r["heart_rate"], f"{r['temp_c']:.1f}",
                    r["measured_at"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                    (r["vitals"]["sys"], r["vitals"]["dia"]), tuple(r["tags"] or ())))
    return out


def duckdb_rows(tmp_path, cat, table: str) -> list:
    con = duck.connect(tmp_path / "duck-ext")
    location = cat.load_table(table).metadata_location
    rows = con.execute(
        "SELECT seq, subject, heart_rate, CAST(temp_c AS VARCHAR), "
        "strftime(measured_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'), vitals.sys, vitals.dia, tags "
        f"FROM iceberg_scan('{location}')").fetchall()
    return [(r[0], r[1], r[2], r[3], r[4], (r[5], r[6]), tuple(r[7] or ())) for r in rows]


def dead_letters(cat, table: str) -> dict:
    arrow = cat.load_table(table).scan().to_arrow()
    return {r["key"]: r for r in arrow.to_pylist()}


def check_tables(tmp_path, produced: dict, table: str, cat=None):
    cat = cat or catalog(tmp_path)
    want = collections.Counter(expected_row(r) for r in produced["good"].values())
    got = collections.Counter(pyiceberg_rows(cat, table))
    assert got == want, (f"PyIceberg: {sum((got - want).values())} unexpected rows, "
                         f"{sum((want - got).values())} missing")
    got_duck = collections.Counter(duckdb_rows(tmp_path, cat, table))
    assert got_duck == want, "DuckDB reads other rows than PyIceberg"
    dlq = cat.load_table(table + "__dlq").scan().to_arrow().to_pylist()
    keys = collections.Counter(r["key"] for r in dlq)
    assert keys == collections.Counter(produced["bad"].keys()), "dead letters differ from the bad records"
    for r in dlq:
        assert r["value"] == produced["bad"][r["key"]], "a dead letter's bytes changed"
        assert r["stage"] == "decode" and r["error"], r
        assert r["pipeline"] == "vitals" and r["topic"]
        assert r["headers"] == [{"name": "source", "value": b"test"}]
    return cat


def test_pipeline_validate_reports_every_error_with_its_path(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("""
pipelines:
  - name: Bad Name
    source: {kafka: {topics: [], start: middle, properties: {enable.auto.commit: "true"}}}
    format: xml
    table: {name: t, schema: [{name: a, type: lnog}], partition_by: day(b)}
    commit_interval: 10ms
    colour: blue
""")
    r = subprocess.run([str(FLOE_BINARY), "pipeline", "validate", str(bad)], capture_output=True, text=True)
    assert r.returncode == 1
    for expected in ["pipelines[0].name", "pipelines[0].source.kafka.bootstrap_servers: required",
                     "pipelines[0].source.kafka.topics: required", "pipelines[0].source.kafka.start",
                     "enable.auto.commit", "pipelines[0].format", "pipelines[0].table.schema[0].type",
                     "pipelines[0].commit_interval", "pipelines[0].colour: unknown key"]:
        assert expected in r.stderr, f"{expected!r} not in:\n{r.stderr}"
    good = tmp_path / "good.yaml"
    good.write_text(config_yaml(type("K", (), {"bootstrap": "127.0.0.1:1"}), "t", "db.t"))
    r = subprocess.run([str(FLOE_BINARY), "pipeline", "validate", str(good)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "vitals: t -> db.t (dead letters db.t__dlq), every 200 ms" in r.stdout


def test_append_every_record_once_with_dead_letters(kafka, tmp_path):
    topic = kafka.create_topic("ingest.append", partitions=PARTITIONS)
    config = tmp_path / "pipeline.yaml"
    config.write_text(config_yaml(kafka, topic, "clinical.vitals"))
    produced = produce(kafka, topic, 0, 20000)
    proc, log = start_worker(tmp_path, config)
    wait_for_offsets(tmp_path, ["clinical.vitals", "clinical.vitals__dlq"], topic, 20000, [proc])
    # More while it runs: the second batch lands in later snapshots.
    more = produce(kafka, topic, 20000, 5000)
    produced["good"].update(more["good"])
    produced["bad"].update(more["bad"])
    wait_for_offsets(tmp_path, ["clinical.vitals", "clinical.vitals__dlq"], topic, 25000, [proc])
    stop_worker(proc, log)
    cat = check_tables(tmp_path, produced, "clinical.vitals")
    status = subprocess.run([str(FLOE_BINARY), "pipeline", "status", str(config), "--warehouse", str(tmp_path / "wh")],
                            capture_output=True, text=True, timeout=60)
    assert status.returncode == 0, status.stderr
    assert re.search(rf"clinical.vitals +rows {len(produced['good'])}, lag 0, last commit", status.stdout), status.stdout
    assert re.search(rf"clinical.vitals__dlq +rows {len(produced['bad'])}, lag 0,", status.stdout), status.stdout
    snap = cat.load_table("clinical.vitals").current_snapshot()
    assert snap.summary["floe.pipeline"] == "vitals" and snap.summary["floe.commit-id"]
    assert json.loads(snap.summary["floe.offsets"]), "the snapshot names its offsets"


class BackgroundProducer:
    """Produces records at about `rate` per second on a thread (as produce() does) until stop()."""

    def __init__(self, kafka, topic: str, rate: int):
        self.produced = {"good": {}, "bad": {}}
        self._stop = threading.Event()
        self._error = None
        self._thread = threading.Thread(target=self._run, args=(kafka, topic, rate))
        self._thread.start()

    def _run(self, kafka, topic, rate):
        try:
            chunk, first = max(rate // 10, 1), 0
            while not self._stop.is_set():
                started = time.monotonic()
                batch = produce(kafka, topic, first, chunk)
                first += chunk
                self.produced["good"].update(batch["good"])
                self.produced["bad"].update(batch["bad"])
                time.sleep(max(0.0, 0.1 - (time.monotonic() - started)))
        except BaseException as e:  # noqa: BLE001 - reported by stop()
            self._error = e

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join(timeout=120)
        assert not self._thread.is_alive(), "the producer did not stop"
        if self._error is not None:
            raise self._error
        return self.produced


def commits_in(path) -> int:
    try:
        return path.read_text(errors="replace").count(" committed ")
    except FileNotFoundError:
        return 0


@pytest.mark.timeout(900)
def test_sigkill_at_random_moments_loses_and_duplicates_nothing(kafka, tmp_path):
    """A worker killed with SIGKILL again and again while the producer keeps producing: at random
    moments after it got going, and inside the commit path (FLOE_FAULTS: while a data file or
    the metadata file is written, or right after; FLOE_KILL_AT_SWAP: right before or right after
    the catalog's swap). Afterwards the tables hold every record exactly once."""
    kills = int(os.environ.get("FLOE_PIPELINE_KILLS", "12"))
    topic = kafka.create_topic("ingest.kill", partitions=PARTITIONS)
    config = tmp_path / "pipeline.yaml"
    config.write_text(config_yaml(kafka, topic, "clinical.vitals", interval="100ms"))
    rng = random.Random(12)
    producer = BackgroundProducer(kafka, topic, rate=2000)
    log_path = tmp_path / "worker.log"
    faults = [lambda: {"FLOE_FAULTS": f"write-atomically:{rng.randint(2, 8)}:kill"},
              lambda: {"FLOE_FAULTS": f"write-atomically:{rng.randint(2, 8)}:kill-after"},
              lambda: {"FLOE_FAULTS": f"close:{rng.randint(2, 12)}:kill"},
              lambda: {"FLOE_KILL_AT_SWAP": f"before:{rng.randint(1, 6)}"},
              lambda: {"FLOE_KILL_AT_SWAP": f"after:{rng.randint(1, 6)}"},
              lambda: {}]  # a plain SIGKILL at a random moment
    kinds = collections.Counter()
    for k in range(kills):
        env = faults[k % len(faults)]()
        before = commits_in(log_path)
        proc, log = start_worker(tmp_path, config, env=env)
        if env:
            try:
                code = proc.wait(timeout=90)
            except subprocess.TimeoutExpired:  # the fault point was not reached: kill it here
                proc.send_signal(signal.SIGKILL)
                code = proc.wait(timeout=30)
        else:
            deadline = time.monotonic() + 60
            while commits_in(log_path) == before and time.monotonic() < deadline:
                assert proc.poll() is None, log_path.read_text()[-3000:]
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 1.0))
            proc.send_signal(signal.SIGKILL)
            code = proc.wait(timeout=30)
        log.close()
        assert code == -signal.SIGKILL, f"worker {k} ({env}) exited with {code}:\n{log_path.read_text()[-3000:]}"
        kinds[next(iter(env), "random")] += 1
    produced = producer.stop()
    total = len(produced["good"]) + len(produced["bad"])
    proc, log = start_worker(tmp_path, config)
    wait_for_offsets(tmp_path, ["clinical.vitals", "clinical.vitals__dlq"], topic, total, [proc])
    stop_worker(proc, log)
    check_tables(tmp_path, produced, "clinical.vitals")
    text = log_path.read_text()
    assert text.count("FLOE_KILL_AT_SWAP: killed") >= 1 and kinds["random"] >= 1, kinds


def test_through_the_rest_catalog_with_the_server_killed_mid_run(kafka, tmp_path):
    """Commits through `--catalog http://...`; the floe server is SIGKILLed and restarted on the
    same port while records keep coming. Lost answers and refused connections end in neither
    loss nor duplicates."""
    from pyiceberg.catalog.rest import RestCatalog
    from harness.floe_server import FloeServer
    from harness.net import free_port

    topic = kafka.create_topic("ingest.rest", partitions=PARTITIONS)
    config = tmp_path / "pipeline.yaml"
    config.write_text(config_yaml(kafka, topic, "clinical.vitals", interval="100ms"))
    port = free_port()
    server = FloeServer(tmp_path / "server-wh", port=port).start()
    open_catalog = lambda: RestCatalog("floe", uri=server.uri)  # noqa: E731
    producer = BackgroundProducer(kafka, topic, rate=2000)
    proc, log = start_worker(tmp_path, config, catalog_args=["--catalog", server.uri])
    try:
        deadline = time.monotonic() + 60
        while commits_in(tmp_path / "worker.log") < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        for _ in range(3):
            server.kill()
            time.sleep(1.5)  # the worker's commits fail meanwhile; it must wait, not stop
            assert proc.poll() is None, worker_logs(tmp_path)
            server = FloeServer(tmp_path / "server-wh", port=port).start()
            before = commits_in(tmp_path / "worker.log")
            deadline = time.monotonic() + 60
            while commits_in(tmp_path / "worker.log") < before + 2 and time.monotonic() < deadline:
                time.sleep(0.1)
        produced = producer.stop()
        total = len(produced["good"]) + len(produced["bad"])
        wait_for_offsets(tmp_path, ["clinical.vitals", "clinical.vitals__dlq"], topic, total, [proc],
                         open_catalog=open_catalog)
        stop_worker(proc, log)
        check_tables(tmp_path, produced, "clinical.vitals", cat=open_catalog())
    finally:
        if proc.poll() is None:
            proc.kill()
        assert server.stop() == 0


@pytest.mark.timeout(600)
def test_broker_restarts_mid_run_lose_and_duplicate_nothing(tmp_path):
    """The Kafka broker goes down mid-run twice while records keep coming: SIGKILLed, then
    stopped cleanly, each time restarted on the same ports and data. During the second outage
    the worker is SIGKILLed too and a new one starts while the broker is still down. Neither
    worker may stop on its own, and afterwards the tables hold every record exactly once."""
    from harness.kafka import KafkaBroker

    broker = KafkaBroker().start()  # its own: the session's broker stays up for the others
    procs = []
    try:
        topic = broker.create_topic("ingest.restart", partitions=PARTITIONS)
        config = tmp_path / "pipeline.yaml"
        config.write_text(config_yaml(broker, topic, "clinical.vitals", interval="100ms"))
        producer = BackgroundProducer(broker, topic, rate=2000)
        log_path = tmp_path / "worker.log"

        def wait_committing(proc, at_least=3):
            before = commits_in(log_path)
            deadline = time.monotonic() + 120
            while commits_in(log_path) < before + at_least and time.monotonic() < deadline:
                assert proc.poll() is None, worker_logs(tmp_path)
                time.sleep(0.1)
            assert commits_in(log_path) >= before + at_least, f"no commits:\n{worker_logs(tmp_path)}"

        proc, log = start_worker(tmp_path, config)
        procs.append(proc)
        wait_committing(proc)
        broker.restart(kill=True, down_seconds=3)
        assert proc.poll() is None, worker_logs(tmp_path)
        wait_committing(proc)

        broker.stop(remove=False)
        time.sleep(1)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
        log.close()
        proc, log = start_worker(tmp_path, config)  # starts while there is no broker
        procs.append(proc)
        time.sleep(3)
        assert proc.poll() is None, worker_logs(tmp_path)
        broker.start()
        wait_committing(proc)

        produced = producer.stop()
        total = len(produced["good"]) + len(produced["bad"])
        wait_for_offsets(tmp_path, ["clinical.vitals", "clinical.vitals__dlq"], topic, total, [proc])
        stop_worker(proc, log)
        check_tables(tmp_path, produced, "clinical.vitals")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        broker.stop()


@pytest.mark.timeout(600)
def test_workers_join_and_die_in_one_group(kafka, tmp_path):
    """Two, then three workers in one consumer group share the partitions; workers are added,
    SIGKILLed and stopped while records keep coming, so partitions move between them through
    cooperative rebalances and lost sessions. Every record still lands exactly once."""
    topic = kafka.create_topic("ingest.group", partitions=6)
    config = tmp_path / "pipeline.yaml"
    config.write_text(config_yaml(kafka, topic, "clinical.vitals", interval="100ms"))
    producer = BackgroundProducer(kafka, topic, rate=2000)
    workers = {}

    def start(name):
        workers[name] = start_worker(tmp_path, config, log_name=f"worker-{name}.log")

    def wait_committing(name, at_least=2):
        path = tmp_path / f"worker-{name}.log"
        before = commits_in(path)
        deadline = time.monotonic() + 90
        while commits_in(path) < before + at_least and time.monotonic() < deadline:
            assert workers[name][0].poll() is None, worker_logs(tmp_path)
            time.sleep(0.1)
        assert commits_in(path) >= before + at_least, f"worker {name} does not commit:\n{worker_logs(tmp_path)}"

    def kill(name):
        proc, log = workers.pop(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        log.close()

    start("a")
    wait_committing("a")
    start("b")
    wait_committing("b")
    start("c")
    wait_committing("c")
    # A zombie: c freezes past its session timeout with rows in hand, its partitions go to a
    # and b, who commit them; when c wakes up its commit must be refused (the fence), and it
    # rejoins and goes on.
    workers["c"][0].send_signal(signal.SIGSTOP)
    time.sleep(8)
    wait_committing("a", 3)
    wait_committing("b", 3)
    workers["c"][0].send_signal(signal.SIGCONT)
    wait_committing("c")
    zombie_log = (tmp_path / "worker-c.log").read_text()
    assert "fenced" in zombie_log or re.search(r"lost \d+ partition", zombie_log), worker_logs(tmp_path)
    kill("b")                 # its partitions move after its session times out
    wait_committing("a", 4)
    start("d")
    wait_committing("d")
    proc, log = workers.pop("a")
    stop_worker(proc, log)    # a clean leave: revokes, commits, goes
    kill("c")
    start("e")
    wait_committing("e")
    produced = producer.stop()
    total = len(produced["good"]) + len(produced["bad"])
    wait_for_offsets(tmp_path, ["clinical.vitals", "clinical.vitals__dlq"], topic, total,
                     [p for p, _ in workers.values()])
    for name in list(workers):
        proc, log = workers.pop(name)
        stop_worker(proc, log)
    check_tables(tmp_path, produced, "clinical.vitals")


EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "clinical.yaml"


def expected_clinical(gen_out: pathlib.Path, prefix: str) -> dict:
    """Computed from the generator's --out alone: the rows each table must hold, the raw values
    each dead-letter table must hold (the bytes sent: for Avro, wire_base64), and the records per
    topic."""
    tables = collections.defaultdict(collections.Counter)
    dead = collections.defaultdict(collections.Counter)
    counts = collections.Counter()
    dlq_of = {prefix + "edc.audit": "edc.audit_events__dlq", prefix + "sdtm.findings": "sdtm.findings__dlq",
              prefix + "ehr.observations": "ehr.observations__dlq"}
    for line in gen_out.read_text().splitlines():
        r = json.loads(line)
        counts[r["topic"]] += 1
        if r["bad"]:
            sent = base64.b64decode(r["wire_base64"]) if "wire_base64" in r else r["value"].encode()
            dead[dlq_of[r["topic"]]][sent] += 1
            continue
        v = json.loads(r["value"])
        if r["topic"] == prefix + "edc.audit":
            tables["edc.audit_events"][(v["audit_id"], v["transaction_type"], v["subject_key"], v["item_oid"],
                                        v["value"], v["reason_for_change"], v["audit_ts"])] += 1
        elif r["topic"] == prefix + "sdtm.findings":
            tables["sdtm." + v["DOMAIN"].lower()][(v["SEQ"], v["USUBJID"], v["TESTCD"], v["ORRES"], v["STRESN"])] += 1
        else:
            tables["ehr.observations"][(v["id"], v["code"]["text"], v["subject"]["reference"],
                                        v["valueQuantity"]["value"], len(v["note"][0]["text"]))] += 1
    return {"tables": tables, "dead": dead, "counts": counts}


def clinical_pipelines(prefix: str) -> dict:
    """The demo config's pipelines: topic -> (pipeline, the tables it writes)."""
    return {prefix + "edc.audit": ("edc_audit", ["edc.audit_events", "edc.audit_events__dlq"]),
            prefix + "sdtm.findings": ("sdtm_findings", ["sdtm.vs", "sdtm.lb", "sdtm.ae", "sdtm.findings__dlq"]),
            prefix + "ehr.observations": ("ehr_observations", ["ehr.observations", "ehr.observations__dlq"])}


def wait_for_pipelines(tmp_path, proc, pipelines: dict, counts, timeout=240):
    """Until every table of every pipeline recorded offsets summing to its topic's record count."""
    deadline = time.monotonic() + timeout
    while True:
        done = (tmp_path / "wh" / "catalog.db").exists()
        cat = catalog(tmp_path) if done else None
        for topic, (pipeline, tables) in pipelines.items():
            for t in tables:
                try:
                    offsets = json.loads(cat.load_table(t).properties.get(f"floe.pipeline.{pipeline}.offsets", "{}"))
                except Exception:  # noqa: BLE001 - not made yet
                    offsets = {}
                done = done and sum(offsets.values()) == counts[topic]
        if done:
            return
        assert proc.poll() is None, worker_logs(tmp_path)
        assert time.monotonic() < deadline, worker_logs(tmp_path)
        time.sleep(0.5)


def clinical_rows(cat, table: str) -> collections.Counter:
    rows = cat.load_table(table).scan().to_arrow().to_pylist()
    if table == "edc.audit_events":
        return collections.Counter((r["audit_id"], r["transaction_type"], r["subject_key"], r["item_oid"], r["value"],
                                    r["reason_for_change"],
                                    r["audit_ts"].strftime("%Y-%m-%dT%H:%M:%S.%fZ")) for r in rows)
    if table.startswith("sdtm."):
        return collections.Counter((r["SEQ"], r["USUBJID"], r["TESTCD"], r["ORRES"], r["STRESN"]) for r in rows)
    return collections.Counter((r["id"], r["code"]["text"], r["subject"]["reference"], r["valueQuantity"]["value"],
                                len(r["note"][0]["text"])) for r in rows)


def test_clinical_streams_route_into_their_domain_tables(kafka, tmp_path):
    """`floe gen clinical` (5% malformed: bad JSON, wrong types, oversized values, unknown SDTM
    domains) through the demo config: three pipelines, the findings topic routed by DOMAIN into
    sdtm.vs / lb / ae. Each table holds exactly the records routed to it, computed from the
    generator's --out file; each dead-letter table exactly the malformed records of its topic,
    byte for byte; DuckDB agrees on the counts."""
    prefix = "route."
    for topic in ("edc.audit", "sdtm.findings", "ehr.observations"):
        kafka.create_topic(prefix + topic, partitions=3)
    gen_out = tmp_path / "gen.jsonl"
    subprocess.run([str(FLOE_BINARY), "gen", "clinical", "--bootstrap", kafka.bootstrap, "--records", "20000",
                    "--rate", "0", "--seed", "11", "--bad-ratio", "0.05", "--out", str(gen_out),
                    "--topic-prefix", prefix], check=True, timeout=300)
    env = {"KAFKA_BOOTSTRAP": kafka.bootstrap, "TOPIC_PREFIX": prefix, "COMMIT_INTERVAL": "200ms"}
    check = subprocess.run([str(FLOE_BINARY), "pipeline", "validate", str(EXAMPLE)], capture_output=True,
                           text=True, env={**os.environ, **env})
    assert check.returncode == 0, check.stderr
    proc, log = start_worker(tmp_path, EXAMPLE, env=env)
    want = expected_clinical(gen_out, prefix)
    wait_for_pipelines(tmp_path, proc, clinical_pipelines(prefix), want["counts"])
    stop_worker(proc, log)
    check_clinical_tables(tmp_path, want)


def check_clinical_tables(tmp_path, want: dict) -> list:
    """Each table holds exactly its expected rows (PyIceberg; DuckDB agrees on the counts), each
    dead-letter table exactly its expected values; returns every dead letter."""
    cat = catalog(tmp_path)
    con = duck.connect(tmp_path / "duck-ext")
    for table, rows in want["tables"].items():
        got = clinical_rows(cat, table)
        assert got == rows, f"{table}: {sum((got - rows).values())} unexpected, {sum((rows - got).values())} missing"
        location = cat.load_table(table).metadata_location
        assert con.execute(f"SELECT count(*) FROM iceberg_scan('{location}')").fetchone()[0] == sum(rows.values())
    assert set(want["tables"]) == {"edc.audit_events", "sdtm.vs", "sdtm.lb", "sdtm.ae", "ehr.observations"}
    every = []
    for table, values in want["dead"].items():
        letters = cat.load_table(table).scan().to_arrow().to_pylist()
        assert collections.Counter(r["value"] for r in letters) == values, table
        stages = collections.Counter(r["stage"] for r in letters)
        assert set(stages) <= {"decode", "route"} and all(r["error"] for r in letters), stages
        every += letters
    assert any(r["stage"] == "route" and "no table takes /DOMAIN = 'XX'" in r["error"] for r in every)
    return every
