"""What an SRE checks before applying the production overlay, on what kustomize renders."""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Iterator
from typing import Any

from services.cases.mailbox.config import MailboxSettings
from services.downloads.config import ACCESS_GROUP
from shared.db import MAX_OVERFLOW, POOL_SIZE
from shared.migrate import SERVICES
from tests.deploy.k8s_schemas import K8S, render

PRODUCTION = K8S / "overlays" / "production"
RELEASE_JOB = PRODUCTION / "release-job"
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}
IMAGE_BY_DIGEST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$")


def _docs(*overlays: Any) -> list[dict[str, Any]]:
    return [doc for overlay in overlays or (PRODUCTION, RELEASE_JOB) for doc in render(overlay)]


def _of(kind: str, docs: list[dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in (docs or _docs()) if d["kind"] == kind}


def _pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def _workloads() -> Iterator[tuple[str, dict[str, Any]]]:
    for doc in _docs():
        if doc["kind"] in WORKLOADS:
            yield f"{doc['kind']}/{doc['metadata']['name']}", _pod_spec(doc)


def _containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return pod.get("initContainers", []) + pod["containers"]


def _restricted_container(where: str, context: dict[str, Any], pod_context: dict[str, Any]) -> list[str]:
    problems = []
    if context.get("allowPrivilegeEscalation") is not False:
        problems.append(f"{where}: allowPrivilegeEscalation must be false")
    if context.get("capabilities", {}).get("drop") != ["ALL"]:
        problems.append(f"{where}: capabilities must drop ALL")
    if context.get("privileged"):
        problems.append(f"{where}: privileged")
    if not (context.get("runAsNonRoot") or pod_context.get("runAsNonRoot")):
        problems.append(f"{where}: runAsNonRoot")
    seccomp = context.get("seccompProfile") or pod_context.get("seccompProfile") or {}
    if seccomp.get("type") not in ("RuntimeDefault", "Localhost"):
        problems.append(f"{where}: seccompProfile RuntimeDefault")
    return problems


def test_every_pod_meets_the_restricted_pod_security_standard() -> None:
    (namespace,) = _of("Namespace").values()
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    problems = []
    for name, pod in _workloads():
        for container in _containers(pod):
            where = f"{name}/{container['name']}"
            problems += _restricted_container(where, container["securityContext"], pod["securityContext"])
        for volume in pod.get("volumes", []):
            assert "hostPath" not in volume, f"{name}: hostPath volume"
    # Strimzi's pods: what the operator's default provider leaves out is in their templates.
    for pool in _of("KafkaNodePool").values():
        template = pool["spec"]["template"]
        problems += _restricted_container(
            f"KafkaNodePool/{pool['metadata']['name']}",
            template["kafkaContainer"]["securityContext"],
            template["pod"]["securityContext"],
        )
    for kafka in _of("Kafka").values():
        template = kafka["spec"]["entityOperator"]["template"]
        problems += _restricted_container(
            "entity operator",
            template["topicOperatorContainer"]["securityContext"],
            template["pod"]["securityContext"],
        )
    assert not problems, "\n".join(problems)


def test_production_runs_images_by_registry_and_digest() -> None:
    images = {
        f"{name}/{container['name']}": container["image"]
        for name, pod in _workloads()
        for container in _containers(pod)
    }
    assert any(name.startswith("Job/release-publish") for name in images), "the release Job is rendered too"
    wrong = {name: image for name, image in images.items() if not IMAGE_BY_DIGEST.match(image)}
    assert not wrong, wrong


def _referenced_secrets(docs: list[dict[str, Any]]) -> set[str]:
    names: set[str] = set()
    for doc in docs:
        if doc["kind"] in WORKLOADS:
            pod = _pod_spec(doc)
            for container in _containers(pod):
                names |= {s["secretRef"]["name"] for s in container.get("envFrom", []) if "secretRef" in s}
                names |= {
                    e["valueFrom"]["secretKeyRef"]["name"]
                    for e in container.get("env", [])
                    if "secretKeyRef" in e.get("valueFrom", {})
                }
            names |= {v["secret"]["secretName"] for v in pod.get("volumes", []) if "secret" in v}
        elif doc["kind"] == "Cluster":
            names |= {r["passwordSecret"]["name"] for r in doc["spec"]["managed"]["roles"]}
        elif doc["kind"] == "ObjectStore":
            names |= {ref["name"] for ref in doc["spec"]["configuration"]["s3Credentials"].values()}
    return names


def test_production_renders_no_secret_and_the_secret_manager_provides_every_one_read() -> None:
    docs = _docs()
    assert not _of("Secret", docs), "production must not render Secrets (placeholders or values)"
    provided = {es["spec"]["target"]["name"] for es in _of("ExternalSecret", docs).values()}
    # Strimzi writes the KafkaUsers' passwords and the cluster CA itself.
    operator_made = {*_of("KafkaUser", docs), *(f"{k}-cluster-ca-cert" for k in _of("Kafka", docs))}
    needed = _referenced_secrets(docs) - operator_made
    assert {"support-portal-shared", "release-tool-account", "pg-backup-s3"} <= needed
    assert needed <= provided, f"no ExternalSecret for {sorted(needed - provided)}"
    for es in _of("ExternalSecret", docs).values():
        if es["metadata"]["name"].startswith("pg-role-"):
            template = es["spec"]["target"]["template"]
            assert template["type"] == "kubernetes.io/basic-auth"
            assert template["metadata"]["labels"]["cnpg.io/reload"] == "true"


def _max_pods(docs: list[dict[str, Any]]) -> dict[str, int]:
    """Most pods of each Deployment at once: HPA maximum (or replicas) plus the rollout surge."""
    hpa_max = {
        h["spec"]["scaleTargetRef"]["name"]: h["spec"]["maxReplicas"]
        for h in _of("HorizontalPodAutoscaler", docs).values()
    }
    pods = {}
    for name, deployment in _of("Deployment", docs).items():
        if name in hpa_max:
            assert "replicas" not in deployment["spec"], f"{name}: replicas on an HPA-managed Deployment"
        surge = deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"]
        assert isinstance(surge, int), f"{name}: maxSurge as a count"
        pods[name] = hpa_max.get(name, deployment["spec"].get("replicas", 1)) + surge
    return pods


def test_postgres_max_connections_fit_every_pod_at_its_most() -> None:
    docs = _docs(PRODUCTION)
    pods = _max_pods(docs)
    # Per pod: the SQLAlchemy pool at its most, plus the outbox relay's LISTEN and worker
    # connections (shared.relay); notifier's mail sender keeps two more (services/notifier/sender.py).
    per_service_pod = POOL_SIZE + MAX_OVERFLOW + 2
    mailbox = MailboxSettings.model_fields["mailbox_workers"].default
    # The mailbox: its engine (workers + 1 + overflow), the asyncpg pool of 10 and one listener.
    per_mailbox_pod = mailbox + 1 + MAX_OVERFLOW + 10 + 1
    demand = sum(pods[s] * per_service_pod for s in SERVICES) + 2 * pods["notifier"]
    demand += pods["cases-mailbox"] * per_mailbox_pod
    (cluster,) = _of("Cluster", docs).values()
    max_connections = int(cluster["spec"]["postgresql"]["parameters"]["max_connections"])
    # superuser_reserved_connections (3) and the operator's own sessions stay free.
    assert demand + 10 <= max_connections, f"{demand} connections at most, max_connections {max_connections}"


def test_postgres_and_kafka_pods_are_fenced() -> None:
    docs = _docs(PRODUCTION)
    policies = [
        p
        for p in _of("NetworkPolicy", docs).values()
        if p["spec"]["podSelector"].get("matchLabels", {}).get("cnpg.io/cluster") == "support-portal-pg"
    ]
    assert policies, "no NetworkPolicy selects the PostgreSQL pods"
    for policy in policies:
        assert "Ingress" in policy["spec"]["policyTypes"]
        for rule in policy["spec"]["ingress"]:
            assert rule.get("from"), "PostgreSQL ingress from anywhere"
    (kafka,) = _of("Kafka", docs).values()
    for listener in kafka["spec"]["kafka"]["listeners"]:
        peers = listener.get("networkPolicyPeers")
        assert peers, f"listener {listener['name']} open to every pod"
        # The services, and MinIO's pods for their GET notifications (KafkaUser minio).
        selectors = [p["podSelector"]["matchLabels"] for p in peers]
        assert selectors == [{"app.kubernetes.io/component": "service"}, {"v1.min.io/tenant": "minio"}]


def test_postgres_is_backed_up_to_object_storage() -> None:
    docs = _docs(PRODUCTION)
    (cluster,) = _of("Cluster", docs).values()
    archivers = [p for p in cluster["spec"]["plugins"] if p.get("isWALArchiver")]
    assert [p["name"] for p in archivers] == ["barman-cloud.cloudnative-pg.io"]
    store = _of("ObjectStore", docs)[archivers[0]["parameters"]["barmanObjectName"]]
    assert store["spec"]["configuration"]["destinationPath"].startswith("s3://")
    scheduled = [
        b
        for b in _of("ScheduledBackup", docs).values()
        if b["spec"]["cluster"]["name"] == cluster["metadata"]["name"]
    ]
    assert scheduled and all(b["spec"]["method"] == "plugin" for b in scheduled)


def test_kafka_nodes_never_share_a_machine() -> None:
    (pool,) = _of("KafkaNodePool", _docs(PRODUCTION)).values()
    assert pool["spec"]["replicas"] >= 3
    (term,) = pool["spec"]["template"]["pod"]["affinity"]["podAntiAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"
    ]
    assert term["topologyKey"] == "kubernetes.io/hostname"
    assert (
        term["labelSelector"]["matchLabels"]["strimzi.io/cluster"]
        == pool["metadata"]["labels"]["strimzi.io/cluster"]
    )


def test_prometheus_scrapes_every_service() -> None:
    docs = _docs(PRODUCTION)
    monitors = _of("ServiceMonitor", docs).values()
    for service in SERVICES:
        svc = _of("Service", docs)[service]
        labels = svc["metadata"]["labels"]
        scraping = [
            m
            for m in monitors
            if all(labels.get(k) == v for k, v in m["spec"]["selector"]["matchLabels"].items())
        ]
        assert scraping, f"no ServiceMonitor selects {service}"
        ports = {p["name"] for p in svc["spec"]["ports"]}
        assert any(
            e["port"] in ports and e["path"] == "/metrics" for m in scraping for e in m["spec"]["endpoints"]
        )
    admitted = [
        rule
        for policy in _of("NetworkPolicy", docs).values()
        if policy["spec"]["podSelector"].get("matchLabels") == {"app.kubernetes.io/component": "service"}
        for rule in policy["spec"].get("ingress", [])
        if any(
            peer.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
            == "monitoring"
            for peer in rule["from"]
        )
    ]
    assert admitted and all({p["port"] for p in rule["ports"]} == {8000} for rule in admitted)


def _env(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e.get("value", "") for e in container.get("env", [])}


def _cpus(quantity: str) -> float:
    return int(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def test_gateway_workers_fit_its_cpu_limit_and_it_trusts_only_the_ingress() -> None:
    for overlay in (PRODUCTION, K8S / "overlays" / "local-kind"):
        docs = _docs(overlay)
        (gateway,) = _of("Deployment", docs)["gateway"]["spec"]["template"]["spec"]["containers"]
        workers = _env(gateway)["NGINX_WORKER_PROCESSES"]
        assert workers.isdigit(), (
            f"{overlay.name}: worker_processes {workers!r} ('auto' counts the node's cores)"
        )
        assert 1 <= int(workers) <= math.ceil(_cpus(gateway["resources"]["limits"]["cpu"]))
    docs = _docs(PRODUCTION)
    (gateway,) = _of("Deployment", docs)["gateway"]["spec"]["template"]["spec"]["containers"]
    trusted = ipaddress.ip_network(_env(gateway)["TRUSTED_PROXY_CIDR"])
    assert trusted.prefixlen >= 20, f"TRUSTED_PROXY_CIDR {trusted} trusts more than the ingress"
    for rule in _of("NetworkPolicy", docs)["gateway"]["spec"]["ingress"]:
        assert rule.get("from"), "the gateway admits every pod"
        for peer in rule["from"]:
            assert peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] == "ingress-nginx"


def test_every_kafka_client_authenticates_as_its_own_user() -> None:
    docs = _docs()
    (kafka,) = _of("Kafka", docs).values()
    assert kafka["spec"]["kafka"]["authorization"]["type"] == "simple"
    (listener,) = kafka["spec"]["kafka"]["listeners"]
    assert listener["tls"] is True
    assert listener["authentication"]["type"] == "scram-sha-512"
    users = _of("KafkaUser", docs)
    config = _of("ConfigMap", docs)["support-portal-config"]["data"]
    assert config["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config["KAFKA_BOOTSTRAP"].endswith(f":{listener['port']}")
    ca_secret = f"{kafka['metadata']['name']}-cluster-ca-cert"
    clients = {name: d for name, d in _of("Deployment", docs).items() if name in SERVICES}
    assert len(clients) == len(SERVICES)
    for name, workload in clients.items():
        pod = _pod_spec(workload)
        container = pod["containers"][0]
        prefix = container["envFrom"][0].get("prefix", "")
        env = {e["name"]: e for e in container["env"]}
        user = env[f"{prefix}KAFKA_SASL_USERNAME"]["value"]
        assert user in users, f"{name}: no KafkaUser {user}"
        assert users[user]["spec"]["authentication"]["type"] == "scram-sha-512"
        assert env[f"{prefix}KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
            "name": user,
            "key": "password",
        }
        mounted = {v["name"] for v in pod["volumes"] if v.get("secret", {}).get("secretName") == ca_secret}
        mounts = {m["mountPath"] for m in container["volumeMounts"] if m["name"] in mounted}
        assert any(config["KAFKA_CA_FILE"].startswith(path + "/") for path in mounts), (
            f"{name}: no cluster CA"
        )
    for service in SERVICES:
        acls = users[service]["spec"]["authorization"]["acls"]
        groups = {a["resource"]["name"] for a in acls if a["resource"]["type"] == "group"}
        # Its own group, and downloads' second one for MinIO's GET notifications.
        assert groups == ({service, ACCESS_GROUP} if service == "downloads" else {service}), service
        writable = {a["resource"]["name"] for a in acls if "Write" in a["operations"]}
        assert all(t.endswith(".dlq") or t.startswith(f"{service}.") for t in writable), (service, writable)
