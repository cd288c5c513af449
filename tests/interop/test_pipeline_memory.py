"""The memory budget (issue 12): 64 Kafka partitions into a table with 200 partition values under
`memory_budget: 256MiB`. The worker starts behind a backlog, so it reads as fast as it can; its
peak resident set (VmHWM) must stay within the budget plus a fixed overhead, and no record may be
lost. FLOE_MEMORY_RECORDS sets the backlog (default 400,000 records of about 300 bytes).

The fixed overhead is what a worker holds besides the budget's buffers: the binary and its
libraries, thread stacks, librdkafka's per-partition state and the catalog. It is measured here
too, by the same worker on an empty topic, and reported beside the peak.
"""

from __future__ import annotations

import json
import os
import time

import pytest
from confluent_kafka import Producer

from harness import duck
from test_pipeline_ingest import catalog, start_worker, stop_worker, wait_for_offsets

pytestmark = pytest.mark.timeout(600)

RECORDS = int(os.environ.get("FLOE_MEMORY_RECORDS", "400000"))
KAFKA_PARTITIONS = 64
SITES = 200
BUDGET_MIB = 256
OVERHEAD_MIB = 64  # the stated fixed overhead beside the budget (docs/design/streaming.md)

CONFIG = """
pipelines:
  - name: vitals
    source:
      kafka:
        bootstrap_servers: {bootstrap}
        topics: [{topic}]
        group: floe-{topic}
    format: json
    table:
      name: mem.vitals
      schema:
        - {{name: seq, type: long, required: true}}
        - {{name: site, type: string}}
        - {{name: subject, type: string}}
        - {{name: hr, type: int}}
        - {{name: note, type: string}}
      partition_by: identity(site)
    commit_interval: 1s
    memory_budget: {budget}MiB
"""


def record(i: int) -> bytes:
    return json.dumps({"seq": i, "site": f"site-{i % SITES:03d}", "subject": f"S-{i % 9973:05d}",
                       "hr": 40 + i % 120, "note": f"{i:x}" * (20 + i % 40)}).encode()


def peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc/status")


def test_many_partitions_and_partition_values_stay_within_the_budget(kafka, tmp_path):
    # The baseline: the same worker, idle on an empty topic with as many partitions.
    idle_topic = kafka.create_topic("memory-idle", partitions=KAFKA_PARTITIONS)
    idle_config = tmp_path / "idle.yaml"
    idle_config.write_text(CONFIG.format(bootstrap=kafka.bootstrap, topic=idle_topic, budget=BUDGET_MIB)
                           .replace("mem.vitals", "mem.idle"))
    idle, idle_log = start_worker(tmp_path, idle_config, log_name="worker-idle.log",
                                  catalog_args=["--warehouse", str(tmp_path / "idle-wh")])
    time.sleep(8)
    assert idle.poll() is None, (tmp_path / "worker-idle.log").read_text()
    baseline = peak_rss_mib(idle.pid)
    stop_worker(idle, idle_log)

    topic = kafka.create_topic("memory", partitions=KAFKA_PARTITIONS)
    producer = Producer({"bootstrap.servers": kafka.bootstrap, "linger.ms": 20, "batch.size": 1 << 20,
                         "enable.idempotence": True})
    produced_bytes = 0
    for i in range(RECORDS):
        value = record(i)
        produced_bytes += len(value)
        while True:
            try:
                producer.produce(topic, value=value, partition=i % KAFKA_PARTITIONS)
                break
            except BufferError:
                producer.poll(0.05)
    assert producer.flush(120) == 0

    config = tmp_path / "pipeline.yaml"
    config.write_text(CONFIG.format(bootstrap=kafka.bootstrap, topic=topic, budget=BUDGET_MIB))
    proc, log = start_worker(tmp_path, config)
    wait_for_offsets(tmp_path, ["mem.vitals"], topic, RECORDS, [proc], timeout=480)
    peak = peak_rss_mib(proc.pid)
    stop_worker(proc, log)

    cat = catalog(tmp_path)
    table = cat.load_table("mem.vitals")
    con = duck.connect(tmp_path / "duck-ext")
    count, distinct, sites = con.execute(
        "SELECT count(*), count(DISTINCT seq), count(DISTINCT site) "
        f"FROM iceberg_scan('{table.metadata_location}')").fetchone()
    files = len(table.inspect.files())
    print(f"\nmemory: {RECORDS} records ({produced_bytes / 2**20:.0f} MiB) from {KAFKA_PARTITIONS} partitions "
          f"into {SITES} partition values: peak RSS {peak:.0f} MiB (idle worker {baseline:.0f} MiB) "
          f"with a {BUDGET_MIB} MiB budget; {files} data files")
    assert (count, distinct, sites) == (RECORDS, RECORDS, SITES)
    assert table.scan().to_arrow().num_rows == RECORDS
    assert baseline < OVERHEAD_MIB, f"the idle worker alone holds {baseline:.0f} MiB"
    assert peak <= BUDGET_MIB + OVERHEAD_MIB, f"peak RSS {peak:.0f} MiB past {BUDGET_MIB} + {OVERHEAD_MIB} MiB"
