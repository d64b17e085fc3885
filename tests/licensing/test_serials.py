"""Serial check symbols and registration-number hashing (pure: no stack)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.licensing.serials import (
    ALPHABET,
    MalformedSerial,
    new_registration_number,
    new_serial,
    normalise_registration_number,
    parse_serial,
    registration_hash,
    same_hash,
)

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


@given(st.data())
def test_any_single_symbol_typo_is_caught(data: st.DataObject) -> None:
    serial = new_serial("OMF")
    body_positions = [i for i, ch in enumerate(serial) if i > 3 and ch != "-"]
    position = data.draw(st.sampled_from(body_positions[:-1]))  # a body symbol, not the check
    replacement = data.draw(st.sampled_from([s for s in ALPHABET if s != serial[position]]))
    typo = serial[:position] + replacement + serial[position + 1 :]
    with pytest.raises(MalformedSerial):
        parse_serial(typo, PREFIXES)


def test_adjacent_transposition_is_caught() -> None:
    caught = 0
    for _ in range(200):
        serial = new_serial("OMF")
        compact = serial.replace("-", "")
        i = 3 + 4  # swap two body symbols
        if compact[i] == compact[i + 1]:
            continue
        swapped = compact[:i] + compact[i + 1] + compact[i] + compact[i + 2 :]
        with pytest.raises(MalformedSerial):
            parse_serial(swapped, PREFIXES)
        caught += 1
    assert caught > 150


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
