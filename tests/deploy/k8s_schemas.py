"""Render deploy/k8s with the pinned kustomize and check every object against a schema.

Built-in kinds go to kubernetes-validate in strict mode (unknown fields are errors); custom
resources go to the openAPIV3Schema of the operator's own CRD (tests/deploy/crds), made strict
the way the API server's field validation is: an object schema without
`x-kubernetes-preserve-unknown-fields` admits only the properties it names.
"""

from __future__ import annotations

import copy
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from deploy.local import kustomize
from deploy.local.report import Reporter

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
CRDS = Path(__file__).resolve().parent / "crds"
# Every folder under overlays/ is something an operator applies.
OVERLAYS = sorted(p.parent for p in (K8S / "overlays").rglob("kustomization.yaml"))
# The Kubernetes minors the manifests support: CloudNativePG 1.30's supported range (1.34-1.36)
# is the narrower of the two operators' (Strimzi 1.2 supports 1.30 and newer).
KUBERNETES_OLDEST = "1.34.0"
KUBERNETES_NEWEST = "1.36.0"


@cache
def kustomize_binary() -> Path:
    return kustomize.ensure_installed(Reporter(quiet=True), ROOT / ".run" / "kustomize-install.log")


@cache
def render(overlay: Path) -> tuple[dict[str, Any], ...]:
    out = subprocess.run(
        [str(kustomize_binary()), "build", str(overlay)], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, f"kustomize build {overlay.relative_to(ROOT)}:\n{out.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(out.stdout) if doc)


def _strict(schema: Any) -> Any:
    """A copy of a structural schema in which unknown fields are refused."""
    if isinstance(schema, list):
        return [_strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: _strict(value) for key, value in schema.items()}
    if result.pop("x-kubernetes-int-or-string", False):
        result.pop("type", None)
        result["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if (
        result.get("type") == "object"
        and "properties" in result
        and "additionalProperties" not in result
        and not result.get("x-kubernetes-preserve-unknown-fields")
    ):
        result["additionalProperties"] = False
    return result


@cache
def crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> strict JSON schema of every served version of the vendored CRDs."""
    schemas: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(CRDS.rglob("*.yaml")):
        for crd in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                if not version.get("served"):
                    continue
                schema = copy.deepcopy(version["schema"]["openAPIV3Schema"])
                # metadata is the API server's, checked by kubernetes-validate's ObjectMeta rules.
                schema.get("properties", {}).pop("metadata", None)
                if "metadata" in schema.get("required", []):
                    schema["required"].remove("metadata")
                schemas[(f"{group}/{version['name']}", kind)] = _strict(schema)
    return schemas


def is_custom(doc: dict[str, Any]) -> bool:
    group = doc["apiVersion"].rpartition("/")[0]
    return "." in group and not group.endswith(".k8s.io")


def custom_resource_errors(doc: dict[str, Any]) -> list[str]:
    schema = crd_schemas().get((doc["apiVersion"], doc["kind"]))
    if schema is None:
        return [f"no vendored CRD serves {doc['apiVersion']} {doc['kind']}"]
    body = {k: v for k, v in doc.items() if k != "metadata"}
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '.'}: {error.message}"
        for error in validator.iter_errors(body)
    ]
