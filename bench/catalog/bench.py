"""Iceberg REST catalog: loadTable latency and fast-append commit throughput with 16 concurrent
clients, for floe server and for Iceberg's Java reference server (RESTCatalogServer from the
iceberg-open-api 1.11.0 test fixtures: Jetty, a JdbcCatalog on a SQLite file, HadoopFileIO) on
the same machine in the same run.

- Each server gets a fresh warehouse and one table bench.t (one long column).
- Commit throughput: 16 clients, each committing --commits fast appends as a real client does:
  load the table (GET, snapshots=refs), write a manifest of one new data file (once per append)
  and a manifest list of it plus every manifest of main's snapshot, then POST an add-snapshot
  (parent = main, sequence number = last + 1) with set-snapshot-ref main, asserting main's
  snapshot id; a 409 reloads and retries with a new manifest list. Throughput = commits that
  landed / wall time. The reference checks the requirement, and answers 409 when another client
  moved main first. floe server rebases such an append onto main instead (its own manifests plus
  main's in a new manifest list: the server-side retry of non-conflicting appends the issue asks
  for), so its clients do not retry; "rebased" counts those. Both write the next metadata.json
  and swap the catalog pointer; floe fsyncs the manifest list, the metadata file, its directory
  and its SQLite WAL before answering; the reference's HadoopFileIO does not fsync the metadata
  files it writes.
- loadTable latency: afterwards (the table then has 16 x --commits snapshots), 16 clients each
  issue --loads GETs of the table on one kept-alive connection; p50 and p99 over all.
The clients are floe's C++ load generator (`floe bench catalog-commit|catalog-load`: a thread per
client, one kept-alive connection each), the same for both servers, so the cores go to the servers
rather than to client interpreters. Targets (the issue's): floe commit
throughput >= 5x the reference's; floe loadTable p99 <= 2 ms on SQLite.

Options after `--`: --clients N (16), --commits N per client (40), --loads N per client (200).
The reference server's classpath comes from tools/rck/pom.xml's reference-server profile
(Maven, cached in the work dir after the first run).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from runner import Comparison, Context  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
DESCRIPTION = ("REST catalog: loadTable p50/p99 and fast-append commit throughput with 16 concurrent "
               "clients, floe server vs Iceberg's Java reference server (same run)")
SCHEMA = {"type": "struct", "schema-id": 0, "fields": [{"id": 1, "name": "id", "required": False, "type": "long"}]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(conn: http.client.HTTPConnection, method: str, path: str, body=None) -> tuple[int, dict | None]:
    data = json.dumps(body) if body is not None else None
    conn.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
    r = conn.getresponse()
    text = r.read()
    return r.status, (json.loads(text) if text else None)


def wait_ready(port: int, proc: subprocess.Popen, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            if request(conn, "GET", "/v1/config")[0] == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer within {timeout} s")


def reference_classpath(work: pathlib.Path) -> str:
    cp = work / "reference-classpath.txt"
    if not cp.exists():
        print("resolving the reference server's classpath with Maven (first run only) ...", flush=True)
        subprocess.run(["mvn", "-q", "-B", "-f", str(REPO / "tools" / "rck" / "pom.xml"), "-Preference-server",
                        "dependency:build-classpath", "-Dmdep.includeScope=test", f"-Dmdep.outputFile={cp}"],
                       check=True)
    return cp.read_text().strip()


class Server:
    def __init__(self, name: str, argv: list[str], env: dict, port: int, log: pathlib.Path) -> None:
        self.name, self.port = name, port
        self.log = open(log, "wb")
        self.proc = subprocess.Popen(argv, env={**os.environ, **env}, stdout=self.log, stderr=self.log)
        wait_ready(port, self.proc, name)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def setup_table(port: int, warehouse: pathlib.Path) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    assert request(conn, "POST", "/v1/namespaces", {"namespace": ["bench"]})[0] == 200
    status, body = request(conn, "POST", "/v1/namespaces/bench/tables",
                           {"name": "t", "schema": SCHEMA, "location": str(warehouse / "bench" / "t")})
    assert status == 200, body
    conn.close()


def measure(floe_binary: pathlib.Path, server: Server, clients: int, commits: int, loads: int) -> dict:
    uri = f"http://127.0.0.1:{server.port}"

    def generator(kind: str, requests: int) -> dict:
        out = subprocess.run([str(floe_binary), "bench", f"catalog-{kind}", uri, "--clients", str(clients),
                              "--requests", str(requests)], capture_output=True, text=True, timeout=900)
        if out.returncode != 0:
            raise RuntimeError(f"floe bench catalog-{kind} against {server.name}: {out.stderr}")
        return json.loads(out.stdout)

    commit = generator("commit", commits)
    load = generator("load", loads)
    out = {"commits/s": commit["commits_per_second"], "conflicts": commit["conflicts"],
           "p50": load["p50_ms"], "p99": load["p99_ms"]}
    print(f"  {server.name}: {commit['commits']} commits in {commit['seconds']:.2f} s = {out['commits/s']:.0f}/s "
          f"({commit['conflicts']} conflicts retried, {commit['rebased']} rebased by the server); loadTable p50 {out['p50']:.3f} ms, p99 {out['p99']:.3f} ms "
          f"over {load['loads']} loads", flush=True)
    return out


def run(ctx: Context, args: list[str]) -> list[Comparison]:
    p = argparse.ArgumentParser(prog="bench/run catalog --")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--commits", type=int, default=40)
    p.add_argument("--loads", type=int, default=200)
    opts = p.parse_args(args)
    work = ctx.work_dir
    for d in ("floe", "reference"):
        shutil.rmtree(work / d, ignore_errors=True)
        (work / d).mkdir(parents=True)
    classpath = reference_classpath(work)
    version = subprocess.run([str(ctx.floe), "--version"], capture_output=True, text=True, check=True).stdout
    print(f"{version.strip()}; {opts.clients} clients x {opts.commits} commits, x {opts.loads} loads; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)

    results = {}
    port = free_port()
    floe = Server("floe server", [str(ctx.floe), "--log-level", "warn", "server", "--port", str(port),
                                  "--warehouse", str(work / "floe")], {}, port, work / "floe.log")
    try:
        setup_table(port, work / "floe")
        results["floe"] = measure(ctx.floe, floe, opts.clients, opts.commits, opts.loads)
    finally:
        floe.stop()
    port = free_port()
    reference = Server("Java reference server",
                       ["java", "-Xmx2g", "-cp", classpath, "org.apache.iceberg.rest.RESTCatalogServer"],
                       {"CATALOG_REST_PORT": str(port), "CATALOG_WAREHOUSE": (work / "reference").as_uri(),
                        # a file: its default in-memory SQLite gives each pooled connection its own
                        # empty database, which fails under concurrent clients
                        "CATALOG_URI": f"jdbc:sqlite:{work / 'reference' / 'catalog.db'}"},
                       port, work / "reference.log")
    try:
        setup_table(port, work / "reference")
        results["reference"] = measure(ctx.floe, reference, opts.clients, opts.commits, opts.loads)
    finally:
        reference.stop()

    f, r = results["floe"], results["reference"]
    return [
        Comparison("fast-append commits, 16 clients (target >=5x)", "commits/s", round(f["commits/s"], 1),
                   round(r["commits/s"], 1), "Java reference"),
        Comparison("loadTable p50", "ms", round(f["p50"], 3), round(r["p50"], 3), "Java reference",
                   higher_is_better=False),
        Comparison("loadTable p99", "ms", round(f["p99"], 3), round(r["p99"], 3), "Java reference",
                   higher_is_better=False),
        Comparison("loadTable p99 (target <=2 ms)", "ms", round(f["p99"], 3), 2.0, "bar (2 ms)",
                   higher_is_better=False),
    ]
