"""The PostgreSQL fixture (harness/postgres.py): a throwaway cluster that answers psql on
127.0.0.1 only, runs unprivileged even under root, and leaves no process or file behind."""

import os
import pathlib
import re
import socket

import pytest
from harness.postgres import PostgresCluster


def processes_of(pid: int) -> set[int]:
    """pid and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        found.add(p)
        todo += children.get(p, [])
    return found


def alive(pid: int) -> bool:
    return pathlib.Path(f"/proc/{pid}").exists()


def test_postgres_fixture_answers_psql(postgres):
    """The session cluster: SELECT 1 through the DSN, listening on 127.0.0.1 only with its socket
    in its own directory, trust auth; create_database gives a separate, empty database."""
    assert re.fullmatch(r"postgresql://floe@127\.0\.0\.1:\d+/floe", postgres.dsn), postgres.dsn
    assert postgres.psql("SELECT 1") == "1\n"
    assert postgres.psql("SHOW listen_addresses") == "127.0.0.1\n"
    assert postgres.psql("SHOW unix_socket_directories") == f"{postgres.socket_dir}\n"
    assert postgres.psql("SELECT current_database(), current_user") == "floe|floe\n"
    dsn = postgres.create_database("smoke_catalog")
    assert dsn == postgres.dsn.rsplit("/", 1)[0] + "/smoke_catalog"
    postgres.psql("CREATE TABLE t (id int); INSERT INTO t VALUES (7)", database="smoke_catalog")
    assert postgres.psql("SELECT id FROM t", database="smoke_catalog") == "7\n"
    assert postgres.psql("SELECT count(*) FROM pg_tables WHERE tablename = 't'") == "0\n"
    with pytest.raises(RuntimeError, match='relation "nope" does not exist'):
        postgres.psql("SELECT * FROM nope")


def test_postgres_cluster_start_and_stop_leave_nothing_behind():
    """A cluster of its own: it starts, answers, runs as an unprivileged user (initdb refuses
    root), and stop() ends the postmaster and every child, frees the port and removes the
    directory."""
    cluster = PostgresCluster()
    try:
        cluster.start()
        assert cluster.psql("SELECT 1") == "1\n"
        postmaster = cluster.process.pid
        family = processes_of(postmaster)
        assert len(family) > 1, "postgres runs its background workers as children"
        uid = int(re.search(r"^Uid:\s+(\d+)", pathlib.Path(f"/proc/{postmaster}/status").read_text(), re.M)[1])
        assert uid != 0 and (os.geteuid() == 0 or uid == os.geteuid())
        port, directory = cluster.port, cluster.dir
    finally:
        cluster.stop()
    assert cluster.process is None
    assert not [pid for pid in family if alive(pid)], "a postgres process outlived stop()"
    assert not directory.exists()
    with socket.socket() as s, pytest.raises(ConnectionRefusedError):
        s.connect(("127.0.0.1", port))
