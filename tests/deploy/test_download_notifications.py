"""MinIO publishes every completed GET of an artifact to Kafka, the way the downloads service
reads them (services/downloads/object_access.py) and deploy/local configures it
(deploy/local/minio.py): the Kubernetes manifests as kustomize renders them.
"""

from __future__ import annotations

import re
from typing import Any

from deploy.local.minio import ACCESS_EVENTS, NOTIFY_ARN, NOTIFY_TARGET
from services.downloads.config import ACCESS_GROUP, ACCESS_TOPIC
from shared.topics import dlq_topic
from tests.deploy.k8s_schemas import K8S, render

LOCAL_KIND = K8S / "overlays" / "local-kind"
PRODUCTION = K8S / "overlays" / "production"
NOTIFY_PREFIX = "MINIO_NOTIFY_KAFKA_"
# What `mc event add --event get` subscribes to (mc's own mapping).
MC_GET_EVENTS = "s3:ObjectAccessed:*"


def _of(kind: str, docs: tuple[dict[str, Any], ...]) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def _acl(user: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(resource type, name, operation) for every literal ACL entry of a KafkaUser."""
    entries = set()
    for acl in user["spec"]["authorization"]["acls"]:
        resource = acl["resource"]
        assert resource.get("patternType", "literal") == "literal", resource
        entries |= {(resource["type"], resource["name"], op) for op in acl["operations"]}
    return entries


def test_minio_may_only_publish_to_the_access_topic() -> None:
    for overlay in (PRODUCTION, LOCAL_KIND):
        users = _of("KafkaUser", render(overlay))
        minio = users["minio"]
        assert minio["spec"]["authentication"]["type"] == "scram-sha-512"
        assert _acl(minio) == {("topic", ACCESS_TOPIC, "Write"), ("topic", ACCESS_TOPIC, "Describe")}


def test_downloads_reads_the_access_topic_in_its_access_group() -> None:
    docs = render(PRODUCTION)
    acl = _acl(_of("KafkaUser", docs)["downloads"])
    assert {("topic", ACCESS_TOPIC, "Read"), ("group", ACCESS_GROUP, "Read")} <= acl
    assert ("topic", dlq_topic(ACCESS_TOPIC), "Write") in acl
    assert not any(name == ACCESS_TOPIC and op == "Write" for _, name, op in acl), "only MinIO publishes it"
    topics = {t["spec"]["topicName"] for t in _of("KafkaTopic", docs).values()}
    assert {ACCESS_TOPIC, dlq_topic(ACCESS_TOPIC)} <= topics


def _notify_env(container: dict[str, Any]) -> dict[str, Any]:
    """MinIO's notify_kafka settings of one target, by setting name (suffix stripped)."""
    env = {}
    for entry in container["env"]:
        name = entry["name"]
        if name.startswith(NOTIFY_PREFIX):
            assert name.endswith(f"_{NOTIFY_TARGET}"), f"{name}: not the target {NOTIFY_TARGET}"
            env[name.removeprefix(NOTIFY_PREFIX).removesuffix(f"_{NOTIFY_TARGET}")] = entry.get(
                "value", entry.get("valueFrom")
            )
    return env


def test_kind_minio_publishes_its_gets_as_kafka_user_minio_over_tls() -> None:
    docs = render(LOCAL_KIND)
    config = _of("ConfigMap", docs)["support-portal-config"]["data"]
    minio = _of("Deployment", docs)["minio"]
    pod = minio["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = _notify_env(container)
    assert env["ENABLE"] == "on"
    assert env["TOPIC"] == ACCESS_TOPIC
    assert env["BROKERS"] == config["KAFKA_BOOTSTRAP"]
    # The listener is TLS with SCRAM-SHA-512 (kafka.yaml): MinIO's names for them.
    assert (env["TLS"], env["SASL"], env["SASL_MECHANISM"]) == ("on", "on", "sha512")
    assert "TLS_SKIP_VERIFY" not in env
    assert env["SASL_USERNAME"] == "minio"
    assert env["SASL_PASSWORD"] == {"secretKeyRef": {"name": "minio", "key": "password"}}
    # Strimzi's cluster CA in <certs-dir>/CAs, which MinIO trusts for its targets.
    certs_dir = container["args"][container["args"].index("--certs-dir") + 1]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    ca_volume = volumes[mounts[f"{certs_dir}/CAs"]]
    kafka_name = next(iter(_of("Kafka", docs)))
    assert ca_volume["secret"]["secretName"] == f"{kafka_name}-cluster-ca-cert"
    # The queue survives a Kafka outage only on a volume of its own (the root is the image's).
    assert env["QUEUE_DIR"] in mounts and int(env["QUEUE_LIMIT"]) > 0
    # Strimzi's NetworkPolicy admits the pod to the listener.
    labels = minio["spec"]["template"]["metadata"]["labels"]
    (kafka,) = _of("Kafka", docs).values()
    (listener,) = kafka["spec"]["kafka"]["listeners"]
    assert any(
        all(labels.get(k) == v for k, v in peer["podSelector"]["matchLabels"].items())
        for peer in listener["networkPolicyPeers"]
    ), "Kafka's listener does not admit the MinIO pod"


def test_kind_bucket_job_subscribes_the_target_to_gets() -> None:
    (job,) = [d for d in render(LOCAL_KIND) if d["kind"] == "Job" and d["metadata"]["name"] == "minio-bucket"]
    script = " ".join(job["spec"]["template"]["spec"]["containers"][0]["args"])
    added = re.search(r"mc (?:--config-dir \S+ )?event add local/(\S+) (\S+) --event (\S+)", script)
    assert added, script
    bucket, arn, events = added.groups()
    assert (bucket, arn, events) == ("artifacts", NOTIFY_ARN, "get")
    # mc's `get` is every ObjectAccessed event; the consumer keeps the GETs deploy/local asks for.
    assert all(event.startswith(MC_GET_EVENTS.removesuffix("*")) for event in ACCESS_EVENTS)
