"""Single-node Kafka (KRaft, combined broker + controller) for tests.

Jars come from Maven Central via ``deploy/local/kafka/pom.xml`` and are cached in
``<cache>/kafka/libs-<pom hash>``; Java 17+ and Maven must be installed.

    with kafka.start() as broker:
        KafkaProducer(bootstrap_servers=broker.bootstrap)
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import uuid
from collections.abc import Sequence
from pathlib import Path

from tests.infra import (
    ComponentError,
    Service,
    cache_dir,
    install_lock,
    make_workdir,
    run,
    spawn,
    wait_until,
)
from tests.infra.ports import LOOPBACK, free_ports

__all__ = ["FAST_START_JVM", "KAFKA_VERSION", "POM", "KafkaBroker", "ensure_installed", "start"]

KAFKA_VERSION = "4.1.1"  # keep in sync with deploy/local/kafka/pom.xml
POM = Path(__file__).resolve().parents[2] / "deploy" / "local" / "kafka" / "pom.xml"
# C1-only JIT + serial GC: the broker is ready ~1 s sooner on 2 cores. Benchmarks that
# care about broker throughput should pass ``jvm_options=()`` (HotSpot defaults).
FAST_START_JVM = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")

_BROKER_SETTINGS = {
    "process.roles": "broker,controller",
    "node.id": "1",
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "auto.create.topics.enable": "true",
    "num.partitions": "3",
    "default.replication.factor": "1",
    "offsets.topic.replication.factor": "1",
    "offsets.topic.num.partitions": "1",  # faster first consumer-group join
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "transaction.state.log.num.partitions": "1",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    "group.initial.rebalance.delay.ms": "0",
}

_LOG4J2 = """\
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.state.name = state.change.logger
logger.state.level = WARN
"""

_installed: Path | None = None


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    candidate = Path(java_home, "bin", "java") if java_home else None
    if candidate and candidate.exists():
        return str(candidate)
    found = shutil.which("java")
    if not found:
        raise ComponentError("Kafka needs Java 17+ ('java' not on PATH, JAVA_HOME unset)")
    return found


def ensure_installed() -> Path:
    """Fetch the Kafka jars once (``mvn dependency:copy-dependencies``); return the libs dir."""
    global _installed
    if _installed is not None:
        return _installed
    _java()
    digest = hashlib.sha256(POM.read_bytes()).hexdigest()[:12]
    libs = cache_dir() / "kafka" / f"libs-{digest}"
    marker = libs / ".complete"
    if not marker.exists():
        mvn = shutil.which("mvn")
        if not mvn:
            raise ComponentError("fetching Kafka jars needs Maven ('mvn' not on PATH)")
        with install_lock("kafka"):
            if not marker.exists():
                partial = libs.with_name(libs.name + ".partial")
                shutil.rmtree(partial, ignore_errors=True)
                shutil.rmtree(libs, ignore_errors=True)
                run(
                    [mvn, "-q", "-B", "-Dstyle.color=never", "-f", POM,
                     f"-Dmaven.repo.local={cache_dir() / 'm2'}",
                     "dependency:copy-dependencies", f"-DoutputDirectory={partial}"],
                    what=f"mvn fetch of Kafka {KAFKA_VERSION} jars",
                )  # fmt: skip
                if not any(partial.glob("kafka_2.13-*.jar")):
                    raise ComponentError(f"mvn produced no kafka_2.13 jar in {partial}")
                (partial / ".complete").touch()
                partial.rename(libs)
    _installed = libs
    return libs


def _cluster_id() -> str:
    """A random cluster id in Kafka's Uuid format (22 url-safe base64 chars)."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):  # Kafka avoids these; they look like CLI flags
            return text


class KafkaBroker(Service):
    """A running single-node Kafka; ``bootstrap`` is ``"127.0.0.1:PORT"``."""

    name = "kafka"

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        workdir: Path,
        logs: list[Path],
        port: int,
        argv: Sequence[str | os.PathLike[str]] = (),
    ) -> None:
        super().__init__(process, workdir, logs)
        self.port = port
        self.bootstrap = f"{LOOPBACK}:{port}"
        self._argv = list(argv)

    def halt(self) -> None:
        """Stop the broker process but keep its data dir, ports and config (an outage).

        :meth:`resume` starts it again on the same data: what a broker restart or a
        network outage looks like to clients.
        """
        if self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def resume(self, timeout: float = 60.0) -> None:
        """Start a halted broker again on the same port and data dir; return once it answers."""
        if self.process.poll() is None:
            return
        self.process = spawn(self._argv, log=self.logs[0], cwd=self.workdir)
        wait_until(
            self.answers_metadata, timeout=timeout, service=self,
            what=f"Kafka on {self.bootstrap} (restarted)", interval=0.2,
        )  # fmt: skip

    def answers_metadata(self) -> bool:
        """True once the broker answers a metadata request (kafka-python admin client)."""
        try:
            from kafka import KafkaAdminClient
            from kafka.errors import KafkaConfigurationError, KafkaError
        except ImportError as exc:
            raise ComponentError("the Kafka readiness probe needs kafka-python") from exc
        wanted = {
            "client_id": "score-infra-probe",
            "request_timeout_ms": 3000,
            "bootstrap_timeout_ms": 2000,  # kafka-python >= 3; the default blocks for 30 s
            "reconnect_backoff_max_ms": 500,
        }
        known = KafkaAdminClient.DEFAULT_CONFIG
        options = {k: v for k, v in wanted.items() if k in known}
        try:
            admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, **options)
        except KafkaConfigurationError as exc:
            raise ComponentError(f"Kafka readiness probe misconfigured: {exc}") from exc
        except (KafkaError, OSError):  # not answering yet
            return False
        try:
            admin.list_topics()
            return True
        except (KafkaError, OSError):
            return False
        finally:
            admin.close()


def _start_once(
    libs: Path, java: str, timeout: float, heap: str, jvm_options: Sequence[str]
) -> KafkaBroker:
    port, controller_port = free_ports(2)
    workdir = make_workdir("kafka")
    settings = dict(_BROKER_SETTINGS)
    settings.update({
        "listeners": f"PLAINTEXT://{LOOPBACK}:{port},CONTROLLER://{LOOPBACK}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{LOOPBACK}:{port}",
        "controller.quorum.voters": f"1@{LOOPBACK}:{controller_port}",
        "log.dirs": str(workdir / "data"),
    })  # fmt: skip
    config = workdir / "server.properties"
    config.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
    log = workdir / "kafka.log"
    (workdir / "log4j2.properties").write_text(_LOG4J2.format(log=log))
    jvm = [
        java, f"-Xmx{heap}", "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={workdir / 'log4j2.properties'}",
        f"-Dkafka.logs.dir={workdir}", "-cp", f"{libs}/*",
    ]  # fmt: skip
    try:
        run(
            [*jvm, *FAST_START_JVM, "kafka.tools.StorageTool", "format",
             "-t", _cluster_id(), "-c", config],
            what="kafka storage format", cwd=workdir,
        )  # fmt: skip
    except ComponentError:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    stdout = workdir / "kafka.out"
    argv = [*jvm, *jvm_options, "kafka.Kafka", config]
    process = spawn(argv, log=stdout, cwd=workdir)
    broker = KafkaBroker(process, workdir, [stdout, log], port, argv)
    try:
        wait_until(
            broker.answers_metadata, timeout=timeout, service=broker,
            what=f"Kafka on {broker.bootstrap}", interval=0.2,
        )  # fmt: skip
    except ComponentError as exc:
        port_race = any(
            "Address already in use" in p.read_text(errors="replace")
            for p in broker.logs
            if p.exists()
        )
        broker.stop()
        if port_race:
            raise _PortRace(str(exc)) from exc
        raise
    except BaseException:
        broker.stop()
        raise
    return broker


class _PortRace(ComponentError):
    """Another process took one of our free ports before the broker bound it."""


def start(
    *,
    timeout: float = 60.0,
    heap: str = "512m",
    jvm_options: Sequence[str] = FAST_START_JVM,
    attempts: int = 3,
) -> KafkaBroker:
    """Format a fresh KRaft log dir and start a broker on free loopback ports.

    Returns once the broker answers metadata. Retries on a port race
    ("Address already in use"); raises :class:`ComponentError` with the log tail.
    """
    libs = ensure_installed()
    java = _java()
    for attempt in range(1, attempts + 1):
        try:
            return _start_once(libs, java, timeout, heap, jvm_options)
        except _PortRace:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")
