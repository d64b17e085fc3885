"""The container images, built with podman and run as the pods run them.

The service and gateway images are built (from the debootstrap stand-in bases where base images
cannot be pulled, see deploy/local/podman.py) and driven with testcontainers through podman's
Docker-compatible API socket, with the pod's security settings: read-only root, uid 10001 (the
gateway: 101), every capability dropped, no privilege escalation. They run on the host network
against the test stack's native PostgreSQL, Kafka and Mailpit, listening on loopback only.

One registration goes through the containerised gateway to the containerised identity, whose
event the containerised notifier turns into the verification mail found in Mailpit. Identity is
started before its database exists, so the test also shows it waits for a late database.
"""

import importlib.util
import os
import re
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import docker
import httpx
import pytest
from testcontainers.core.config import testcontainers_config
from testcontainers.core.container import DockerContainer

from deploy.local import images, podman
from deploy.local import stack as local_stack
from deploy.local.report import Reporter
from tests.accounts import PASSWORD
from tests.kit import ROOT, Mailpit, eventually, unique_email

STATE = Path(os.environ.get("SP_TEST_STATE", ROOT / ".run" / "test")).absolute()
LOOPBACK = "127.0.0.1"
# A path inside the containers: their own tmpfs, the only writable place on a read-only root.
CONTAINER_TMP = "/tmp"  # noqa: S108
# The securityContext of deploy/k8s/base/services (and the gateway's, uid 101).
POD_SECURITY: dict[str, Any] = {
    "read_only": True,
    "cap_drop": ["ALL"],
    "security_opt": ["no-new-privileges"],
    "network_mode": "host",
}
# deploy/docker is no package: its pinning script is loaded from its file.
_spec = importlib.util.spec_from_file_location("pin_constraints", ROOT / "deploy/docker/pin_constraints.py")
assert _spec and _spec.loader
pin_constraints = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pin_constraints)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def built() -> images.Built:
    log = STATE / "logs" / "images.log"
    result = images.build_all(Reporter(quiet=True), log)
    print(f"\nimages built in {result.seconds:.1f}s")
    return result


@pytest.fixture(scope="module")
def docker_host(built: images.Built) -> Iterator[str]:
    """Podman's API socket as DOCKER_HOST, where testcontainers (docker-py) looks for an engine."""
    with (
        podman.api_service(STATE / "podman" / "api.sock", STATE / "logs" / "podman-api.log") as url,
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setenv("DOCKER_HOST", url)
        # Ryuk (testcontainers' reaper) is an image of its own that cannot be pulled everywhere;
        # the tests remove what they start.
        patch.setattr(testcontainers_config, "ryuk_disabled", True)
        yield url


@pytest.fixture(scope="module")
def infra() -> dict[str, Any]:
    return local_stack.up(STATE, services=False, quiet=True)


def _container(docker_host: str, image: str, env: dict[str, str], *, user: str) -> DockerContainer:
    container = DockerContainer(image)
    for key, value in env.items():
        container.with_env(key, value)
    return container.with_kwargs(user=user, **POD_SECURITY).with_tmpfs_mount(CONTAINER_TMP)


def _run_to_completion(container: DockerContainer, timeout: float = 120) -> tuple[int, str]:
    try:
        container.start()
        status = container.get_wrapped_container().wait(timeout=timeout)["StatusCode"]
        out, err = container.get_logs()
        return status, (out + err).decode(errors="replace")
    finally:
        container.stop()


def _logs(container: DockerContainer) -> str:
    out, err = container.get_logs()
    return (out + err).decode(errors="replace")


class Databases:
    """Fresh databases on the stack's PostgreSQL, dropped at the end."""

    def __init__(self, postgres: dict[str, Any]) -> None:
        self.postgres = postgres
        self.created: list[str] = []

    def url(self, name: str) -> str:
        return str(self.postgres["url_template"]).format(db=name)

    async def create(self, name: str) -> None:
        await self._admin(f'CREATE DATABASE "{name}"')
        self.created.append(name)

    async def drop_all(self) -> None:
        for name in self.created:
            await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def _admin(self, sql: str) -> None:
        pg = self.postgres
        connection = await asyncpg.connect(
            host=pg["host"], port=pg["port"], user=pg["user"], password=pg["password"], database="postgres"
        )
        try:
            await connection.execute(sql)
        finally:
            await connection.close()


@pytest.fixture(scope="module")
async def databases(infra: dict[str, Any]) -> AsyncIterator[Databases]:
    dbs = Databases(infra["postgres"])
    yield dbs
    await dbs.drop_all()


def _service_env(
    infra: dict[str, Any], service: str, database_url: str, port: int, identity_port: int
) -> dict[str, str]:
    prefix = service.upper()
    env = {key: value for key, value in infra["services"][service]["env"].items() if key.startswith(prefix)}
    env.update(
        {
            "SERVICE": service,
            "PORT": str(port),
            "LISTEN_HOST": LOOPBACK,
            f"{prefix}_DATABASE_URL": database_url,
            f"{prefix}_JWKS_URL": f"http://{LOOPBACK}:{identity_port}/.well-known/jwks.json",
            f"{prefix}_STATE_DIR": f"{CONTAINER_TMP}/state",
        }
    )
    return env


def test_the_constraints_pin_every_runtime_dependency_of_pyproject_with_a_hash() -> None:
    """deploy/docker/constraints.txt follows pyproject.toml (regenerate: deploy/docker/pin_constraints.py)."""
    pins: dict[str, str] = {}
    for line in (ROOT / "deploy/docker/constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            requirement, hash_option = line.split(" ")
            name, version = requirement.split("==")
            assert re.fullmatch(r"--hash=sha256:[0-9a-f]{64}", hash_option), line
            pins[_normalized(name)] = version
    for dependency in pin_constraints.runtime_requirements():
        name, version = dependency.split("==")
        assert pins.get(_normalized(re.sub(r"\[.*\]", "", name))) == version, dependency
    assert "://" not in (ROOT / "deploy/docker/constraints.txt").read_text(), "the file names no index"


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_service_image_runs_as_10001_without_pip_and_with_bytecode(
    built: images.Built, docker_host: str
) -> None:
    probe = (
        "import importlib.util, os, sys, services.identity.app as app;"
        "assert os.getuid() == 10001, os.getuid();"
        "assert importlib.util.find_spec('pip') is None, 'pip';"
        "assert importlib.util.find_spec('setuptools') is None, 'setuptools';"
        "assert app.__cached__ and os.path.exists(app.__cached__), 'no bytecode';"
        "import shutil; tools = [shutil.which(t) for t in ('support-release', 'support-dlq', 'support-admin')];"
        "assert all(tool and tool.startswith('/opt/venv/bin/') for tool in tools), tools;"
        "print('probe ok')"
    )
    container = _container(docker_host, built.service, {}, user="10001:10001").with_command(
        ["python", "-c", probe]
    )
    status, logs = _run_to_completion(container)
    assert status == 0, logs
    assert "probe ok" in logs
    labels = container.get_docker_client().client.images.get(built.service).labels
    assert labels["org.opencontainers.image.title"] == "Support Portal services"
    assert len(labels["org.opencontainers.image.revision"]) == 40


async def test_registration_through_the_containerised_gateway_ends_with_the_verification_mail(
    built: images.Built, docker_host: str, infra: dict[str, Any], databases: Databases
) -> None:
    suffix = uuid.uuid4().hex[:8]
    identity_db, notifier_db = f"identity_image_{suffix}", f"notifier_image_{suffix}"
    identity_port, notifier_port, gateway_port = _free_port(), _free_port(), _free_port()
    identity_env = _service_env(infra, "identity", databases.url(identity_db), identity_port, identity_port)
    notifier_env = _service_env(infra, "notifier", databases.url(notifier_db), notifier_port, identity_port)
    started: list[DockerContainer] = []
    try:
        # Identity first, before its database exists: it must wait, not exit.
        identity = _container(docker_host, built.service, identity_env, user="10001:10001")
        started.append(identity)
        identity.start()

        async def identity_waits() -> bool | None:
            return "database not ready" in _logs(identity) or None

        await eventually(identity_waits, timeout=60, what="identity waiting for its database")
        for service, database, env in (
            ("identity", identity_db, identity_env),
            ("notifier", notifier_db, notifier_env),
        ):
            await databases.create(database)
            status, logs = _run_to_completion(
                _container(docker_host, built.service, env, user="10001:10001").with_command(["migrate"])
            )
            assert status == 0, logs
            assert f"{service}: migrated to head" in logs

        notifier = _container(docker_host, built.service, notifier_env, user="10001:10001")
        started.append(notifier)
        notifier.start()
        gateway_env = {
            "GATEWAY_LISTEN": f"{LOOPBACK}:{gateway_port}",
            "TRUSTED_PROXY_CIDR": f"{LOOPBACK}/32",
            **{
                f"{name}_UPSTREAM": f"{LOOPBACK}:{_free_port()}"
                for name in ("LICENSING", "DOWNLOADS", "CASES")
            },
            "IDENTITY_UPSTREAM": f"{LOOPBACK}:{identity_port}",
            "NOTIFIER_UPSTREAM": f"{LOOPBACK}:{notifier_port}",
        }
        gateway = _container(docker_host, built.gateway, gateway_env, user="101:101")
        gateway.with_volume_mapping(f"gateway-etc-{suffix}", "/etc/nginx", "rw")
        started.append(gateway)
        gateway.start()

        async with httpx.AsyncClient(timeout=5) as client:
            for port in (identity_port, notifier_port):
                await eventually(
                    lambda port=port: _ok(client, f"http://{LOOPBACK}:{port}/readyz?kafka=optional"),
                    timeout=120,
                    what=f"service on :{port} ready",
                )
                assert (await client.get(f"http://{LOOPBACK}:{port}/healthz")).json() == {"status": "ok"}
            portal = f"http://{LOOPBACK}:{gateway_port}"
            await eventually(lambda: _ok(client, f"{portal}/healthz"), timeout=60, what="gateway up")
            jwks = await client.get(f"{portal}/api/identity/.well-known/jwks.json")
            assert jwks.status_code == 200, jwks.text
            assert jwks.json()["keys"], "identity published no signing key"

            email = unique_email("image")
            body = {
                "name": "Mei Chen",
                "phone": "0912 345 678",
                "email": email,
                "password": PASSWORD,
                "locale": "en",
            }
            response = await client.post(f"{portal}/api/identity/auth/register", json=body)
            assert response.status_code == 202, response.text

        mailpit = Mailpit(infra["mailpit"]["http_url"])
        [mail] = await mailpit.wait_for(email, timeout=120)
        assert "token=" in await mailpit.link_in(mail["ID"])
    finally:
        for container in reversed(started):
            container.stop()
        client = docker.DockerClient(base_url=docker_host)
        for volume in client.volumes.list(filters={"name": f"gateway-etc-{suffix}"}):
            volume.remove(force=True)


async def _ok(client: httpx.AsyncClient, url: str) -> bool | None:
    try:
        return (await client.get(url)).status_code == 200 or None
    except httpx.TransportError:
        return None
