"""Kafka -> Iceberg ingest: floe's pipeline against Apache Iceberg's Kafka Connect sink and
Flink's Iceberg sink, on one broker, the same pre-produced topics and one floe server as the REST
catalog all of them commit through, in the same run.

- Payloads (JSON, pre-produced to a 2-partition topic each, so the figure is the sink's, not the
  producer's): 100-byte events, 500-byte EDC audit events, 2 KB EHR observations.
- Each system starts on a topic's backlog and runs until its table holds every record.
  Throughput counts from its first commit to its last (start-up and the JVM's warm-up excluded
  for both): records and MB of values per CPU second of the system's process (utime + stime from
  /proc, of the process and its descendants, so idle waits cost nothing and extra threads are
  not free), and per wall second. The catalog server's CPU is the same for all and not counted.
- Freshness: a producer writes --rate records/s for --freshness-seconds, each carrying its
  produce time; a separate reader process (freshness_reader.py) polls the REST catalog and, for
  each new snapshot, reads the produce times of the rows it added: visible - produced, p50 and
  p99 over all rows. Every system commits every 500 ms here.
- Every table is checked: DuckDB counts its rows and distinct ids, which must equal what was
  produced.

floe: `floe pipeline run` (`schema: infer`, commit interval 1 s, --catalog the server).
Kafka Connect: connect-standalone 4.1.1 with iceberg-kafka-connect 1.11.0 (tools/kafka-connect/
pom.xml, fetched by Maven into the work dir on the first run), JsonConverter without schemas,
tables auto-created, `iceberg.control.commit.interval-ms` 1000 (the default is 300,000), 2 tasks
(one per partition), `consumer.override.max.poll.records` 10000, heap 2 GiB.
Flink: PyFlink apache-flink 2.1.3 (its own venv in the work dir) on a local mini-cluster,
iceberg-flink-runtime-2.1 1.11.0 and flink-connector-kafka 5.0.0-2.1 (tools/flink/pom.xml),
`INSERT INTO iceberg.bench.t SELECT * FROM kafka_source` with the payload's declared columns
(bench/ingest/flink_job.py), parallelism 2, checkpoints (its commits) every 1 s.

Options after `--`: --records N (100-byte records; the others get N/2 and N/4; default
1,000,000), --payloads 100B,500B,2KB, --rate N (50,000), --freshness-seconds S (20),
--peers kc,flink (the default: both), --skip-peer (floe only).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from runner import Comparison, Context  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "interop"))
from harness.kafka import KafkaBroker  # noqa: E402
from harness.net import free_port  # noqa: E402

DESCRIPTION = ("Kafka -> Iceberg ingest: records and MB per CPU second, freshness p50/p99, floe pipeline "
               "vs Iceberg's Kafka Connect sink and Flink's Iceberg sink (same broker, topics, REST catalog, run)")
TICKS = os.sysconf("SC_CLK_TCK")
PARTITIONS = 2


def payload(kind: str, i: int, ts: int) -> bytes:
    """A record of about the payload's size; ids and times vary, the rest is realistic filler."""
    if kind == "100B":
        return json.dumps({"id": i, "ts": ts, "kind": "hb", "site": f"S{i % 40:02d}", "v": i % 1000}).encode()
    if kind == "500B":
        return json.dumps({
            "id": i, "ts": ts, "study": "CT-2026-001", "site": f"S{i % 40:02d}", "subject": f"SUBJ-{i % 5000:05d}",
            "form": "VITALS", "item": "SYSBP", "action": "Update" if i % 4 else "Insert",
            "old_value": str(110 + i % 30), "new_value": str(112 + i % 30), "user": f"cra{i % 25}",
            "reason": "Transcription error corrected after source document verification",
            "audit": {"device": "edc-web", "session": f"{i * 2654435761 % 2**32:08x}", "ip": "10.1.2.3"},
            "comment": "Value re-entered per monitoring visit; see query Q-" + str(i % 9999).zfill(4)}).encode()
    text = ("Patient seen for scheduled follow-up. Vital signs stable; no new complaints reported. "
            "Medication list reviewed and reconciled. ") * 12
    return json.dumps({
        "id": i, "ts": ts, "resourceType": "Observation", "status": "final", "patient": f"P{i % 20000:06d}",
        "encounter": f"E{i % 90000:07d}", "code": {"system": "http://loinc.org", "code": "8480-6",
                                                    "display": "Systolic blood pressure"},
        "value": {"value": 100 + i % 60, "unit": "mm[Hg]"}, "performer": f"Practitioner/{i % 300}",
        "note": text[: 1500 + i % 100]}).encode()


def counts_for(records: int) -> dict[str, int]:
    return {"100B": records, "500B": records // 2, "2KB": records // 4}


def process_tree(pid: int) -> list[int]:
    """pid and its descendants (PyFlink's JVM is its Python process's child)."""
    children: dict[int, list[int]] = {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process and its descendants."""
    total = 0
    for p in process_tree(pid):
        try:
            fields = pathlib.Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def peak_rss_mib(pid: int) -> float:
    """The peaks of the process and its descendants, added (an upper bound of their joint peak)."""
    total = 0.0
    for p in process_tree(pid):
        try:
            for line in pathlib.Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


def table_records(uri: str, table: str) -> tuple[int, str | None]:
    """(total-records of the current snapshot, metadata location); (0, None) before the table."""
    ns, name = table.split(".")
    try:
        with urllib.request.urlopen(f"{uri}/v1/namespaces/{ns}/tables/{name}", timeout=10) as r:
            body = json.load(r)
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return 0, None
        raise
    meta = body["metadata"]
    current = meta.get("current-snapshot-id")
    for s in meta.get("snapshots", []):
        if s["snapshot-id"] == current:
            return int(s["summary"].get("total-records", 0)), body["metadata-location"]
    return 0, body["metadata-location"]


def produce(bootstrap: str, topic: str, kind: str, count: int) -> int:
    from confluent_kafka import Producer
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 50, "batch.size": 1 << 20,
                         "compression.type": "none", "queue.buffering.max.kbytes": 1 << 20})
    total = 0
    now = int(time.time() * 1000)
    for i in range(count):
        value = payload(kind, i, now)
        total += len(value)
        while True:
            try:
                producer.produce(topic, value=value, partition=i % PARTITIONS)
                break
            except BufferError:
                producer.poll(0.05)
    assert producer.flush(300) == 0
    return total


class System:
    """One sink under test: started on a topic, stopped once its table is complete."""

    def __init__(self, name: str, argv: list[str], log: pathlib.Path, env: dict | None = None) -> None:
        self.name = name
        self.log_path = log
        self.log = open(log, "wb")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})

    def stop(self) -> None:
        tree = process_tree(self.proc.pid)
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for p in tree[1:]:  # a child JVM left behind
            try:
                os.kill(p, 9)
            except OSError:
                pass
        self.log.close()


def measure(system: System, uri: str, table: str, expected: int, timeout: float = 1800) -> dict:
    """Polls the table until it holds `expected` records; CPU and wall from first to last commit."""
    first = None
    launched = time.monotonic()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if system.proc.poll() is not None:
            raise RuntimeError(f"{system.name} exited with {system.proc.returncode}: "
                               f"{system.log_path.read_text(errors='replace')[-3000:]}")
        records, location = table_records(uri, table)
        now, cpu = time.monotonic(), cpu_seconds(system.proc.pid)
        if records > 0 and first is None:
            first = (now, cpu, records)
            first_records = records
        if records >= expected:
            rss = peak_rss_mib(system.proc.pid)
            system.stop()
            if records - first[2] < records / 2:
                # The first commit took most of it: count from the launch instead
                # (start-up included, to the system's cost).
                first = (launched, 0.0, 0)
                print(f"  ({system.name}'s first commit held {first_records:,} of {records:,} records: "
                      "figures from its launch)")
            return {"records": records - first[2], "cpu": cpu - first[1], "wall": now - first[0],
                    "rss": rss, "location": location, "total": records}
        time.sleep(0.1)
    system.stop()
    raise RuntimeError(f"{system.name}: {table} did not reach {expected} records within {timeout} s")


def check_table(location: str, expected: int, work: pathlib.Path) -> None:
    from harness import duck
    con = duck.connect(work / "duck-ext")
    count, distinct = con.execute(
        f"SELECT count(*), count(DISTINCT id) FROM iceberg_scan('{location}')").fetchone()
    if (count, distinct) != (expected, expected):
        raise RuntimeError(f"table at {location}: {count} rows, {distinct} distinct ids; expected {expected}")


def kafka_connect_lib(work: pathlib.Path) -> pathlib.Path:
    lib = work / "kafka-connect" / "lib"
    stamp = work / "kafka-connect" / "pom.xml"
    pom = REPO / "tools" / "kafka-connect" / "pom.xml"
    if not lib.exists() or not stamp.exists() or stamp.read_bytes() != pom.read_bytes():
        print("fetching Kafka Connect and the Iceberg sink with Maven (first run only) ...", flush=True)
        shutil.rmtree(lib, ignore_errors=True)
        subprocess.run(["mvn", "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
                        f"-DoutputDirectory={lib}", "-DincludeScope=runtime"], check=True)
        shutil.copy(pom, stamp)
    return lib


def flink_env(work: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path]:
    """(the venv's python with apache-flink, the jars dir), made on the first run."""
    base = work / "flink"
    python, lib = base / "venv" / "bin" / "python", base / "lib"
    pom = REPO / "tools" / "flink" / "pom.xml"
    stamp = base / "pom.xml"
    if not python.exists():
        print("installing PyFlink (apache-flink 2.1.3) into a venv of its own (first run only) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "apache-flink==2.1.3"], check=True)
    if not lib.exists() or not stamp.exists() or stamp.read_bytes() != pom.read_bytes():
        print("fetching Iceberg's Flink runtime and Flink's Kafka connector with Maven (first run only) ...",
              flush=True)
        shutil.rmtree(lib, ignore_errors=True)
        subprocess.run(["mvn", "-q", "-B", "-f", str(pom), "dependency:copy-dependencies", f"-DoutputDirectory={lib}",
                        "-DincludeScope=runtime", "-DexcludeTransitive=true"], check=True)
        shutil.copy(pom, stamp)
    # On the JVM's own classpath (PyFlink's lib/), where the catalog factory finds Hadoop's
    # classes; pipeline.jars would load them in the user class loader only.
    pyflink_lib = next((base / "venv" / "lib").glob("python3*/site-packages/pyflink/lib"))
    for jar in lib.glob("*.jar"):
        if not (pyflink_lib / jar.name).exists():
            shutil.copy(jar, pyflink_lib / jar.name)
    return python, lib


def flink_system(env: tuple[pathlib.Path, pathlib.Path], work: pathlib.Path, bootstrap: str, uri: str, topic: str,
                 table: str, kind: str, interval_ms: int) -> System:
    python, lib = env
    job = pathlib.Path(__file__).with_name("flink_job.py")
    return System("flink", [str(python), str(job), str(lib), bootstrap, topic, uri, table, kind, str(interval_ms),
                            str(PARTITIONS)], work / f"flink-{table}.log")


def floe_system(ctx: Context, work: pathlib.Path, bootstrap: str, uri: str, topic: str, table: str,
                interval: str) -> System:
    config = work / f"floe-{table}.yaml"
    config.write_text(f"""
pipelines:
  - name: bench
    source:
      kafka:
        bootstrap_servers: {bootstrap}
        topics: [{topic}]
        group: floe-{table}
    format: json
    table: {{name: {table}, schema: infer}}
    commit_interval: {interval}
""")
    return System("floe", [str(ctx.floe), "pipeline", "run", str(config), "--catalog", uri, "--progress", "0"],
                  work / f"floe-{table}.log")


def kc_system(lib: pathlib.Path, work: pathlib.Path, bootstrap: str, uri: str, topic: str, table: str,
              interval_ms: int) -> System:
    d = work / f"kc-{table}"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    (d / "worker.properties").write_text(f"""
bootstrap.servers={bootstrap}
key.converter=org.apache.kafka.connect.converters.ByteArrayConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
offset.storage.file.filename={d}/offsets
offset.flush.interval.ms=10000
listeners=http://127.0.0.1:{free_port()}
plugin.path=
connector.client.config.override.policy=All
plugin.discovery=service_load
""")
    (d / "sink.properties").write_text(f"""
name=iceberg-{table.replace('.', '-')}
connector.class=org.apache.iceberg.connect.IcebergSinkConnector
tasks.max={PARTITIONS}
topics={topic}
iceberg.tables={table}
iceberg.tables.auto-create-enabled=true
iceberg.catalog.type=rest
iceberg.catalog.uri={uri}
iceberg.control.topic=control-{table}
iceberg.control.group-id-prefix=cg-{table}
iceberg.control.commit.interval-ms={interval_ms}
consumer.override.max.poll.records=10000
consumer.override.auto.offset.reset=earliest
""")
    (d / "log4j2.properties").write_text("rootLogger.level=WARN\nrootLogger.appenderRef.stdout.ref=STDOUT\n"
                                         "appender.console.type=Console\nappender.console.name=STDOUT\n"
                                         "appender.console.layout.type=PatternLayout\n"
                                         "appender.console.layout.pattern=%d %p %c{1}: %m%n\n")
    java = shutil.which("java") or "java"
    argv = [java, "-Xmx2g", f"-Dlog4j2.configurationFile={d}/log4j2.properties", "-cp", f"{lib}/*",
            "org.apache.kafka.connect.cli.ConnectStandalone", str(d / "worker.properties"), str(d / "sink.properties")]
    return System("kafka-connect", argv, d / "connect.log")


def freshness(start_system, uri: str, bootstrap: str, topic: str, table: str, rate: int, seconds: int,
              work: pathlib.Path, label: str) -> tuple[float, float, int]:
    """p50 and p99 of visible - produced over every row, and the rows seen."""
    out = work / f"freshness-{label}.json"
    system = start_system()
    reader = subprocess.Popen([sys.executable, str(pathlib.Path(__file__).with_name("freshness_reader.py")),
                               uri, table, str(out)])
    try:
        from confluent_kafka import Producer
        producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
        total = rate * seconds
        start = time.monotonic()
        for i in range(total):
            # Paced in steps of 1 ms worth of records.
            if i % max(rate // 1000, 1) == 0:
                ahead = start + i / rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
            while True:
                try:
                    producer.produce(topic, value=payload("100B", i, int(time.time() * 1000)), partition=i % PARTITIONS)
                    break
                except BufferError:
                    producer.poll(0.01)
            if i % 1000 == 0:
                producer.poll(0)
        producer.flush(60)
        deadline = time.monotonic() + 300
        while table_records(uri, table)[0] < total and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
    finally:
        reader.terminate()
        reader.wait(timeout=60)
        system.stop()
    latencies = sorted(json.loads(out.read_text()))
    if not latencies:
        raise RuntimeError(f"{label}: the reader saw no rows")
    pick = lambda q: latencies[min(int(q * len(latencies)), len(latencies) - 1)] / 1000  # noqa: E731
    return pick(0.50), pick(0.99), len(latencies)


PEER_NAMES = {"kc": "Kafka Connect", "flink": "Flink"}


def run(ctx: Context, args: list[str]) -> list[Comparison]:
    parser = argparse.ArgumentParser(prog="bench/run ingest --")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--payloads", default="100B,500B,2KB")
    parser.add_argument("--rate", type=int, default=50_000)
    parser.add_argument("--freshness-seconds", type=int, default=20)
    parser.add_argument("--peers", default="kc,flink", help="kc, flink, or both (comma-separated)")
    parser.add_argument("--skip-peer", action="store_true", help="floe alone")
    opts = parser.parse_args(args)
    peers = [] if opts.skip_peer else [p for p in opts.peers.split(",") if p]
    work = ctx.work_dir
    run_dir = work / time.strftime("run-%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True)
    kc_lib = kafka_connect_lib(work) if "kc" in peers else None
    flink = flink_env(work) if "flink" in peers else None
    broker = KafkaBroker().start()
    server_log = open(run_dir / "server.log", "wb")
    port = free_port()
    server = subprocess.Popen([str(ctx.floe), "server", "--host", "127.0.0.1", "--port", str(port),
                               "--warehouse", str(run_dir / "wh")], stdout=server_log, stderr=server_log)
    uri = f"http://127.0.0.1:{port}"

    def start(name: str, topic: str, table: str, kind: str, interval_ms: int) -> System:
        if name == "floe":
            return floe_system(ctx, run_dir, broker.bootstrap, uri, topic, table, f"{interval_ms}ms")
        if name == "kc":
            return kc_system(kc_lib, run_dir, broker.bootstrap, uri, topic, table, interval_ms)
        return flink_system(flink, run_dir, broker.bootstrap, uri, topic, table, kind, interval_ms)

    rows: list[Comparison] = []
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(uri + "/v1/config", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        per_cpu = lambda m: m["records"] / m["cpu"]  # noqa: E731
        for kind in opts.payloads.split(","):
            count = counts_for(opts.records)[kind]
            topic = broker.create_topic(f"bench-{kind.lower()}", partitions=PARTITIONS)
            print(f"producing {count:,} {kind} records to {topic} ...", flush=True)
            value_bytes = produce(broker.bootstrap, topic, kind, count)
            results = {}
            for name in ["floe"] + peers:
                table = f"bench.{name}_{kind.lower()}"
                print(f"{name}: {kind} backlog into {table} ...", flush=True)
                m = measure(start(name, topic, table, kind, 1000), uri, table, count)
                check_table(m["location"], count, run_dir)
                m["mb"] = value_bytes / 1e6 * m["records"] / count
                results[name] = m
                print(f"  {m['records']:,} records in {m['wall']:.1f} s, {m['cpu']:.1f} CPU s "
                      f"({m['records'] / m['cpu']:,.0f} records/CPU s), peak RSS {m['rss']:.0f} MiB", flush=True)
            f = results["floe"]
            for name in peers:
                k, peer = results[name], PEER_NAMES[name]
                rows += [
                    Comparison(f"{kind} records per CPU second", "records/s", per_cpu(f), per_cpu(k), peer),
                    Comparison(f"{kind} MB per CPU second", "MB/s", f["mb"] / f["cpu"], k["mb"] / k["cpu"], peer),
                    Comparison(f"{kind} records per wall second", "records/s", f["records"] / f["wall"],
                               k["records"] / k["wall"], peer),
                    Comparison(f"{kind} peak RSS", "MiB", f["rss"], k["rss"], peer, higher_is_better=False),
                ]
            target = 500_000 if kind == "100B" else (100 * 2**20 / 2048 if kind == "2KB" else 0)
            if target:
                rows.append(Comparison(f"{kind} records per CPU second", "records/s", per_cpu(f), target, "target"))
        if opts.rate and opts.freshness_seconds:
            figures = {}
            for name in ["floe"] + peers:
                table = f"bench.{name}_fresh"
                topic = broker.create_topic(f"bench-fresh-{name}", partitions=PARTITIONS)
                print(f"{name}: freshness at {opts.rate:,} records/s for {opts.freshness_seconds} s ...", flush=True)
                figures[name] = freshness(lambda n=name, t=table, tp=topic: start(n, tp, t, "100B", 500), uri,
                                          broker.bootstrap, topic, table, opts.rate, opts.freshness_seconds,
                                          run_dir, name)
                print(f"  p50 {figures[name][0]:.3f} s, p99 {figures[name][1]:.3f} s over {figures[name][2]:,} rows",
                      flush=True)
            f = figures["floe"]
            rows.append(Comparison("freshness p99 (500 ms commits)", "s", f[1], 1.0, "target", higher_is_better=False))
            for name in peers:
                k, peer = figures[name], PEER_NAMES[name]
                rows += [Comparison("freshness p50 (500 ms commits)", "s", f[0], k[0], peer, higher_is_better=False),
                         Comparison("freshness p99 (500 ms commits)", "s", f[1], k[1], peer, higher_is_better=False)]
    finally:
        server.terminate()
        server.wait(timeout=30)
        server_log.close()
        broker.stop()
    return rows
