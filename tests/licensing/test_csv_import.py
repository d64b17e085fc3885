"""Validation of the bulk-import file (pure: no stack)."""

import pytest
from pydantic import ValidationError

from services.licensing.csv_import import ImportRejected, parse_import
from services.licensing.schemas import LicenseIssue

PRODUCTS = {"OMFLOW", "OMFLOW-ITSM", "OMCLOUD"}
HEADER = "product,edition,seats,purchased_on,warranty_ends,customer_ref\n"


def _errors(data: bytes) -> list[dict]:
    with pytest.raises(ImportRejected) as rejected:
        parse_import(data, PRODUCTS)
    return rejected.value.errors


def test_valid_file_with_bom_and_crlf() -> None:
    data = (
        "\ufeff"
        + HEADER
        + "OMFLOW,Enterprise,10,2025-01-01,2026-01-01,C-1\r\nOMCLOUD,Std,1,2025-02-01,2025-03-01,\r\n"
    ).encode()
    rows = parse_import(data, PRODUCTS)
    assert [(r.line, r.product, r.seats, r.customer_ref) for r in rows] == [
        (2, "OMFLOW", 10, "C-1"),
        (3, "OMCLOUD", 1, None),
    ]


def test_header_without_customer_ref_is_fine() -> None:
    data = b"product,edition,seats,purchased_on,warranty_ends\nOMFLOW,E,1,2025-01-01,2025-06-01\n"
    assert len(parse_import(data, PRODUCTS)) == 1


def test_every_bad_row_is_reported_with_line_and_field() -> None:
    data = (
        HEADER
        + "OMFLOW,E,1,2025-01-01,2026-01-01,A\n"
        + "NOPE,E,1,2025-01-01,2026-01-01,B\n"
        + "OMFLOW,E,0,2025-01-01,2026-01-01,C\n"
        + "OMFLOW,E,1,01/02/2025,2026-01-01,D\n"
        + "OMFLOW,E,1,2025-01-01,2024-01-01,E\n"
        + "OMFLOW,E,1,2025-01-01,2026-01-01,A\n"
        + "OMFLOW,E,1\n"
    ).encode()
    found = {(e["line"], e["field"]) for e in _errors(data)}
    assert found == {
        (3, "product"),
        (4, "seats"),
        (5, "purchased_on"),
        (6, "warranty_ends"),
        (7, "customer_ref"),
        (8, "row"),
    }


def test_bad_encoding_names_the_line() -> None:
    data = (
        HEADER + "OMFLOW,E,1,2025-01-01,2026-01-01,A\n"
    ).encode() + "OMFLOW,版本,1,2025-01-01,2026-01-01,B\n".encode("big5")
    [error] = _errors(data)
    assert error["field"] == "encoding" and error["line"] == 3


@pytest.mark.parametrize(
    "header",
    [
        "product,edition,seats,purchased_on\n",
        "Product,Edition,Seats,Purchased_On,Warranty_Ends\n",
        "serial,product\n",
        "",
    ],
)
def test_header_must_be_exact(header: str) -> None:
    [error] = _errors((header + "OMFLOW,E,1,2025-01-01,2026-01-01\n").encode() if header else b"")
    assert error["field"] == "header" and error["line"] == 1


def test_header_only_is_refused() -> None:
    assert _errors(HEADER.encode())[0]["field"] == "row"


def test_nul_characters_and_dates_off_the_calendar_are_reported_not_stored() -> None:
    data = (
        HEADER
        + "OMFLOW,Enter\x00prise,1,2025-01-01,2026-01-01,A\x00\n"
        + "OMFLOW,E,1,2025-01-01,9999-12-31,B\n"
        + "OMFLOW,E,1,1900-01-01,2026-01-01,C\n"
    ).encode()
    found = {(e["line"], e["field"]): e["message"] for e in _errors(data)}
    assert set(found) == {(2, "edition"), (2, "customer_ref"), (3, "warranty_ends"), (4, "purchased_on")}
    assert "NUL" in found[(2, "edition")] and "2099-12-31" in found[(3, "warranty_ends")]


def test_text_direction_controls_are_refused_in_edition_and_customer_ref() -> None:
    # U+202E shows the rest of the text reversed: "Std\u202etxt.exe" reads "Stdexe.txt".
    data = (
        HEADER
        + "OMFLOW,Std\u202etxt.exe,1,2025-01-01,2026-01-01,A\nOMFLOW,E,1,2025-01-01,2026-01-01,B\u2066C\n"
    ).encode()
    assert {(e["line"], e["field"]) for e in _errors(data)} == {(2, "edition"), (3, "customer_ref")}


@pytest.mark.parametrize("field", ["edition", "customer_ref"])
def test_single_issuance_refuses_text_direction_controls(field: str) -> None:
    body = {"product": "OMFLOW", "edition": "Std", "seats": 1, "purchased_on": "2025-01-01"}
    body |= {"warranty_ends": "2026-01-01", field: "Std\u202etxt.exe"}
    with pytest.raises(ValidationError) as refused:
        LicenseIssue.model_validate(body)
    assert [error["loc"] for error in refused.value.errors()] == [(field,)]
