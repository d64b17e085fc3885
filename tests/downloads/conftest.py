"""Fixtures of the downloads tests: accounts, licensing events, the release tool."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.kit import ROOT


def release_tool_env(stack: dict[str, Any]) -> dict[str, str]:
    minio = stack["minio"]
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RELEASE_S3_ENDPOINT": minio["endpoint"],
        "RELEASE_S3_ACCESS_KEY": minio["access_key"],
        "RELEASE_S3_SECRET_KEY": minio["secret_key"],
        "RELEASE_S3_BUCKET": minio["bucket"],
        "RELEASE_KAFKA_BOOTSTRAP": stack["kafka"]["bootstrap"],
    }


class ReleaseTool:
    """Runs `support-release` as the product team does (a separate process)."""

    def __init__(self, stack: dict[str, Any]) -> None:
        self.env = release_tool_env(stack)

    def run(self, *args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "services.downloads.release_tool", *map(str, args)],
            cwd=ROOT,
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
