"""Validation of a license import file, all rows first: nothing is imported unless all are good.

Pure (no database): the service, the CLI and the unit tests share it. Every problem is
reported with its line number, field and reason, so an operator fixes the file in one pass.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.bidi import has_bidi_controls
from shared.dates import RANGE_MESSAGE, in_business_range
from shared.http.text_rules import NUL, NUL_MESSAGE

REQUIRED_COLUMNS = ["product", "edition", "seats", "purchased_on", "warranty_ends"]
OPTIONAL_COLUMNS = ["customer_ref"]
OUTPUT_COLUMNS = ["serial", "registration_number", "product", "edition", "seats", "customer_ref"]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_EDITION = 80
MAX_CUSTOMER_REF = 120
MAX_SEATS = 1_000_000
BIDI_REFUSED = "must not contain text-direction control characters"


@dataclass(frozen=True)
class ImportRow:
    line: int
    product: str
    edition: str
    seats: int
    purchased_on: date
    warranty_ends: date
    customer_ref: str | None


class ImportRejected(ValueError):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} error(s) in the import file")
        self.errors = errors


def _error(line: int, field: str, message: str) -> dict[str, Any]:
    return {"line": line, "field": field, "message": message}


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRejected(
            [_error(line, "encoding", f"not UTF-8 (byte {error.start}); save the file as UTF-8")]
        ) from error


def _parse_date(value: str) -> date | None:
    if not _ISO_DATE.match(value):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if in_business_range(day) else None


def _parse_row(
    line: int, values: dict[str, str], products: set[str], errors: list[dict[str, Any]]
) -> ImportRow | None:
    before = len(errors)
    product = values["product"].strip()
    if product not in products:
        errors.append(
            _error(line, "product", f"unknown product {product!r}; use one of {', '.join(sorted(products))}")
        )
    edition = values["edition"].strip()
    if not edition or len(edition) > MAX_EDITION:
        errors.append(_error(line, "edition", f"must be 1 to {MAX_EDITION} characters"))
    elif has_bidi_controls(edition):
        errors.append(_error(line, "edition", BIDI_REFUSED))
    seats_text = values["seats"].strip()
    seats = int(seats_text) if seats_text.isdigit() and len(seats_text) <= 7 else 0
    if not 1 <= seats <= MAX_SEATS:
        errors.append(_error(line, "seats", f"must be a whole number from 1 to {MAX_SEATS}"))
    purchased_on = _parse_date(values["purchased_on"].strip())
    if purchased_on is None:
        errors.append(_error(line, "purchased_on", f"must be a date as YYYY-MM-DD, {RANGE_MESSAGE}"))
    warranty_ends = _parse_date(values["warranty_ends"].strip())
    if warranty_ends is None:
        errors.append(_error(line, "warranty_ends", f"must be a date as YYYY-MM-DD, {RANGE_MESSAGE}"))
    elif purchased_on is not None and warranty_ends <= purchased_on:
        errors.append(_error(line, "warranty_ends", "must be after purchased_on"))
    customer_ref = (values.get("customer_ref") or "").strip() or None
    if customer_ref is not None and len(customer_ref) > MAX_CUSTOMER_REF:
        errors.append(_error(line, "customer_ref", f"must be at most {MAX_CUSTOMER_REF} characters"))
    elif customer_ref is not None and has_bidi_controls(customer_ref):
        errors.append(_error(line, "customer_ref", BIDI_REFUSED))
    if len(errors) > before:
        return None
    assert purchased_on is not None and warranty_ends is not None
    return ImportRow(line, product, edition, seats, purchased_on, warranty_ends, customer_ref)


def parse_import(data: bytes, products: set[str]) -> list[ImportRow]:
    """Every row of a valid file, or ImportRejected listing every bad one."""
    reader = csv.reader(io.StringIO(_decode(data), newline=""), strict=True)
    errors: list[dict[str, Any]] = []
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise ImportRejected([_error(1, "header", "the file is empty")]) from None
    except csv.Error as error:
        raise ImportRejected([_error(1, "header", f"not CSV: {error}")]) from error
    if header not in (REQUIRED_COLUMNS, REQUIRED_COLUMNS + OPTIONAL_COLUMNS):
        expected = ",".join(REQUIRED_COLUMNS)
        raise ImportRejected(
            [
                _error(
                    1,
                    "header",
                    f"the header must be exactly {expected}[,customer_ref]; found {','.join(header)}",
                )
            ]
        )
    rows: list[ImportRow] = []
    first_line_of_ref: dict[str, int] = {}
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(_error(reader.line_num, "row", f"not valid CSV: {error}"))
            break  # the reader cannot resynchronise after a broken quote
        line = reader.line_num
        if not values or all(not v.strip() for v in values):
            continue  # blank lines carry nothing
        if len(values) != len(header):
            errors.append(_error(line, "row", f"has {len(values)} columns, the header has {len(header)}"))
            continue
        with_nul = [name for name, value in zip(header, values, strict=True) if NUL in value]
        if with_nul:
            errors += [_error(line, name, NUL_MESSAGE) for name in with_nul]
            continue
        row = _parse_row(line, dict(zip(header, values, strict=True)), products, errors)
        if row is None:
            continue
        if row.customer_ref is not None:
            first = first_line_of_ref.setdefault(row.customer_ref, line)
            if first != line:
                errors.append(_error(line, "customer_ref", f"duplicate of line {first}"))
                continue
        rows.append(row)
    if not rows and not errors:
        errors.append(_error(2, "row", "the file has a header but no licenses"))
    if errors:
        raise ImportRejected(errors)
    return rows


def issued_csv(issued: list[dict[str, Any]]) -> str:
    """The one-time export of what was issued: serials with their registration numbers."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=OUTPUT_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(issued)
    return out.getvalue()
