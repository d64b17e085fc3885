"""The release tool's command line: help, clear refusals of bad input or unreachable systems, and
a release date that a re-publish keeps."""

import hashlib
import json
import os
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg

from deploy.demo import ADMIN, release_command
from services.downloads.release_ids import release_id_of
from tests.accounts import Accounts
from tests.conftest import database_url
from tests.downloads.conftest import ReleaseTool
from tests.downloads.release_team import Team, draft
from tests.kit import ROOT, eventually


def test_help_describes_every_command(release_tool: ReleaseTool) -> None:
    top = release_tool.run("--help")
    assert top.returncode == 0 and "publish" in top.stdout
    publish = release_tool.run("publish", "--help")
    assert publish.returncode == 0
    for option in ("--product", "--version", "--kind", "--title", "--notes", "--published-on", "FILE"):
        assert option in publish.stdout


def test_missing_file_is_refused_before_any_upload(release_tool: ReleaseTool, tmp_path: Path) -> None:
    result = release_tool.run(
        "publish",
        "--product",
        "OMFLOW",
        "--version",
        "9.9.9",
        "--kind",
        "update",
        "--title",
        "x",
        tmp_path / "nope.zip",
    )
    assert result.returncode == 1
    assert "not a readable file" in result.stderr and "nope.zip" in result.stderr
    assert "Uploading" not in result.stdout


def test_bad_arguments_are_explained(release_tool: ReleaseTool, tmp_path: Path) -> None:
    file = tmp_path / "a.zip"
    file.write_bytes(b"x")
    common = ("--version", "1.0", "--title", "x")
    bad_product = release_tool.run("publish", "--product", "../etc", "--kind", "update", *common, file)
    assert bad_product.returncode == 2 and "--product" in bad_product.stderr
    bad_kind = release_tool.run("publish", "--product", "OMFLOW", "--kind", "firmware", *common, file)
    assert bad_kind.returncode == 2 and "invalid choice" in bad_kind.stderr
    bad_day = release_tool.run(
        "publish", "--product", "OMFLOW", "--kind", "update", "--published-on", "31/12/2026", *common, file
    )
    assert bad_day.returncode == 2 and "YYYY-MM-DD" in bad_day.stderr


def test_unreachable_portal_or_missing_account_say_what_to_check(
    release_tool: ReleaseTool, tmp_path: Path
) -> None:
    file = tmp_path / "a.zip"
    file.write_bytes(b"x")
    args = ("publish", "--product", "OMFLOW", "--version", "0.0.1", "--kind", "update", "--title", "x", file)
    no_portal = release_tool.run(*args, env={"RELEASE_PORTAL_URL": "http://127.0.0.1:9"})
    assert no_portal.returncode == 1 and "RELEASE_PORTAL_URL" in no_portal.stderr
    assert "resumes where it stopped" in no_portal.stderr
    nobody = release_tool.run(*args, env={"RELEASE_EMAIL": "", "RELEASE_PASSWORD": ""})
    assert nobody.returncode == 1 and "RELEASE_EMAIL" in nobody.stderr
    wrong = release_tool.run(*args, env={"RELEASE_PASSWORD": "not-the-password"})
    assert wrong.returncode == 1 and "the portal refused" in wrong.stderr


async def test_a_customer_account_cannot_publish(
    release_tool: ReleaseTool, accounts: Accounts, tmp_path: Path
) -> None:
    customer = await accounts.user("customer")
    file = tmp_path / "a.zip"
    file.write_bytes(b"x")
    args = ("publish", "--product", "OMFLOW", "--version", "0.0.2", "--kind", "update", "--title", "x", file)
    result = release_tool.run(
        *args, env={"RELEASE_EMAIL": "", "RELEASE_PASSWORD": "", "RELEASE_TOKEN": customer.token}
    )
    assert result.returncode == 1 and "(403)" in result.stderr and "release" in result.stderr


def test_the_local_stack_is_found_without_settings(
    release_tool: ReleaseTool, stack: dict[str, Any], tmp_path: Path
) -> None:
    """`make run` leaves .run/stack.json: the tool takes the portal's address from it."""
    (tmp_path / ".run").mkdir()
    (tmp_path / ".run" / "stack.json").write_text(json.dumps({"gateway": stack["gateway"]}))
    file = tmp_path / "a.zip"
    file.write_bytes(b"local stack")
    version = f"0.{uuid.uuid4().int % 10_000}.1"
    result = release_tool.run(
        "publish", "--product", "OMFLOW", "--version", version, "--kind", "document", "--title", "x", file,
        env={"RELEASE_PORTAL_URL": ""}, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "announced" in result.stdout


def test_release_id_is_stable_per_product_version_kind() -> None:
    assert release_id_of("OMFLOW", "5.2.1", "update") == release_id_of("OMFLOW", "5.2.1", "update")
    assert release_id_of("OMFLOW", "5.2.1", "update") != release_id_of("OMFLOW", "5.2.1", "document")


async def test_a_re_publish_keeps_the_first_date_unless_one_is_given(
    release_tool: ReleaseTool, stack: dict[str, Any], tmp_path: Path
) -> None:
    """Moving a release's date to today would lock it for customers whose coverage lapsed since."""
    file = tmp_path / "omflow-setup.zip"
    file.write_bytes(b"installer")
    version = f"7.{uuid.uuid4().int % 10_000}.0"
    release_id = release_id_of("OMFLOW", version, "product")
    common = ("--product", "OMFLOW", "--version", version, "--kind", "product")
    connection = await asyncpg.connect(database_url(stack, "downloads"))

    async def catalog_shows(title: str, published_on: date) -> None:
        async def probe() -> bool:
            row = await connection.fetchrow(
                "SELECT title, published_on FROM releases WHERE release_id = $1", release_id
            )
            return row is not None and (row["title"], row["published_on"]) == (title, published_on)

        await eventually(probe, timeout=60, what=f"release {title!r} dated {published_on}")

    try:
        release_tool.publish(*common, "--title", "OMFLOW 7", "--published-on", "2025-01-15", file)
        await catalog_shows("OMFLOW 7", date(2025, 1, 15))

        corrected = release_tool.publish(*common, "--title", "OMFLOW 7 (corrected)", file)
        assert "on 2025-01-15: announced" in corrected and "already stored: omflow-setup.zip" in corrected
        await catalog_shows("OMFLOW 7 (corrected)", date(2025, 1, 15))

        release_tool.publish(*common, "--title", "OMFLOW 7 (corrected)", "--published-on", "2025-02-01", file)
        await catalog_shows("OMFLOW 7 (corrected)", date(2025, 2, 1))
        again = release_tool.publish(*common, "--title", "OMFLOW 7 (final)", file)
        assert "2025-02-01" in again
        await catalog_shows("OMFLOW 7 (final)", date(2025, 2, 1))
        unchanged = release_tool.publish(*common, "--title", "OMFLOW 7 (final)", file)
        assert "nothing new announced" in unchanged
    finally:
        await connection.close()


def test_file_names_a_customer_could_not_save_are_refused(release_tool: ReleaseTool, tmp_path: Path) -> None:
    file = tmp_path / "setup?.zip"
    file.write_bytes(b"x")
    result = release_tool.run(
        "publish", "--product", "OMFLOW", "--version", "9.9.8", "--kind", "update", "--title", "x", file
    )
    assert result.returncode == 1
    assert "not a portable file name" in result.stderr and "'setup_.zip'" in result.stderr
    assert "Uploading" not in result.stdout


async def test_an_interrupted_upload_is_resumed_by_the_next_run(
    release_tool: ReleaseTool, team: Team, tmp_path: Path
) -> None:
    """A run that stopped after some parts: the next run sends only the missing ones."""
    product = f"RT{uuid.uuid4().hex[:6].upper()}"
    data = os.urandom(8 * 1024 * 1024 + 100)  # two parts
    file = tmp_path / "installer.bin"
    file.write_bytes(data)
    release = await team.call("POST", "", 201, json=draft(product, "1.0", kind="product"))
    body = {"filename": file.name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    upload = await team.call("POST", f"/{release['release_id']}/uploads", 201, json=body)
    await team.put_parts(release["release_id"], upload, data, [1])

    args = ("--product", product, "--version", "1.0", "--kind", "product", "--title", "resumed")
    output = release_tool.publish(*args, file)
    assert f"resumed and verified: {file.name}" in output and "announced" in output
    state = await team.call("GET", f"/{release['release_id']}/uploads/{upload['upload_id']}", 200)
    assert state["state"] == "verified"
    [artifact] = (await team.call("GET", f"/{release['release_id']}", 200))["artifacts"]
    assert artifact["sha256"] == body["sha256"]


def test_make_run_prints_a_command_for_its_own_stack(tmp_path: Path) -> None:
    """The command `make run` prints: the installed tool, the demo's release-role sign-in, and
    the stack file only when the state dir is not the one the tool finds by itself."""
    default = " ".join(release_command(ROOT / ".run"))
    executable = default.split()[2]
    assert Path(executable).name == "support-release" and Path(executable).exists()
    assert f"RELEASE_EMAIL={ADMIN['email']}" in default and "release" in ADMIN["roles"].split(",")
    assert "--stack" not in default and "publish" in default
    elsewhere = " ".join(release_command(tmp_path))
    assert f"--stack {tmp_path / 'stack.json'}" in elsewhere
