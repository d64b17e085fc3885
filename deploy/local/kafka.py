"""Apache Kafka 4.3.1 in KRaft mode (one combined broker+controller), jars fetched with Maven.

4.3.1 is the newest Kafka that the current Strimzi release (1.2.0) runs, so the local stack and
the cluster in deploy/k8s run the same broker. aiokafka negotiates protocol versions per
connection, so the old versions Kafka 4 removed (KIP-896) are not ones it asks for."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from pathlib import Path

from . import procs
from .context import Ctx
from .health import run_coroutine, wait_ready
from .install import apt_install, require_tool, run
from .paths import DEPLOY_LOCAL
from .ports import HOST, port_open
from .report import StackError

NAME = "kafka"
VERSION = "4.3.1"  # with <kafka.version> in kafka-pom.xml
POM = DEPLOY_LOCAL / "kafka-pom.xml"
LOG4J2 = DEPLOY_LOCAL / "log4j2.properties"
# Kafka 4 needs Java 17 for the broker (Java 11 stays enough only for clients).
JAVA_MAJOR = 17
PROBE_TOPIC = "stack-readiness-probe"
# The SCRAM user of the authenticated listener, as production's clients authenticate (Strimzi
# KafkaUser, SCRAM-SHA-512); the services here keep the plain listener.
SCRAM_MECHANISM = "SCRAM-SHA-512"
SCRAM_USER = "portal"


def libs_dir(ctx: Ctx) -> Path:
    return ctx.cache / f"kafka-{VERSION}" / "libs"


def _libs_complete(libs: Path) -> bool:
    """The broker jar and the logging chain it needs: SLF4J 1.7 → log4j2 binding → log4j2 core.

    A cache missing the binding would start a broker that logs nothing (SLF4J's no-op
    fallback), which is why the check names it and not only Kafka's own jar."""
    return (libs / f"kafka_2.13-{VERSION}.jar").exists() and all(
        any(libs.glob(pattern))
        for pattern in ("log4j-slf4j-impl-*.jar", "log4j-core-*.jar", "log4j-api-*.jar")
    )


def _java_major(java: str) -> int:
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        return 0
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def ensure_installed(ctx: Ctx) -> None:
    install_log = ctx.log("install")
    if shutil.which("java") is None:
        apt_install(ctx.reporter, NAME, ["default-jre-headless"], install_log)
    java = require_tool(NAME, "java", "install a Java 17 runtime: apt-get install -y default-jre-headless")
    if _java_major(java) < JAVA_MAJOR:
        raise StackError(
            NAME,
            f"Kafka {VERSION} needs Java {JAVA_MAJOR} or newer",
            hint="apt-get install -y default-jre-headless (Debian 12 ships 17)",
        )
    libs = libs_dir(ctx)
    if _libs_complete(libs):
        return
    if shutil.which("mvn") is None:
        apt_install(ctx.reporter, NAME, ["maven"], install_log)
    mvn = require_tool(NAME, "mvn", "install Maven: apt-get install -y maven")
    tmp = libs.with_name(f"libs.partial-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    with ctx.reporter.step(NAME, f"fetching Kafka {VERSION} jars with Maven"):
        run(
            NAME,
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(POM),
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={tmp}",
            ],
            log=install_log,
            hint="Maven failed: is the Maven repository reachable (mvn -v, ~/.m2/settings.xml)?",
        )
        if not _libs_complete(tmp):
            raise StackError(NAME, "Maven finished but the Kafka jars are missing", log=install_log)
        shutil.rmtree(libs, ignore_errors=True)
        tmp.rename(libs)


def _classpath(ctx: Ctx) -> str:
    return str(libs_dir(ctx) / "*")  # expanded by the JVM itself


def _kafka_dir(ctx: Ctx) -> Path:
    return ctx.state_dir / "kafka"


def _write_properties(ctx: Ctx) -> Path:
    kdir = _kafka_dir(ctx)
    port, ctl, sasl = ctx.ports["kafka"], ctx.ports["kafka_controller"], ctx.ports["kafka_sasl"]
    props = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{HOST}:{ctl}",
        "listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{ctl},SASL_PLAINTEXT://{HOST}:{sasl}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{port},SASL_PLAINTEXT://{HOST}:{sasl}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
        "sasl.enabled.mechanisms": SCRAM_MECHANISM,
        # Credentials live in the cluster metadata (added once the broker runs, _ensure_scram_user).
        "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config": (
            "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        ),
        "log.dirs": str(kdir / "data"),
        "num.partitions": "3",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        "offsets.topic.replication.factor": "1",
        # Fewer internal partitions than the default 50: the first consumer group starts faster.
        "offsets.topic.num.partitions": "10",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "10",
        "group.initial.rebalance.delay.ms": "0",
        "auto.create.topics.enable": "true",
        "delete.topic.enable": "true",
        "log.retention.hours": "168",
    }
    kdir.mkdir(parents=True, exist_ok=True)
    path = kdir / "server.properties"
    path.write_text(
        "# Written by deploy/local on every start\n" + "".join(f"{k}={v}\n" for k, v in props.items())
    )
    return path


def _scram_marker(ctx: Ctx) -> Path:
    return _kafka_dir(ctx) / "scram-user-added"


def _format_storage(ctx: Ctx, props: Path) -> None:
    if (_kafka_dir(ctx) / "data" / "meta.properties").exists():
        return
    run(
        NAME,
        [
            "java",
            "-cp",
            _classpath(ctx),
            "kafka.tools.StorageTool",
            "format",
            # Joined with "=": a cluster id is base64 and may start with "-", which a separate
            # argument would make look like an option.
            f"--cluster-id={ctx.secrets['kafka_cluster_id']}",
            "-c",
            str(props),
            "--ignore-formatted",
        ],
        log=ctx.log(NAME),
        hint=f"delete {_kafka_dir(ctx) / 'data'} and retry",
    )
    _scram_marker(ctx).unlink(missing_ok=True)  # new metadata: the user is added again


def _ensure_scram_user(ctx: Ctx) -> None:
    """Add the SCRAM user through the running broker, once per formatted metadata log."""
    if _scram_marker(ctx).exists():
        return
    argv = [
        "java",
        "-cp",
        _classpath(ctx),
        "kafka.admin.ConfigCommand",
        f"--bootstrap-server={HOST}:{ctx.ports['kafka']}",
        "--alter",
        "--entity-type=users",
        f"--entity-name={SCRAM_USER}",
        "--add-config",
    ]
    run(
        NAME,
        [*argv, f"{SCRAM_MECHANISM}=[password={ctx.secrets['kafka_scram_password']}]"],
        # The password stays out of the log (ConfigCommand's --add-config-file mangles the
        # mechanism's name, so it has to be an argument).
        shown=[*argv, f"{SCRAM_MECHANISM}=[password=…]"],
        log=ctx.log(NAME),
        hint="`down --purge` formats Kafka's data anew, with the user",
    )
    _scram_marker(ctx).touch()


async def _probe(bootstrap: str) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import KafkaError, TopicAlreadyExistsError

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    try:
        await admin.start()
        with contextlib.suppress(TopicAlreadyExistsError):
            await admin.create_topics([NewTopic(PROBE_TOPIC, num_partitions=1, replication_factor=1)])
        topics = await admin.list_topics()
        return PROBE_TOPIC in topics
    except (TimeoutError, KafkaError, OSError):
        return False
    finally:
        # Closing a half-started client is best effort.
        with contextlib.suppress(Exception):
            await admin.close()


def client_ready(ctx: Ctx) -> bool:
    """A client can create and list a topic (an open port alone is not enough)."""
    port = ctx.ports["kafka"]
    if not port_open(port):
        return False
    bootstrap = f"{HOST}:{port}"
    try:
        return run_coroutine(lambda: _probe(bootstrap), timeout=15)
    except (TimeoutError, RuntimeError):
        return False


def healthy(ctx: Ctx) -> bool:
    return port_open(ctx.ports["kafka"])


def start(ctx: Ctx) -> None:
    bootstrap = f"{HOST}:{ctx.ports['kafka']}"
    if procs.running(ctx.state_dir, NAME) is not None and healthy(ctx):
        ctx.reporter.info(NAME, f"already running on {bootstrap} ✓")
        return
    with ctx.reporter.step(NAME, f"starting KRaft broker on {bootstrap}"):
        props = _write_properties(ctx)
        _format_storage(ctx, props)
        record = procs.spawn(
            ctx.state_dir,
            NAME,
            [
                "java",
                "-Xms256m",
                "-Xmx512m",
                "-XX:+UseG1GC",
                "-XX:MaxGCPauseMillis=20",
                "-Djava.awt.headless=true",
                f"-Dlog4j2.configurationFile={LOG4J2}",
                "-cp",
                _classpath(ctx),
                "kafka.Kafka",
                str(props),
            ],
            log=ctx.log(NAME),
        )
        wait_ready(
            NAME,
            lambda: client_ready(ctx),
            deadline=120,
            record=record,
            log=ctx.log(NAME),
            what="able to create a topic",
            hint="see the log above; `down` then `up` restarts it, `down --purge` resets its data",
            interval=0.5,
        )
        _ensure_scram_user(ctx)


def stop(ctx: Ctx) -> bool:
    # Controlled shutdown of a single KRaft node takes a few seconds.
    return procs.stop(ctx.state_dir, NAME, timeout=45)
