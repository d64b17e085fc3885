"""deploy/docker/compose.yaml as `podman-compose config` renders it, held against the Kubernetes
manifests (deploy/k8s/base) and the services' settings.

podman-compose itself refuses what it cannot render (bad YAML, a required variable without a
value) but accepts unknown keys and any environment name; `compose_problems` adds what it lets
through: keys the Compose spec does not know, dependencies on services that do not exist, a
setting no service reads, and drift from the Kubernetes Deployments (image, command, migrations,
health check, MinIO's download notifications). The broken copies below prove each check bites.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.local import podman
from deploy.local.minio import NOTIFY_ARN, NOTIFY_TARGET
from deploy.local.report import Reporter
from services.downloads.config import ACCESS_TOPIC
from shared.migrate import SERVICES
from tests.deploy.k8s_schemas import K8S, ROOT

COMPOSE = ROOT / "deploy" / "docker" / "compose.yaml"
PODMAN_COMPOSE = Path(sys.executable).with_name("podman-compose")
# Service keys of the Compose specification this project may use; anything else is a typo.
SERVICE_KEYS = {
    "build", "cap_add", "cap_drop", "command", "container_name", "depends_on", "entrypoint",
    "env_file", "environment", "expose", "extra_hosts", "healthcheck", "hostname", "image",
    "init", "labels", "logging", "networks", "ports", "profiles", "read_only", "restart",
    "security_opt", "stop_grace_period", "tmpfs", "ulimits", "user", "volumes", "working_dir",
}  # fmt: skip
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
SERVICE_DOCKERFILE = "deploy/docker/Dockerfile"
GATEWAY_DOCKERFILE = "deploy/docker/Dockerfile.gateway"
# The cluster's Kafka wants each service's SCRAM user; compose runs one plaintext broker.
CLUSTER_ONLY = ("_KAFKA_SASL_USERNAME", "_KAFKA_SASL_PASSWORD")


def render(path: Path) -> dict[str, Any]:
    """`podman-compose config` of the file; a file it refuses fails the test with its message."""
    podman.ensure_installed(Reporter(quiet=True), ROOT / ".run" / "podman-install.log")
    out = subprocess.run(
        [str(PODMAN_COMPOSE), "-f", str(path), "config"],
        capture_output=True,
        text=True,
        env=podman.podman_env(),
        check=False,
    )
    if out.returncode != 0:
        raise RenderError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "no output")
    return yaml.safe_load(out.stdout)


class RenderError(Exception):
    pass


def _deployments() -> dict[str, dict[str, Any]]:
    docs = [
        doc
        for path in sorted((K8S / "base").glob("*/*.yaml")) + sorted((K8S / "base").glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and doc.get("kind") == "Deployment"
    ]
    return {doc["metadata"]["name"]: doc for doc in docs}


def _settings_fields(service: str) -> set[str]:
    settings = importlib.import_module(f"services.{service}.config").Settings
    fields = set(settings.model_fields)
    if service == "cases":  # the mailbox reads the cases settings plus its own
        fields |= set(importlib.import_module("services.cases.mailbox.config").MailboxSettings.model_fields)
    return {name.upper() for name in fields}


def _health_target(service: dict[str, Any]) -> str:
    """What a compose health check probes: 'http :8000/path' or 'tcp :2525'."""
    script = " ".join(service.get("healthcheck", {}).get("test", []))
    if match := re.search(r"urlopen\('http://127\.0\.0\.1:(\d+)(/[^']*)'", script):
        return f"http :{match[1]}{match[2]}"
    if match := re.search(r"create_connection\(\('127\.0\.0\.1', (\d+)\)", script):
        return f"tcp :{match[1]}"
    return f"unrecognised {script!r}"


def _probe_target(container: dict[str, Any]) -> str:
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    probe = container["readinessProbe"]
    if "httpGet" in probe:
        port = probe["httpGet"]["port"]
        return f"http :{ports.get(port, port)}{probe['httpGet']['path']}"
    port = probe["tcpSocket"]["port"]
    return f"tcp :{ports.get(port, port)}"


def _structure_problems(services: dict[str, Any]) -> list[str]:
    problems = []
    for name, service in services.items():
        problems += [f"{name}: unknown key {key!r}" for key in sorted(service.keys() - SERVICE_KEYS)]
        for dependency, spec in service.get("depends_on", {}).items():
            if dependency not in services:
                problems.append(f"{name}: depends on {dependency!r}, which is not a service")
            if spec.get("condition", "service_started") not in CONDITIONS:
                problems.append(f"{name}: unknown condition {spec.get('condition')!r}")
        if "healthcheck" in service and "test" not in service["healthcheck"]:
            problems.append(f"{name}: healthcheck without test")
    return problems


def _service_image_problems(services: dict[str, Any]) -> list[str]:
    """Each Deployment of the service image has a compose service that runs it the same way."""
    problems = []
    for name, deployment in _deployments().items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        if container["image"] != "support-portal":
            continue
        service = services.get(name)
        if service is None:
            problems.append(f"{name}: Deployment without a compose service")
            continue
        if service.get("build", {}).get("dockerfile") != SERVICE_DOCKERFILE:
            problems.append(f"{name}: not the service image")
        if service.get("command", ["serve"]) != container["args"]:
            problems.append(f"{name}: runs {service.get('command')}, the Deployment {container['args']}")
        env = service.get("environment", {})
        pod_env = {e["name"]: e.get("value") for e in container["env"] if "value" in e}
        app = pod_env["SERVICE"]
        for key, value in pod_env.items():
            if key.endswith(CLUSTER_ONLY):
                continue
            if str(env.get(key)) != value:
                problems.append(f"{name}: {key}={env.get(key)!r}, the Deployment {value!r}")
        fields = _settings_fields(app)
        prefix = f"{app.upper()}_"
        for key in env:
            if key != "SERVICE" and (not key.startswith(prefix) or key.removeprefix(prefix) not in fields):
                problems.append(f"{name}: {key} is no setting of {app}")
        if _health_target(service) != _probe_target(container):
            problems.append(
                f"{name}: health check {_health_target(service)}, readiness {_probe_target(container)}"
            )
        for init in deployment["spec"]["template"]["spec"].get("initContainers", []):
            migrate = services.get(f"{name}-migrate")
            if migrate is None or migrate.get("command") != init["args"]:
                problems.append(f"{name}: no {name}-migrate running {init['args']}")
            elif migrate.get("environment") != env:
                problems.append(f"{name}-migrate: settings differ from {name}'s")
            condition = service.get("depends_on", {}).get(f"{name}-migrate", {}).get("condition")
            if condition != "service_completed_successfully":
                problems.append(f"{name}: starts before its migrations completed")
    return problems


def _gateway_problems(services: dict[str, Any]) -> list[str]:
    gateway = services.get("gateway", {})
    problems = []
    if gateway.get("build", {}).get("dockerfile") != GATEWAY_DOCKERFILE:
        problems.append("gateway: not the gateway image")
    waits_for = {
        n for n, spec in gateway.get("depends_on", {}).items() if spec["condition"] == "service_healthy"
    }
    if not set(SERVICES) <= waits_for:
        problems.append(f"gateway: does not wait for {sorted(set(SERVICES) - waits_for)} to be healthy")
    (container,) = _deployments()["gateway"]["spec"]["template"]["spec"]["containers"]
    port = container["ports"][0]["containerPort"]
    if not any(str(p).endswith(f":{port}") for p in gateway.get("ports", [])):
        problems.append(f"gateway: port {port} not published")
    return problems


def _notification_problems(services: dict[str, Any]) -> list[str]:
    """MinIO publishes GETs of the bucket to the topic the downloads service reads."""
    env = services.get("minio", {}).get("environment", {})
    target = {
        key.removeprefix("MINIO_NOTIFY_KAFKA_").removesuffix(f"_{NOTIFY_TARGET}"): str(value)
        for key, value in env.items()
        if key.startswith("MINIO_NOTIFY_KAFKA_") and key.endswith(f"_{NOTIFY_TARGET}")
    }
    kafka_env = services.get("kafka", {}).get("environment", {})
    advertised = kafka_env.get("KAFKA_ADVERTISED_LISTENERS", "").removeprefix("PLAINTEXT://")
    downloads_bootstrap = (
        services.get("downloads", {}).get("environment", {}).get("DOWNLOADS_KAFKA_BOOTSTRAP")
    )
    problems = []
    if target.get("ENABLE") != "on":
        problems.append(f"minio: Kafka target {NOTIFY_TARGET} not enabled")
    if target.get("TOPIC") != ACCESS_TOPIC:
        problems.append(f"minio: publishes to {target.get('TOPIC')!r}, downloads reads {ACCESS_TOPIC!r}")
    if target.get("BROKERS") not in (advertised, downloads_bootstrap):
        problems.append(f"minio: brokers {target.get('BROKERS')!r} are not Kafka's {advertised!r}")
    queue = target.get("QUEUE_DIR", "")
    if not queue or not any(str(v).endswith(f":{queue}") for v in services["minio"].get("volumes", [])):
        problems.append("minio: the notification queue is not on a volume")
    script = " ".join(services.get("minio-bucket", {}).get("command", []))
    if not re.search(rf"mc event add local/artifacts {re.escape(NOTIFY_ARN)} --event get\b", script):
        problems.append(f"minio-bucket: the bucket's GETs are not subscribed to {NOTIFY_ARN}")
    return problems


def compose_problems(rendered: dict[str, Any]) -> list[str]:
    services = rendered["services"]
    return (
        _structure_problems(services)
        + _service_image_problems(services)
        + _gateway_problems(services)
        + _notification_problems(services)
    )


def test_compose_renders_and_matches_the_kubernetes_manifests() -> None:
    rendered = render(COMPOSE)
    assert compose_problems(rendered) == []
    # Every workload of the base runs in compose too, the infrastructure beside it.
    assert set(_deployments()) <= rendered["services"].keys()


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = COMPOSE.read_text(encoding="utf-8")
    assert old in text, old
    copy = tmp_path / "compose.yaml"
    copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    (tmp_path / "postgres-init.sql").write_text("", encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("    healthcheck:\n      test: [\"CMD\", \"mc\"", "    healthchek:\n      test: [\"CMD\", \"mc\"", "minio: unknown key 'healthchek'"),
        ("DOWNLOADS_S3_PUBLIC_ENDPOINT:", "DOWNLOADS_S3_PUBLIC_ENDPIONT:", "DOWNLOADS_S3_PUBLIC_ENDPIONT is no setting"),
        ('MINIO_NOTIFY_KAFKA_TOPIC_PORTAL: "artifacts.accessed"', 'MINIO_NOTIFY_KAFKA_TOPIC_PORTAL: "artifacts.access"', "minio: publishes to 'artifacts.access'"),
        ("arn:minio:sqs::PORTAL:kafka --event get", "arn:minio:sqs::PORTAL:kafka --event put", "minio-bucket: the bucket's GETs"),
        ("readyz?kafka=optional', timeout=3)\"]\n      interval: 5s\n      timeout: 5s\n      start_period: 20s\n      retries: 30\n    restart: unless-stopped\n\n  licensing-migrate", "readyz', timeout=3)\"]\n      interval: 5s\n      timeout: 5s\n      start_period: 20s\n      retries: 30\n    restart: unless-stopped\n\n  licensing-migrate", "identity: health check http :8000/readyz,"),
        ("      cases-migrate:\n        condition: service_completed_successfully\n    healthcheck:\n      test: [\"CMD\", \"python\", \"-c\", \"import socket", "      cases-migrat:\n        condition: service_completed_successfully\n    healthcheck:\n      test: [\"CMD\", \"python\", \"-c\", \"import socket", "cases-mailbox: depends on 'cases-migrat'"),
    ],
    ids=["typo-key", "typo-setting", "wrong-topic", "no-get-subscription", "stricter-health", "unknown-dependency"],
)  # fmt: skip
def test_a_broken_compose_file_is_reported(tmp_path: Path, old: str, new: str, problem: str) -> None:
    problems = compose_problems(render(_broken_copy(tmp_path, old, new)))
    assert any(problem in p for p in problems), problems


def test_podman_compose_refuses_a_required_variable_without_value(tmp_path: Path) -> None:
    broken = _broken_copy(
        tmp_path,
        "MINIO_ROOT_PASSWORD: compose-only-minio-secret",
        "MINIO_ROOT_PASSWORD: ${SUPPORT_PORTAL_UNSET_MINIO_PASSWORD:?set the MinIO password}",
    )
    with pytest.raises(RenderError, match="SUPPORT_PORTAL_UNSET_MINIO_PASSWORD"):
        render(broken)
