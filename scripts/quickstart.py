"""floe's main job on embedded defaults: the streaming quickstart.

Starts a local single-node Kafka broker (from the jars scripts/setup cached), `floe server` with
the clinical demo pipelines (examples/clinical.yaml: edc.*, sdtm.*, ehr.* tables in an embedded
catalog, served over the Iceberg REST API), and `floe gen clinical` for a short run; prints live
figures, then PyIceberg and DuckDB lines that query the live tables (and runs them). It keeps
running until Ctrl-C, which stops everything it started; --exit stops right after the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "interop"))

from harness.kafka import KafkaBroker  # noqa: E402
from harness.net import free_port  # noqa: E402

FLOE = ROOT / "build" / "floe"
TABLES = ["edc.audit_events", "sdtm.vs", "sdtm.lb", "sdtm.ae", "ehr.observations",
          "edc.audit_events__dlq", "sdtm.findings__dlq", "ehr.observations__dlq"]


def table_figures(uri: str) -> dict:
    from pyiceberg.catalog.rest import RestCatalog
    cat = RestCatalog("floe", uri=uri)
    out = {}
    for name in TABLES:
        try:
            t = cat.load_table(name)
        except Exception:  # noqa: BLE001 - not created yet
            continue
        snap = t.current_snapshot()
        out[name] = {"rows": int(snap.summary["total-records"]) if snap else 0,
                     "snapshots": len(t.metadata.snapshots),
                     "age_s": time.time() - snap.timestamp_ms / 1000 if snap else None}
    return out


def print_figures(uri: str, produced: int | None = None) -> None:
    figures = table_figures(uri)
    line = "  ".join(f"{n} {f['rows']:,}" for n, f in figures.items() if not n.endswith("__dlq"))
    dlq = sum(f["rows"] for n, f in figures.items() if n.endswith("__dlq"))
    commits = sum(f["snapshots"] for f in figures.values())
    ages = [f["age_s"] for f in figures.values() if f["age_s"] is not None]
    fresh = f", newest commit {min(ages):.1f} s ago" if ages else ""
    print(f"[quickstart] {line}  | dead letters {dlq:,}, {commits} snapshots{fresh}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="how long the generator runs")
    parser.add_argument("--rate", type=int, default=5000, help="records per second")
    parser.add_argument("--exit", action="store_true", help="stop after the figures, not at Ctrl-C")
    args = parser.parse_args()

    out = ROOT / "floe-data" / "quickstart"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    started = []
    broker = KafkaBroker().start()
    server = None
    try:
        print(f"[quickstart] Kafka broker on {broker.bootstrap}", flush=True)
        for topic, parts in (("edc.audit", 6), ("sdtm.findings", 3), ("ehr.observations", 3)):
            broker.create_topic(topic, partitions=parts)
        port = free_port()
        uri = f"http://127.0.0.1:{port}"
        env = {**os.environ, "KAFKA_BOOTSTRAP": broker.bootstrap, "COMMIT_INTERVAL": "500ms"}
        server_log = open(out / "server.log", "wb")
        server = subprocess.Popen([str(FLOE), "server", "--warehouse", str(out / "warehouse"), "--port", str(port),
                                   "--config", str(ROOT / "examples" / "clinical.yaml")],
                                  stdout=server_log, stderr=subprocess.STDOUT, env=env)
        started.append(server)
        deadline = time.monotonic() + 30
        while "listening on" not in (out / "server.log").read_text(errors="replace"):
            if server.poll() is not None or time.monotonic() > deadline:
                print((out / "server.log").read_text(errors="replace"), file=sys.stderr)
                return 1
            time.sleep(0.1)
        print(f"[quickstart] floe server on {uri} with 3 pipelines (examples/clinical.yaml); log: {out / 'server.log'}",
              flush=True)
        gen = subprocess.Popen([str(FLOE), "gen", "clinical", "--bootstrap", broker.bootstrap, "--rate", str(args.rate),
                                "--duration", str(args.seconds), "--bad-ratio", "0.01", "--seed", "1"])
        started.append(gen)
        while gen.poll() is None:
            time.sleep(2)
            print_figures(uri)
        if gen.returncode != 0:
            print("[quickstart] the generator failed", file=sys.stderr)
            return 1
        time.sleep(2)  # the last commit interval
        print_figures(uri)

        py = str(ROOT / ".venv" / "bin" / "python")
        pyiceberg_line = (f"{py} -c \"from pyiceberg.catalog.rest import RestCatalog; "
                          f"t = RestCatalog('floe', uri='{uri}').load_table('sdtm.vs'); "
                          f"a = t.scan(selected_fields=('USUBJID', 'TESTCD', 'STRESN')).to_arrow(); "
                          f"print(a.num_rows, 'rows in sdtm.vs, e.g.', a.slice(0, 2).to_pylist())\"")
        duckdb_line = (f"{py} -c \"import sys; sys.path.insert(0, 'tests/interop'); from harness import duck; "
                       f"con = duck.connect('.cache/duckdb-extensions'); "
                       f"con.execute(\\\"ATTACH 'lake' AS lake (TYPE iceberg, ENDPOINT '{uri}', AUTHORIZATION_TYPE 'none')\\\"); "
                       f"print(con.sql('SELECT transaction_type, count(*) AS events FROM lake.edc.audit_events "
                       f"GROUP BY 1 ORDER BY 2 DESC'))\"")
        print("\n[quickstart] query the live tables (paste these):", flush=True)
        for line in (pyiceberg_line, duckdb_line):
            print(f"  {line}", flush=True)
            result = subprocess.run(line, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=120)
            print(result.stdout.rstrip(), flush=True)
            if result.returncode != 0:
                print(result.stderr, file=sys.stderr)
                return 1
        if args.exit:
            return 0
        print("\n[quickstart] floe is running; Ctrl-C stops the server, its pipelines and the broker", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        while server.poll() is None:
            time.sleep(1)
        return server.returncode or 0
    except KeyboardInterrupt:
        return 0
    finally:
        for p in reversed(started):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    p.kill()
        broker.stop()


if __name__ == "__main__":
    sys.exit(main())
