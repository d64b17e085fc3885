"""The Kubernetes manifests and images agree with the code: pure YAML reading, no cluster.

Every YAML file under deploy/k8s is parsed as is, so these checks look at the base and the
overlays' own files; test_k8s_render.py and test_k8s_production.py check what kustomize renders.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.downloads.config import ACCESS_TOPIC
from shared.events import TOPICS
from shared.migrate import SERVICES

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
DOCKER = ROOT / "deploy" / "docker"
PLACEHOLDER = "REPLACE_ME"
# Values allowed without a placeholder in example secrets: not secret by themselves.
NON_SECRET_KEYS = {"username", "EMAIL"}


def _documents() -> list[tuple[Path, dict[str, Any]]]:
    docs = []
    for path in sorted(K8S.rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(doc, dict):
                docs.append((path, doc))
    return docs


DOCS = _documents()
BASE = K8S / "base"


def _objects(kind: str, under: Path = BASE) -> dict[str, dict[str, Any]]:
    return {
        doc["metadata"]["name"]: doc
        for path, doc in DOCS
        if doc.get("kind") == kind and path.is_relative_to(under) and "name" in doc.get("metadata", {})
    }


def _kustomizations() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, doc) for path, doc in DOCS if path.name == "kustomization.yaml"]


def _env(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def _env_file(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def _generated_secrets() -> dict[str, dict[str, str]]:
    """name -> key/value pairs of every secretGenerator in every kustomization."""
    secrets: dict[str, dict[str, str]] = {}
    for path, kustomization in _kustomizations():
        for generator in kustomization.get("secretGenerator", []):
            pairs = secrets.setdefault(generator["name"], {})
            for env_file in generator.get("envs", []):
                pairs.update(_env_file(path.parent / env_file))
            for literal in generator.get("literals", []):
                key, _, value = literal.partition("=")
                pairs[key] = value
    return secrets


def _hardened(container: dict[str, Any]) -> None:
    context = container["securityContext"]
    assert context["readOnlyRootFilesystem"] is True, container["name"]
    assert context["allowPrivilegeEscalation"] is False, container["name"]
    assert context["capabilities"]["drop"] == ["ALL"], container["name"]
    assert container["resources"]["requests"] and container["resources"]["limits"], container["name"]


def _service_env_from(container: dict[str, Any], service: str) -> None:
    prefix = f"{service.upper()}_"
    sources = container["envFrom"]
    configs = [s for s in sources if "configMapRef" in s]
    secrets = [s for s in sources if "secretRef" in s]
    assert configs and secrets, f"{service}: envFrom needs the ConfigMap and a Secret"
    for source in sources:
        assert source.get("prefix") == prefix, f"{service}: {source} must use prefix {prefix}"
    assert {s["configMapRef"]["name"] for s in configs} == {"support-portal-config"}
    generated = _generated_secrets()
    for source in secrets:
        assert source["secretRef"]["name"] in generated, source
    assert f"{service}-secrets" in {s["secretRef"]["name"] for s in secrets}
    assert _env(container)["SERVICE"] == service


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_a_hardened_deployment(service: str) -> None:
    deployment = _objects("Deployment").get(service)
    assert deployment is not None, f"no Deployment {service} under deploy/k8s/base"
    autoscaled = {h["spec"]["scaleTargetRef"]["name"] for h in _objects("HorizontalPodAutoscaler").values()}
    if service in autoscaled:
        # An HPA owns the count; a replicas in the manifest would reset it on every apply.
        assert "replicas" not in deployment["spec"]
    else:
        assert deployment["spec"]["replicas"] == 2
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0

    migrations = [c for c in pod.get("initContainers", []) if c.get("args") == ["migrate"]]
    assert len(migrations) == 1, f"{service}: one init container runs the migrations"
    _service_env_from(migrations[0], service)
    _hardened(migrations[0])

    (app,) = pod["containers"]
    _service_env_from(app, service)
    _hardened(app)
    ports = {p["name"]: p["containerPort"] for p in app["ports"]}
    assert ports == {"http": 8000}
    for probe, path in (("readinessProbe", "/readyz?kafka=optional"), ("livenessProbe", "/healthz")):
        assert app[probe]["httpGet"]["path"] == path, f"{service}: {probe}"
        assert app[probe]["httpGet"]["port"] in ("http", 8000)

    labels = deployment["spec"]["selector"]["matchLabels"]
    assert pod_labels_match(labels, deployment["spec"]["template"]["metadata"]["labels"])
    budget = _objects("PodDisruptionBudget").get(service)
    assert budget is not None and budget["spec"]["selector"]["matchLabels"] == labels


def pod_labels_match(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_a_cluster_ip_service(service: str) -> None:
    svc = _objects("Service").get(service)
    assert svc is not None, f"no Service {service}"
    assert svc["spec"].get("type", "ClusterIP") == "ClusterIP"
    assert [p["port"] for p in svc["spec"]["ports"]] == [8000]
    pod_labels = _objects("Deployment")[service]["spec"]["template"]["metadata"]["labels"]
    assert pod_labels_match(svc["spec"]["selector"], pod_labels)


def test_kafka_topics_match_the_event_schemas() -> None:
    topics = _objects("KafkaTopic")
    names = {t["spec"].get("topicName", name) for name, t in topics.items()}
    # The portal's topics and the one MinIO publishes its GET notifications to, each with its .dlq.
    expected = {*TOPICS, ACCESS_TOPIC}
    assert names == expected | {f"{t}.dlq" for t in expected}
    for topic in topics.values():
        assert topic["spec"]["partitions"] == 3
        assert topic["spec"]["replicas"] == 3
        assert topic["spec"]["config"]["min.insync.replicas"] == 2
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] in _objects("Kafka")


def test_one_database_per_service() -> None:
    databases = _objects("Database")
    assert {d["spec"]["name"] for d in databases.values()} == set(SERVICES)
    (cluster,) = _objects("Cluster").values()
    roles = {r["name"] for r in cluster["spec"]["managed"]["roles"]}
    assert roles == set(SERVICES)
    for db in databases.values():
        assert db["spec"]["owner"] == db["spec"]["name"]
        assert db["spec"]["cluster"]["name"] == cluster["metadata"]["name"]


def _template_placeholders() -> set[str]:
    template = (ROOT / "deploy" / "gateway" / "nginx.conf.template").read_text(encoding="utf-8")
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)\}", template))


def test_gateway_upstreams_point_at_the_services() -> None:
    (container,) = _objects("Deployment")["gateway"]["spec"]["template"]["spec"]["containers"]
    env = _env(container)
    missing = _template_placeholders() - env.keys()
    assert not missing, f"gateway env lacks template placeholders {missing}"
    services = _objects("Service")
    for service in SERVICES:
        host, _, port = env[f"{service.upper()}_UPSTREAM"].partition(":")
        assert host.split(".")[0] == service, f"{service}: upstream {host} is not its Service"
        assert int(port) == services[service]["spec"]["ports"][0]["port"]
    assert env["NGINX_ENVSUBST_OUTPUT_DIR"] == "/etc/nginx"


def test_services_accept_traffic_only_from_the_gateway_and_each_other() -> None:
    allowed = {("app.kubernetes.io/name", "gateway"), ("app.kubernetes.io/component", "service")}
    policies = _objects("NetworkPolicy")
    selecting_services = [
        p
        for p in policies.values()
        if "Ingress" in p["spec"]["policyTypes"]
        and set(p["spec"]["podSelector"]["matchLabels"].items())
        & {("app.kubernetes.io/component", "service"), *(("app.kubernetes.io/name", s) for s in SERVICES)}
    ]
    assert selecting_services, "no NetworkPolicy isolates the services"
    for policy in selecting_services:
        for rule in policy["spec"].get("ingress", []):
            assert rule.get("from"), f"{policy['metadata']['name']}: ingress from anywhere"
            for peer in rule["from"]:
                assert set(peer["podSelector"]["matchLabels"].items()) <= allowed
                assert "namespaceSelector" not in peer and "ipBlock" not in peer


def test_no_secret_holds_a_real_looking_value() -> None:
    generated = _generated_secrets()
    assert {"support-portal-shared", *(f"{s}-secrets" for s in SERVICES)} <= generated.keys()
    for name, pairs in generated.items():
        for key, value in pairs.items():
            if key in NON_SECRET_KEYS:
                continue
            assert PLACEHOLDER in value, f"secret {name}: {key} is not a {PLACEHOLDER} placeholder"
    for path, doc in DOCS:
        if doc.get("kind") == "Secret":
            values = {**doc.get("stringData", {}), **doc.get("data", {})}
            for key, value in values.items():
                assert key in NON_SECRET_KEYS or PLACEHOLDER in str(value), f"{path}: {key}"
    for path in K8S.rglob("*"):
        if path.is_file():
            assert "PRIVATE KEY" not in path.read_text(encoding="utf-8"), path


def test_kustomizations_name_files_that_exist() -> None:
    for path, kustomization in _kustomizations():
        entries = list(kustomization.get("resources", []))
        entries += [p["path"] for p in kustomization.get("patches", []) if "path" in p]
        for generator in kustomization.get("secretGenerator", []) + kustomization.get(
            "configMapGenerator", []
        ):
            entries += generator.get("envs", []) + generator.get("files", [])
        for entry in entries:
            assert (path.parent / entry).exists(), f"{path}: {entry} does not exist"
    for overlay in ("local-kind", "production"):
        kustomization = yaml.safe_load((K8S / "overlays" / overlay / "kustomization.yaml").read_text())
        assert "../../base" in kustomization["resources"]


def _entrypoint() -> str:
    return (DOCKER / "entrypoint.sh").read_text(encoding="utf-8")


def test_image_entrypoint_runs_modules_that_exist() -> None:
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^ARG BASE_IMAGE=python:3\.11-slim\S*@sha256:[0-9a-f]{64}$", dockerfile, re.MULTILINE)
    assert "FROM ${BASE_IMAGE}" in dockerfile
    assert "deploy/docker/entrypoint.sh" in dockerfile
    assert "PYTHONUNBUFFERED=1" in dockerfile
    assert re.search(r"^USER (?!root|0\b)", dockerfile, re.MULTILINE), "image must not run as root"
    assert "[dev]" not in dockerfile
    script = _entrypoint()
    assert "services.${SERVICE}.app:create_app" in script
    assert 'python -m shared.migrate "$SERVICE"' in script
    (choices,) = re.findall(r"^\s*((?:[a-z]+ \| )+[a-z]+)\) ;;$", script, re.MULTILINE)
    names = [n.strip() for n in choices.split("|")]
    assert sorted(names) == sorted(SERVICES)
    for name in names:
        app = ROOT / "services" / name / "app.py"
        assert app.exists(), app
        assert re.search(r"^def create_app\(", app.read_text(encoding="utf-8"), re.MULTILINE), app
    assert (ROOT / "shared" / "migrate.py").exists()


def test_gateway_image_renders_the_template_to_nginx_conf() -> None:
    dockerfile = (DOCKER / "Dockerfile.gateway").read_text(encoding="utf-8")
    assert "nginx-unprivileged" in dockerfile
    assert "deploy/gateway/nginx.conf.template /etc/nginx/templates/nginx.conf.template" in dockerfile
    assert "NGINX_ENVSUBST_OUTPUT_DIR=/etc/nginx" in dockerfile
    defaults = set(re.findall(r"^\s+([A-Z][A-Z0-9_]*)=", dockerfile, re.MULTILINE))
    assert _template_placeholders() <= defaults


def test_compose_runs_every_service_after_its_migrations() -> None:
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))["services"]
    for name in SERVICES:
        service, migrate = compose[name], compose[f"{name}-migrate"]
        assert service["environment"]["SERVICE"] == name
        assert migrate["command"] == ["migrate"]
        assert migrate["environment"] == service["environment"]
        assert service["depends_on"][f"{name}-migrate"]["condition"] == "service_completed_successfully"
        assert f"{name.upper()}_DATABASE_URL" in service["environment"]
    assert set(SERVICES) <= compose["gateway"]["depends_on"].keys()


def test_tls_ends_at_the_ingress_which_redirects_and_has_hsts_sent() -> None:
    (ingress,) = _objects("Ingress", K8S / "overlays" / "production").values()
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/force-ssl-redirect"] == "true"
    hosts = {rule["host"] for rule in ingress["spec"]["rules"]}
    assert hosts <= {host for tls in ingress["spec"]["tls"] for host in tls["hosts"]}
    template = (ROOT / "deploy" / "gateway" / "nginx.conf.template").read_text(encoding="utf-8")
    assert re.search(r'https "max-age=\d{8,}; includeSubDomains";', template)
    assert "add_header Strict-Transport-Security $strict_transport_security always;" in template
