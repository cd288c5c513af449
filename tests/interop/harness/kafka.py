"""A real single-node Apache Kafka broker (KRaft, combined broker + controller).

The broker runs from the jars scripts/setup fetched into .cache/kafka/lib, on
free loopback ports, with its data in a private temporary directory that is
removed when it stops. Every wait is bounded.
"""

from __future__ import annotations

import base64
import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

from confluent_kafka.admin import AdminClient, NewTopic

from .net import free_port
from .paths import KAFKA_LIB, MissingTool, require

START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 30


class KafkaBroker:
    """Start with start(), stop with stop(); `bootstrap` is "127.0.0.1:PORT"."""

    def __init__(self) -> None:
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="floe-kafka-"))
        self.port = free_port()
        self.controller_port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.log_path = self.dir / "broker.log"
        self._process: subprocess.Popen | None = None
        self._log_file = None

    # --- lifecycle -----------------------------------------------------------

    def start(self) -> "KafkaBroker":
        require(KAFKA_LIB, "Kafka broker jars")
        java = shutil.which("java")
        if java is None:
            raise MissingTool("java not found on PATH; run scripts/setup")
        config = self._write_config()
        classpath = f"{KAFKA_LIB}/*"
        jvm = [java, "-Xms256m", "-Xmx768m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
               f"-Dlog4j2.configurationFile={self._write_log_config()}",
               f"-Dkafka.logs.dir={self.dir / 'logs'}", "-cp", classpath]
        if not (self.dir / "data" / "meta.properties").exists():  # not on a restart
            fmt = subprocess.run(
                jvm + ["kafka.tools.StorageTool", "format", "-t", _cluster_id(), "-c", str(config)],
                capture_output=True, text=True, timeout=120)
            if fmt.returncode != 0:
                raise RuntimeError(f"kafka storage format failed:\n{fmt.stdout}\n{fmt.stderr}")
        self._log_file = open(self.log_path, "ab")  # a restart keeps the earlier log
        self._process = subprocess.Popen(jvm + ["kafka.Kafka", str(config)],
                                         stdout=self._log_file, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        try:
            self._wait_ready()
        except BaseException:
            self.stop(remove=False)
            raise
        return self

    def stop(self, remove: bool = True) -> None:
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait(timeout=STOP_TIMEOUT_S)
        self._process = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if remove:
            shutil.rmtree(self.dir, ignore_errors=True)

    def restart(self, kill: bool = False, down_seconds: float = 0.0) -> None:
        """Stops the broker (SIGKILL with `kill`, else a clean SIGTERM), waits `down_seconds`
        and starts it again on the same ports and data: topics and records survive."""
        if kill and self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=STOP_TIMEOUT_S)
        self.stop(remove=False)
        time.sleep(down_seconds)
        self.start()

    def log_tail(self, lines: int = 80) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no broker log)"
        return "\n".join(text.splitlines()[-lines:])

    # --- conveniences for tests ----------------------------------------------

    def admin(self) -> AdminClient:
        return AdminClient({"bootstrap.servers": self.bootstrap})

    def create_topic(self, name: str, partitions: int = 1) -> str:
        admin = self.admin()  # must outlive the futures it returns
        futures = admin.create_topics(
            [NewTopic(name, num_partitions=partitions, replication_factor=1)],
            operation_timeout=30, request_timeout=30)
        futures[name].result(timeout=60)
        return name

    # --- internals -------------------------------------------------------------

    def _write_config(self) -> pathlib.Path:
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self.dir / "data"),
            "num.partitions": "1",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "4",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "4",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "true",
        }
        path = self.dir / "server.properties"
        path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        return path

    def _write_log_config(self) -> pathlib.Path:
        path = self.dir / "log4j2.properties"
        path.write_text(
            "status = warn\n"
            "appender.out.type = Console\n"
            "appender.out.name = out\n"
            "appender.out.layout.type = PatternLayout\n"
            "appender.out.layout.pattern = [%d] %p %m (%c)%n\n"
            "rootLogger.level = INFO\n"
            "rootLogger.appenderRef.out.ref = out\n")
        return path

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        last_error = "broker did not answer"
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"kafka broker exited with {self._process.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                metadata = self.admin().list_topics(timeout=2)
                if metadata.brokers:
                    return
            except Exception as e:  # the admin client raises KafkaException while starting
                last_error = str(e)
            time.sleep(0.25)
        raise RuntimeError(f"kafka broker not ready after {START_TIMEOUT_S} s ({last_error}):\n"
                           f"{self.log_tail()}")


def _cluster_id() -> str:
    # Kafka cluster ids are 16 random bytes in URL-safe base64 without padding;
    # like Kafka's own Uuid.randomUuid, never one starting with '-', which the
    # storage tool would read as an option (1 run in 64 failed to start).
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id
