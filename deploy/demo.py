"""`python -m deploy.demo`: demo data for a running stack, then where to click.

Creates (once; a second run reuses what it made, kept in `<state>/demo.json`):
- an administrator with every staff role;
- a verified customer (zh-TW) with an OMFLOW license whose warranty ended last month and a
  maintenance contract that picks up the day after (the back-pay rule), both bound;
- a second verified customer (en) whose license lapsed, to show what is refused and why;
- a published product release and an update, uploaded with the release tool as the administrator;
- support cases for the desk: one taken and answered, one waiting in the queue, one opened by mail;
- a services partner in Taiwan for the desk's partner suggestions.
"""

import argparse
import asyncio
import json
import smtplib
import sys
import time
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx

from deploy.portal_client import Portal, create_user, expect, publish_release, release_env
from shared import clock

ROOT = Path(__file__).resolve().parent.parent

ADMIN = {"email": "admin@example.com", "password": "Blue-Harbor-7391", "name": "Demo Admin",
         "roles": "admin,support,security,release", "locale": "en"}  # fmt: skip
CUSTOMER = {"email": "customer@example.com", "password": "Green-Valley-4826", "name": "王小明",
            "roles": "customer", "locale": "zh-TW"}  # fmt: skip
LAPSED = {"email": "lapsed@example.com", "password": "Red-Canyon-5173", "name": "Lee Lapsed",
          "roles": "customer", "locale": "en"}  # fmt: skip


def step(message: str) -> None:
    print(f"[demo] {message}", flush=True)


async def bind_when_verified(
    portal: Portal, kind: str, serial: str, number: str, deadline: float = 60
) -> None:
    """Licensing learns of verification from an event: retry the bind until it has."""
    bind = portal.bind_license if kind == "license" else portal.bind_contract
    give_up = time.monotonic() + deadline
    while True:
        response = await bind(serial, number)
        if response.status_code in (200, 201):
            return
        if response.status_code != 403 or time.monotonic() > give_up:
            expect(response, 200, 201)
        await asyncio.sleep(0.5)


async def seed(stack: dict[str, Any], state: Path) -> dict[str, Any]:
    record_path = state / "demo.json"
    record: dict[str, Any] = json.loads(record_path.read_text()) if record_path.exists() else {}
    identity_env = stack["services"]["identity"]["env"]
    gateway = stack["gateway"]["url"]
    today = clock.today()

    for person in (ADMIN, CUSTOMER, LAPSED):
        step(f"account {person['email']} ({person['roles']})")
        create_user(identity_env, email=person["email"], password=person["password"], name=person["name"],
                    roles=person["roles"], locale=person["locale"])  # fmt: skip

    async with Portal(gateway) as anonymous:
        admin = anonymous.signed_in(await anonymous.login(ADMIN["email"], ADMIN["password"]))
        customer = anonymous.signed_in(await anonymous.login(CUSTOMER["email"], CUSTOMER["password"]))
        lapsed = anonymous.signed_in(await anonymous.login(LAPSED["email"], LAPSED["password"]))

        if "license" not in record:
            step("issuing an OMFLOW license (warranty ended 30 days ago) and a contract that closes the gap")
            warranty_ends = today - timedelta(days=30)
            license_ = await admin.issue_license(product="OMFLOW", edition="Enterprise", seats=50,
                                                 purchased_on=warranty_ends - timedelta(days=365),
                                                 warranty_ends=warranty_ends)  # fmt: skip
            contract = await admin.issue_contract(license_["serial"], starts_on=warranty_ends + timedelta(days=1),
                                                  ends_on=warranty_ends + timedelta(days=366))  # fmt: skip
            record["license"] = {"serial": license_["serial"], "registration_number": license_["registration_number"],
                                 "contract_registration_number": contract["registration_number"]}  # fmt: skip
            step("issuing a second, lapsed OMFLOW license")
            old = await admin.issue_license(product="OMFLOW", edition="Standard", seats=5,
                                            purchased_on=today - timedelta(days=800),
                                            warranty_ends=today - timedelta(days=435))  # fmt: skip
            record["lapsed_license"] = {
                "serial": old["serial"],
                "registration_number": old["registration_number"],
            }
            record["unbound_license"] = await _spare_license(admin, today)
            record_path.write_text(json.dumps(record, indent=2))
            record_path.chmod(0o600)

        step("binding the license and contract to the customer, the lapsed license to the other")
        lic = record["license"]
        await bind_when_verified(customer, "license", lic["serial"], lic["registration_number"])
        await bind_when_verified(customer, "contract", lic["serial"], lic["contract_registration_number"])
        old = record["lapsed_license"]
        await bind_when_verified(lapsed, "license", old["serial"], old["registration_number"])
        if "partner" not in record:
            step("adding a services partner in Taiwan, for the desk to suggest on out-of-scope questions")
            partner = await admin.add_partner(name="遠景資訊顧問 Vista IT Consulting", region="TW",
                                              contact="+886 2 2345 6789 · services@vista-it.example",
                                              products=["OMFLOW", "OMFLOW-ITSM"])  # fmt: skip
            record["partner"] = partner["id"]
            record_path.write_text(json.dumps(record, indent=2))
        if "cases" not in record:
            step("opening two cases as the customer, one taken and answered by the administrator")
            record["cases"] = await _demo_cases(admin, customer, lic["serial"])
            record_path.write_text(json.dumps(record, indent=2))
        for portal in (admin, customer, lapsed):
            await portal.http.aclose()

    if "mailed_case" not in record and (stack.get("mailbox") or {}).get("running"):
        step(f"mailing a question to {stack['mailbox']['support_address']}: the desk opens a case from it")
        _mail_support(stack["mailbox"])
        record["mailed_case"] = True
        record_path.write_text(json.dumps(record, indent=2))

    if "releases" not in record:
        files = state / "demo-files"
        files.mkdir(exist_ok=True)
        installer = files / "omflow-5.2.0-linux-x64.tar.gz"
        installer.write_bytes(b"OMFLOW 5.2.0 installer (demo bytes)\n" * 20000)
        update = files / "omflow-5.2.1-update.zip"
        update.write_bytes(b"OMFLOW 5.2.1 cumulative update (demo bytes)\n" * 5000)
        guide = files / "omflow-5.2-admin-guide.pdf"
        guide.write_bytes(b"%PDF-1.4 demo admin guide\n" * 1000)
        step("publishing OMFLOW 5.2.0, the 5.2.1 update and the 5.2 admin guide with support-release")
        team = release_env(stack, email=ADMIN["email"], password=ADMIN["password"])
        publish_release(stack, product="OMFLOW", version="5.2.0", kind="product", title="OMFLOW 5.2.0",
                        files=[installer], notes="New workflow designer, faster forms.", env=team)  # fmt: skip
        publish_release(stack, product="OMFLOW", version="5.2.1", kind="update", title="OMFLOW 5.2.1 update",
                        files=[update], notes="Security fixes; recommended for every 5.2 installation.",
                        env=team)  # fmt: skip
        publish_release(stack, product="OMFLOW", version="5.2", kind="document", title="OMFLOW 5.2 admin guide",
                        files=[guide], env=team)  # fmt: skip
        record["releases"] = ["5.2.0", "5.2.1", "5.2 guide"]
        record_path.write_text(json.dumps(record, indent=2))

    if "downloaded" not in record:
        step("downloading the 5.2.1 update as the customer, for the product team's download numbers")
        async with (
            Portal(gateway) as anonymous,
            anonymous.signed_in(await anonymous.login(CUSTOMER["email"], CUSTOMER["password"])) as customer,
        ):
            await download_when_listed(customer, "5.2.1", "omflow-5.2.1-update.zip")
        record["downloaded"] = True
        record_path.write_text(json.dumps(record, indent=2))
    return record


async def download_when_listed(portal: Portal, version: str, filename: str, deadline: float = 60) -> None:
    """The catalog learns of a release from an event: wait for it, then fetch the file the way a
    browser does (the signed link straight from the file store)."""
    give_up = time.monotonic() + deadline
    while not (found := [r for r in await portal.releases(product="OMFLOW") if r["version"] == version]):
        if time.monotonic() > give_up:
            sys.exit(f"[demo] OMFLOW {version} did not reach the catalog in {deadline:.0f} s")
        await asyncio.sleep(0.5)
    grant = expect(await portal.artifact_grant(found[0]["release_id"], filename), 200)
    async with httpx.AsyncClient(timeout=60) as outside:
        expect(await outside.get(grant["url"]), 200)


async def open_when_covered(portal: Portal, body: dict[str, Any], deadline: float = 60) -> dict[str, Any]:
    """Cases learns of the binding from an event: retry while it still answers "not covered"."""
    give_up = time.monotonic() + deadline
    while True:
        response = await portal.open_case(body)
        if (
            response.status_code == 201
            or response.status_code not in (403, 409)
            or time.monotonic() > give_up
        ):
            return expect(response, 201)
        await asyncio.sleep(0.5)


async def _demo_cases(admin: Portal, customer: Portal, serial: str) -> list[str]:
    """Something for the support desk to show: one case in progress, one waiting in the queue."""
    license_id = next(lic["id"] for lic in await customer.my_licenses() if lic["serial"] == serial)
    taken = await open_when_covered(customer, {
        "license_id": license_id, "category": "bug", "severity": "high", "product_version": "5.2.1",
        "environment": {"os": "RHEL 9"}, "subject": "升級到 5.2.1 後，流程設計器儲存時逾時",
        "description": "升級後在流程設計器按「儲存」約 30 秒後出現逾時訊息，engine.log 有 timeout 紀錄。",
    })  # fmt: skip
    waiting = await open_when_covered(customer, {
        "license_id": license_id, "category": "feature_question", "product_version": "5.2.0",
        "subject": "表單可以設定必填欄位的條件嗎？",
        "description": "想在某個選項被勾選時，才讓另一個欄位變成必填。5.2 可以做到嗎？",
    })  # fmt: skip
    me = await admin.me()
    await admin.assign_case(taken["id"], me["id"])
    await admin.reply(taken["id"], "您好，已收到。請附上 engine.log 與流程定義匯出檔，我們會盡快重現問題。")
    return [taken["number"], waiting["number"]]


def _mail_support(mailbox: dict[str, Any]) -> None:
    """A customer's question by plain mail, the way most of them arrive."""
    message = EmailMessage()
    message["From"] = f"{CUSTOMER['name']} <{CUSTOMER['email']}>"
    message["To"] = mailbox["support_address"]
    message["Subject"] = "5.2.1 更新檔下載後無法解壓縮"
    message.set_content(
        "您好，從客戶支援網下載的 omflow-5.2.1-update.zip 解壓縮時出現錯誤，請協助確認。\n\n王小明"
    )
    with smtplib.SMTP(mailbox["smtp_host"], mailbox["smtp_port"], timeout=30) as smtp:
        smtp.send_message(message)


async def _spare_license(admin: Portal, today: date) -> dict[str, str]:
    """A license nobody bound yet, so the +Add License flow can be tried in the portal."""
    spare = await admin.issue_license(product="OMFLOW-ITSM", edition="Professional", seats=10,
                                      purchased_on=today - timedelta(days=10),
                                      warranty_ends=today + timedelta(days=355))  # fmt: skip
    return {"serial": spare["serial"], "registration_number": spare["registration_number"]}


def _mailbox_line(stack: dict[str, Any]) -> list[str]:
    mailbox = stack.get("mailbox") or {}
    if not mailbox.get("running"):
        return []
    return [
        f"  Support mailbox SMTP {mailbox['smtp_host']}:{mailbox['smtp_port']}  "
        f"(mail {mailbox['support_address']} from {CUSTOMER['email']} to open a case)"
    ]


def where_to_click(stack: dict[str, Any], record: dict[str, Any], state: Path) -> str:
    gateway = stack["gateway"]["url"]
    spare = record["unbound_license"]
    lines = [
        "",
        "Support Portal is running.",
        f"  Portal          {gateway}/",
        f"  Mail inbox      {stack['mailpit']['http_url']}/   (every mail the system sends lands here)",
        f"  MinIO console   {stack['minio']['console_url']}  (user {stack['minio']['access_key']})",
        *_mailbox_line(stack),
        "  API docs        " + "  ".join(f"{gateway}/api/{name}/docs" for name in stack["services"]),
        "",
        "Sign in with:",
        f"  customer (zh-TW, covered)  {CUSTOMER['email']} / {CUSTOMER['password']}",
        f"  customer (en, lapsed)      {LAPSED['email']} / {LAPSED['password']}",
        f"  administrator              {ADMIN['email']} / {ADMIN['password']}",
        "",
        "Try: Personal File / Product Licenses → +Add License with",
        f"  License Serial Number {spare['serial']}   Authorized Registration Number {spare['registration_number']}",
        "",
        "Publish a release from the shell (the product team's tool, signed in as the administrator):",
        *release_command(state),
        "Stop everything with `make stop`.",
    ]
    return "\n".join(lines)


def release_command(state: Path) -> list[str]:
    """A ready-to-paste `support-release publish` for this stack. The tool finds `.run/stack.json`
    by itself; another state dir is named with --stack."""
    stack_flag = "" if state.resolve() == (ROOT / ".run").resolve() else f" --stack {state / 'stack.json'}"
    sample = state / "demo-files" / "omflow-5.2.1-update.zip"
    return [
        f"  RELEASE_EMAIL={ADMIN['email']} RELEASE_PASSWORD={ADMIN['password']} "
        f"{ROOT / '.venv' / 'bin' / 'support-release'} publish{stack_flag} \\",
        f'    --product OMFLOW --version 5.2.2 --kind update --title "OMFLOW 5.2.2" {sample}',
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--state", default=str(ROOT / ".run"), help="state dir of the running stack (default .run)"
    )
    args = parser.parse_args(argv)
    state = Path(args.state)
    stack_file = state / "stack.json"
    if not stack_file.exists():
        sys.exit(f"no stack at {state}: start it first with `make run` (or python -m deploy.local up)")
    stack = json.loads(stack_file.read_text())
    try:
        record = asyncio.run(seed(stack, state))
    except Exception as error:
        sys.exit(
            f"[demo] failed: {error}\n  Check the services: python -m deploy.local status --state {state}"
        )
    print(where_to_click(stack, record, state))


if __name__ == "__main__":
    main()
