"""Bulk import on the real stack: all rows or none, every error reported, export given once."""

import csv
import io
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.accounts import PortalUser
from tests.kit import ROOT
from tests.licensing.helpers import API, lookup

HEADER = "product,edition,seats,purchased_on,warranty_ends,customer_ref\n"


def _rows(count: int, tag: str) -> str:
    return "".join(f"OMFLOW,Enterprise,{i % 50 + 1},2025-01-01,2026-01-01,{tag}-{i}\n" for i in range(count))


async def _count(gateway: httpx.AsyncClient, staff: PortalUser, ref: str) -> int:
    found = await gateway.get(f"{API}/admin/licenses", params={"q": ref}, headers=staff.headers)
    return len(found.json())


async def test_import_issues_every_row_and_answers_the_numbers_once(
    gateway: httpx.AsyncClient, staff: PortalUser, new_customer: Any
) -> None:
    tag = uuid.uuid4().hex[:8]
    response = await gateway.post(
        f"{API}/admin/licenses/import",
        content=("\ufeff" + HEADER + _rows(300, tag)).encode(),
        headers={**staff.headers, "Content-Type": "text/csv"},
    )
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    issued = list(csv.DictReader(io.StringIO(response.text)))
    assert len(issued) == 300 and len({row["serial"] for row in issued}) == 300
    assert issued[7]["customer_ref"] == f"{tag}-7"
    assert await _count(gateway, staff, f"{tag}-299") == 1
    customer = await new_customer()
    bound = await gateway.post(f"{API}/me/licenses", json=lookup(issued[42]), headers=customer.headers)
    assert bound.status_code == 201 and bound.json()["seats"] == 43


async def test_import_as_multipart_upload(gateway: httpx.AsyncClient, staff: PortalUser) -> None:
    tag = uuid.uuid4().hex[:8]
    response = await gateway.post(
        f"{API}/admin/licenses/import",
        files={"file": ("licenses.csv", (HEADER + _rows(3, tag)).encode(), "text/csv")},
        headers=staff.headers,
    )
    assert response.status_code == 201, response.text
    assert response.headers["x-imported-count"] == "3"


async def test_any_bad_row_imports_nothing_and_every_error_is_listed(
    gateway: httpx.AsyncClient, staff: PortalUser
) -> None:
    tag = uuid.uuid4().hex[:8]
    body = (
        HEADER
        + _rows(5, tag)
        + f"NOTEPAD,E,1,2025-01-01,2026-01-01,{tag}-x1\n"
        + f"OMFLOW,E,1,2025-13-01,2026-01-01,{tag}-x2\n"
        + f"OMFLOW,E,1,2025-01-01,2026-01-01,{tag}-0\n"
    )
    response = await gateway.post(
        f"{API}/admin/licenses/import",
        content=body.encode(),
        headers={**staff.headers, "Content-Type": "text/csv"},
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"] == "/problems/import-invalid"
    assert [(e["line"], e["field"]) for e in problem["errors"]] == [
        (7, "product"),
        (8, "purchased_on"),
        (9, "customer_ref"),
    ]
    assert "line 2" in problem["errors"][2]["message"]
    assert await _count(gateway, staff, f"{tag}-0") == 0  # the good rows were not imported either


async def test_bad_encoding_and_bad_header_are_refused(gateway: httpx.AsyncClient, staff: PortalUser) -> None:
    headers = {**staff.headers, "Content-Type": "text/csv"}
    big5 = (HEADER + "OMFLOW,企業版,1,2025-01-01,2026-01-01,b5\n").encode("big5")
    encoding = await gateway.post(f"{API}/admin/licenses/import", content=big5, headers=headers)
    assert encoding.status_code == 422 and encoding.json()["errors"][0]["field"] == "encoding"
    assert encoding.json()["errors"][0]["line"] == 2
    for header in (
        "product,edition,seats,purchased_on\n",
        "serial,product,edition,seats,purchased_on,warranty_ends\n",
    ):
        response = await gateway.post(
            f"{API}/admin/licenses/import",
            content=(header + "OMFLOW,E,1,2025-01-01\n").encode(),
            headers=headers,
        )
        assert response.status_code == 422 and response.json()["errors"][0] == {
            "line": 1,
            "field": "header",
            "message": response.json()["errors"][0]["message"],
        }
    wrong_type = await gateway.post(
        f"{API}/admin/licenses/import",
        content=b"{}",
        headers={**staff.headers, "Content-Type": "application/json"},
    )
    assert wrong_type.status_code == 415


async def test_oversize_import_is_refused_without_reading_it_all(
    licensing_url: str, staff: PortalUser
) -> None:
    body = HEADER.encode() + b"OMFLOW,Enterprise,1,2025-01-01,2026-01-01,\n" * (21 * 1024 * 1024 // 43)
    async with httpx.AsyncClient(base_url=licensing_url, timeout=60) as direct:
        response = await direct.post(
            "/admin/licenses/import",
            content=body,
            headers={**staff.headers, "Content-Type": "text/csv"},
        )
    assert response.status_code == 413, response.text
    assert response.json()["type"] == "/problems/import-too-large"


async def test_customers_cannot_import(gateway: httpx.AsyncClient, new_customer: Any) -> None:
    customer = await new_customer()
    response = await gateway.post(
        f"{API}/admin/licenses/import",
        content=(HEADER + _rows(1, "x")).encode(),
        headers={**customer.headers, "Content-Type": "text/csv"},
    )
    assert response.status_code == 403


def _cli(stack: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **stack["services"]["licensing"]["env"], "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "services.licensing.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_cli_import_writes_the_export_once_with_mode_0600(
    stack: dict[str, Any], gateway: httpx.AsyncClient, staff: PortalUser, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    source = tmp_path / "licenses.csv"
    source.write_text(HEADER + _rows(20, tag), encoding="utf-8")
    done = _cli(stack, "licenses", "import", str(source))
    assert done.returncode == 0, done.stderr
    output = tmp_path / "licenses.csv.issued.csv"
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert len(list(csv.DictReader(output.open()))) == 20
    assert await _count(gateway, staff, f"{tag}-19") == 1
    # Running again would overwrite the only copy of the numbers: refused, nothing imported.
    again = _cli(stack, "licenses", "import", str(source))
    assert again.returncode == 2 and "already exists" in again.stderr

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + f"OMFLOW,E,0,2025-01-01,2026-01-01,{tag}-bad\n", encoding="utf-8")
    refused = _cli(stack, "licenses", "import", str(bad))
    assert refused.returncode == 1 and "line 2: seats" in refused.stderr
    assert not (tmp_path / "bad.csv.issued.csv").exists()
    assert "import licenses from a CSV file" in _cli(stack, "licenses", "--help").stdout
