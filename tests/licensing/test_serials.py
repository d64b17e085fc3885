"""Serial check symbols and registration-number hashing (pure: no stack)."""

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from services.licensing.serials import (
    ALPHABET,
    SERIAL_BODY,
    MalformedSerial,
    format_serial,
    new_registration_number,
    new_serial,
    normalise_registration_number,
    parse_serial,
    registration_hash,
    same_hash,
)
from shared.filenames import is_safe_filename

PREFIXES = frozenset({"OMF", "OMI", "OMC"})


def test_new_serial_is_grouped_and_valid() -> None:
    serial = new_serial("OMF")
    groups = serial.split("-")
    assert groups[0] == "OMF" and [len(g) for g in groups[1:]] == [4, 4, 4]
    assert parse_serial(serial, PREFIXES) == ("OMF", serial)


def test_lookup_input_is_normalised() -> None:
    serial = new_serial("OMC")
    sloppy = " " + serial.lower().replace("-", " ") + " "
    assert parse_serial(sloppy, PREFIXES)[1] == serial
    assert parse_serial(serial.replace("-", ""), PREFIXES)[1] == serial


BODIES = st.text(alphabet=ALPHABET, min_size=SERIAL_BODY, max_size=SERIAL_BODY)
SERIALS = BODIES.map(lambda body: format_serial("OMF", body))


@given(SERIALS)
@example(format_serial("OMF", "AYPT2KJ045Y"))  # once ended in `*`, saved by Chromium as `…_.lic`
def test_every_symbol_of_a_serial_is_a_letter_or_digit_of_the_alphabet(serial: str) -> None:
    groups = serial.split("-")
    assert groups[0] == "OMF" and [len(g) for g in groups[1:]] == [4, 4, 4]
    assert set("".join(groups[1:])) <= set(ALPHABET)
    assert is_safe_filename(f"{serial}.lic")
    assert parse_serial(serial, PREFIXES) == ("OMF", serial)


@given(SERIALS, st.data())
def test_any_single_symbol_typo_is_caught(serial: str, data: st.DataObject) -> None:
    positions = [i for i, ch in enumerate(serial) if i > 3 and ch != "-"]  # the check symbol too
    position = data.draw(st.sampled_from(positions))
    replacement = data.draw(st.sampled_from([s for s in ALPHABET if s != serial[position]]))
    typo = serial[:position] + replacement + serial[position + 1 :]
    with pytest.raises(MalformedSerial):
        parse_serial(typo, PREFIXES)


@given(SERIALS, st.integers(min_value=0, max_value=SERIAL_BODY - 1))
def test_any_adjacent_transposition_is_caught(serial: str, i: int) -> None:
    symbols = serial.replace("-", "")[3:]  # eleven body symbols and the check symbol
    assume(symbols[i] != symbols[i + 1])
    swapped = symbols[:i] + symbols[i + 1] + symbols[i] + symbols[i + 2 :]
    with pytest.raises(MalformedSerial):
        parse_serial("OMF" + swapped, PREFIXES)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "OMF",
        "XYZ-1234-5678-9ABC",
        "OMF-1234-5678-9AB",
        "OMF-1234-5678-9ABCD",
        "OMF-12U4-5678-9ABC",
        "OMF-####",
    ],
)
def test_malformed_serials_are_refused(text: str) -> None:
    with pytest.raises(MalformedSerial):
        parse_serial(text, PREFIXES)


def test_registration_number_is_random_grouped_and_hashed_with_a_key() -> None:
    number = new_registration_number()
    assert [len(g) for g in number.split("-")] == [5, 5, 5, 5]
    assert new_registration_number() != number
    digest = registration_hash(b"pepper-one", number)
    assert len(digest) == 64
    assert same_hash(digest, registration_hash(b"pepper-one", number.lower().replace("-", " ")))
    assert not same_hash(digest, registration_hash(b"pepper-two", number))  # keyed, not a plain hash


def test_confusable_symbols_are_normalised() -> None:
    assert normalise_registration_number("o0-il1") == "00111"
