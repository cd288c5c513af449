"""`GET /metrics` on `floe server --config` (issue 12's observability): the pipelines' figures in
the Prometheus text format, parsed by prometheus_client's own parser and checked against what was
produced and what the tables hold (PyIceberg through the server's REST catalog); and the commit
log lines, one JSON object per commit.
"""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families
from pyiceberg.catalog.rest import RestCatalog

from harness.floe_server import FloeServer
from test_pipeline_ingest import PARTITIONS, config_yaml, produce, wait_for_offsets

pytestmark = pytest.mark.timeout(240)

RECORDS = 3000


def scrape(uri: str) -> dict:
    """{(family, sample name, frozenset(labels)): value} of one GET /metrics."""
    with urllib.request.urlopen(uri + "/metrics", timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = response.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(family.name, s.name, frozenset(s.labels.items()))] = s.value
    return samples


def value(samples: dict, name: str, **labels) -> float:
    matches = [v for (_, n, ls), v in samples.items() if n == name and ls == frozenset(labels.items())]
    assert len(matches) == 1, (name, labels, [k for k in samples if k[1] == name])
    return matches[0]


def test_metrics_count_what_the_tables_hold(kafka, tmp_path):
    topic = kafka.create_topic("metrics", partitions=PARTITIONS)
    config = tmp_path / "pipelines.yaml"
    config.write_text(config_yaml(kafka, topic, "m.vitals"))
    server = FloeServer(tmp_path / "wh", extra_args=["--config", str(config)]).start()
    try:
        produced = produce(kafka, topic, 0, RECORDS)
        cat = lambda: RestCatalog("floe", uri=server.uri)  # noqa: E731
        wait_for_offsets(tmp_path, ["m.vitals", "m.vitals__dlq"], topic, RECORDS, [server.proc],
                         open_catalog=cat)
        snapshots_before = {t: len(cat().load_table(t).snapshots()) for t in ("m.vitals", "m.vitals__dlq")}
        samples = scrape(server.uri)
        snapshots_after = {t: len(cat().load_table(t).snapshots()) for t in ("m.vitals", "m.vitals__dlq")}

        p = {"pipeline": "vitals"}
        good, bad = produced["good"], produced["bad"]
        value_bytes = sum(len(json.dumps(r).encode()) for r in good.values()) + sum(len(v) for v in bad.values())
        assert value(samples, "floe_pipeline_up", **p) == 1
        assert value(samples, "floe_pipeline_records_total", **p) == RECORDS
        assert value(samples, "floe_pipeline_bytes_total", **p) == value_bytes
        assert value(samples, "floe_pipeline_dead_letters_total", **p) == len(bad)
        assert value(samples, "floe_pipeline_filtered_total", **p) == 0
        assert value(samples, "floe_pipeline_freshness_seconds", **p) >= 0
        assert value(samples, "floe_pipeline_last_commit_timestamp_seconds", **p) > 1.7e9
        for table, rows in (("m.vitals", len(good)), ("m.vitals__dlq", len(bad))):
            t = {**p, "table": table}
            assert value(samples, "floe_pipeline_table_rows_total", **t) == rows
            files = cat().load_table(table).inspect.files().num_rows
            assert value(samples, "floe_pipeline_table_files_total", **t) == files
            commits = value(samples, "floe_pipeline_table_commits_total", **t)
            assert snapshots_before[table] <= commits <= snapshots_after[table], (commits, snapshots_before)
            assert value(samples, "floe_pipeline_table_rewinds_total", **t) == 0
            # The histogram: cumulative buckets ending in +Inf = _count = the commits.
            buckets = sorted(((float(dict(ls)["le"]), v) for (_, n, ls), v in samples.items()
                              if n == "floe_pipeline_table_commit_seconds_bucket" and dict(ls).get("table") == table))
            assert buckets[-1] == (float("inf"), commits)
            assert all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:])), buckets
            assert value(samples, "floe_pipeline_table_commit_seconds_count", **t) == commits
            assert value(samples, "floe_pipeline_table_commit_seconds_sum", **t) > 0
        lags = {dict(ls)["partition"]: v for (_, n, ls), v in samples.items() if n == "floe_pipeline_partition_lag"}
        assert lags == {str(i): 0 for i in range(PARTITIONS)}, lags

        # More records: the counters move on by exactly as many.
        more = produce(kafka, topic, RECORDS, 500)
        wait_for_offsets(tmp_path, ["m.vitals", "m.vitals__dlq"], topic, RECORDS + 500, [server.proc],
                         open_catalog=cat)
        later = scrape(server.uri)
        assert value(later, "floe_pipeline_records_total", **p) == RECORDS + 500
        assert value(later, "floe_pipeline_table_rows_total", **p, table="m.vitals") == len(good) + len(more["good"])
    finally:
        assert server.stop() == 0

    # Every commit logged as one JSON object after "committed ".
    commits = [json.loads(m[1]) for m in re.finditer(r"pipeline vitals: committed (\{.*\})", server.log())]
    assert commits, server.log()[-2000:]
    assert sum(c["rows"] for c in commits if c["table"] == "m.vitals") == len(good) + len(more["good"])
    assert all(c["snapshot"] > 0 and c["attempts"] >= 1 and c["ms"] >= 0 for c in commits)
