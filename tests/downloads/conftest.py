"""Fixtures of the downloads tests: accounts, licensing events, the release tool."""

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from deploy.portal_client import release_env
from tests.accounts import Accounts
from tests.downloads.release_team import Team
from tests.kit import ROOT
from tests.licensing_events import EventPublisher


@pytest.fixture(scope="session")
def accounts(stack: dict[str, Any], gateway: httpx.AsyncClient) -> Iterator[Accounts]:
    box = Accounts(stack, gateway)
    yield box
    box.close()


@pytest.fixture(scope="session")
async def events(kafka_bootstrap: str) -> AsyncIterator[EventPublisher]:
    publisher = EventPublisher(kafka_bootstrap)
    yield publisher
    await publisher.close()


def release_tool_env(stack: dict[str, Any]) -> dict[str, str]:
    """The tool's environment for the test stack: its gateway and a release-role account."""
    return {**os.environ, "PYTHONPATH": str(ROOT), **release_env(stack)}


class ReleaseTool:
    """Runs `support-release` as the product team does (a separate process)."""

    def __init__(self, stack: dict[str, Any]) -> None:
        self.env = release_tool_env(stack)

    def run(
        self, *args: str | Path, env: dict[str, str] | None = None, cwd: Path = ROOT
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "services.downloads.release_tool", *map(str, args)],
            cwd=cwd,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    def publish(self, *args: str | Path) -> str:
        result = self.run("publish", *args)
        assert result.returncode == 0, f"publish failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout


@pytest.fixture(scope="session")
def release_tool(stack: dict[str, Any]) -> ReleaseTool:
    return ReleaseTool(stack)


@pytest.fixture
async def team(accounts: Accounts, gateway: httpx.AsyncClient) -> Team:
    """A signed-in member of the product team (the `release` role)."""
    return Team(gateway, await accounts.user("release"))
