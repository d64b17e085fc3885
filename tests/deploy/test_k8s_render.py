"""Every overlay renders with the pinned kustomize and every object it renders is valid.

Built-in kinds: kubernetes-validate --strict for the oldest and the newest Kubernetes the
manifests support. Custom resources: the operators' own CRD schemas, unknown fields refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from tests.deploy.k8s_schemas import (
    KUBERNETES_NEWEST,
    KUBERNETES_OLDEST,
    OVERLAYS,
    ROOT,
    custom_resource_errors,
    is_custom,
    render,
)


def _name(doc: dict[str, Any]) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda p: str(p.relative_to(ROOT / "deploy" / "k8s")))
@pytest.mark.parametrize("version", [KUBERNETES_OLDEST, KUBERNETES_NEWEST])
def test_built_in_objects_pass_strict_schema_validation(overlay: Path, version: str) -> None:
    docs = [doc for doc in render(overlay) if not is_custom(doc)]
    assert docs, f"{overlay} renders no Kubernetes objects"
    errors = []
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            errors.append(f"{_name(doc)}: {exc.message} at {'/'.join(map(str, exc.path))}")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda p: str(p.relative_to(ROOT / "deploy" / "k8s")))
def test_custom_resources_match_their_operators_crds(overlay: Path) -> None:
    docs = [doc for doc in render(overlay) if is_custom(doc)]
    errors = [f"{_name(doc)}: {error}" for doc in docs for error in custom_resource_errors(doc)]
    assert not errors, "\n".join(errors)


def test_strict_crd_validation_refuses_an_unknown_field() -> None:
    """The CRD check is not vacuous: a misspelt field in a real resource is an error."""
    (kafka,) = [
        doc for doc in render(ROOT / "deploy" / "k8s" / "overlays" / "production") if doc["kind"] == "Kafka"
    ]
    assert custom_resource_errors(kafka) == []
    broken = {**kafka, "spec": {**kafka["spec"], "kafka": {**kafka["spec"]["kafka"], "listner": []}}}
    assert any("listner" in error for error in custom_resource_errors(broken))
