"""Avro records in the Confluent wire format (issue 12): `floe gen clinical --format avro`
registers its writer schemas in a real schema registry (Apicurio Registry, Confluent's API) and
produces to a real broker; the demo pipelines read them with `format: avro`, resolving each
record's schema id in the registry, or from a local .avsc with the table's columns inferred from
it. The tables are judged by PyIceberg and DuckDB against the generator's --out file, the dead
letters byte for byte."""

from __future__ import annotations

import base64
import collections
import json
import os
import subprocess
import time

import pytest

from harness import duck
from harness.floe import FLOE_BINARY
from harness.schema_registry import SchemaRegistry
from harness.tcp_proxy import TcpProxy
from test_pipeline_ingest import (EXAMPLE, catalog, check_clinical_tables, clinical_pipelines, expected_clinical,
                                  start_worker, stop_worker, wait_for_pipelines, worker_logs)


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    r = SchemaRegistry(tmp_path_factory.mktemp("registry")).start()
    try:
        yield r
    finally:
        r.stop()


def avro_config(tmp_path, avro_block: str):
    """The demo config with every pipeline reading Avro."""
    text = EXAMPLE.read_text().replace("    format: json\n", f"    format: avro\n    avro: {avro_block}\n")
    path = tmp_path / "clinical-avro.yaml"
    path.write_text(text)
    return path


def test_avro_through_a_schema_registry_routes_dead_letters_and_waits_out_an_outage(kafka, registry, tmp_path):
    prefix = "avro."
    for topic in ("edc.audit", "sdtm.findings", "ehr.observations"):
        kafka.create_topic(prefix + topic, partitions=3)
    gen_out = tmp_path / "gen.jsonl"
    subprocess.run([str(FLOE_BINARY), "gen", "clinical", "--format", "avro", "--registry", registry.url,
                    "--bootstrap", kafka.bootstrap, "--records", "20000", "--rate", "0", "--seed", "5",
                    "--bad-ratio", "0.05", "--out", str(gen_out), "--topic-prefix", prefix],
                   check=True, timeout=300)
    # The registry holds the generator's schemas, under Confluent's subject names.
    ids = collections.Counter(int.from_bytes(base64.b64decode(json.loads(line)["wire_base64"])[1:5], "big")
                              for line in gen_out.read_text().splitlines())
    assert len(ids) == 3
    for schema_id in ids:
        assert json.loads(registry.schema(schema_id)["schema"])["type"] == "record"
    want = expected_clinical(gen_out, prefix)
    assert all(base64.b64decode(json.loads(line)["wire_base64"])[0] == 0
               for line in gen_out.read_text().splitlines() if not json.loads(line)["bad"])
    # The pipelines reach the registry through a proxy that does not answer at first: a
    # registry that cannot be asked pauses them; no record becomes a dead letter for it.
    proxy = TcpProxy("127.0.0.1", registry.port)
    config = avro_config(tmp_path, f"{{registry: 'http://127.0.0.1:{proxy.port}/apis/ccompat/v7'}}")
    env = {"KAFKA_BOOTSTRAP": kafka.bootstrap, "TOPIC_PREFIX": prefix, "COMMIT_INTERVAL": "200ms"}
    check = subprocess.run([str(FLOE_BINARY), "pipeline", "validate", str(config)], capture_output=True,
                           text=True, env={**os.environ, **env})
    assert check.returncode == 0, check.stderr
    proc, log = start_worker(tmp_path, config, env=env)
    deadline = time.monotonic() + 60
    while "pausing: " not in (tmp_path / "worker.log").read_text(errors="replace"):
        assert proc.poll() is None and time.monotonic() < deadline, worker_logs(tmp_path)
        time.sleep(0.3)
    with proxy:
        wait_for_pipelines(tmp_path, proc, clinical_pipelines(prefix), want["counts"])
        stop_worker(proc, log)
    assert "schema registry" in (tmp_path / "worker.log").read_text(errors="replace")
    letters = check_clinical_tables(tmp_path, want)
    text = " ".join(r["error"] for r in letters)
    assert "not in the Confluent wire format" in text and "larger than max_record_size" in text

def test_avro_schema_file_infers_the_table(kafka, tmp_path):
    """`schema: infer` with a local .avsc: the table is created with the schema file's columns
    (the enum as a string, the nullable union optional), before any record arrives."""
    prefix = "avsc."
    kafka.create_topic(prefix + "edc.audit", partitions=2)
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    gen_out = tmp_path / "gen.jsonl"
    subprocess.run([str(FLOE_BINARY), "gen", "clinical", "--format", "avro", "--avro-schemas", str(schemas),
                    "--bootstrap", kafka.bootstrap, "--records", "3000", "--rate", "0", "--seed", "9",
                    "--out", str(gen_out), "--topic-prefix", prefix], check=True, timeout=300)
    config = tmp_path / "audit.yaml"
    config.write_text(f"""
name: edc_audit
source:
  kafka:
    bootstrap_servers: {kafka.bootstrap}
    topics: [{prefix}edc.audit]
format: avro
avro: {{schema_file: {schemas / 'edc.audit.avsc'}}}
table: {{name: edc.audit_inferred, schema: infer}}
commit_interval: 200ms
""")
    records = [json.loads(line) for line in gen_out.read_text().splitlines()]
    audit = [json.loads(r["value"]) for r in records if r["topic"] == prefix + "edc.audit"]
    proc, log = start_worker(tmp_path, config)
    wait_for_pipelines(tmp_path, proc, {prefix + "edc.audit": ("edc_audit", ["edc.audit_inferred"])},
                      {prefix + "edc.audit": len(audit)})
    stop_worker(proc, log)
    table = catalog(tmp_path).load_table("edc.audit_inferred")
    fields = {f.name: (str(f.field_type), f.required) for f in table.schema().fields}
    assert fields["audit_id"] == ("long", True)
    assert fields["transaction_type"] == ("string", True)
    assert fields["reason_for_change"] == ("string", False)
    assert list(fields)[-1] == "produced_at"
    rows = table.scan().to_arrow().to_pylist()
    assert collections.Counter(tuple(r.values()) for r in rows) == collections.Counter(
        tuple(a[k] for k in fields) for a in audit)
    con = duck.connect(tmp_path / "duck-ext")
    got = con.execute(f"SELECT count(*), count(DISTINCT audit_id) FROM iceberg_scan('{table.metadata_location}')").fetchone()
    assert got == (len(audit), len(audit))
