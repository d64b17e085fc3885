"""Downloaded file names every common file system keeps as named (pure: no stack)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.filenames import MAX_BYTES, attachment_disposition, is_safe_filename, safe_filename

WINDOWS_FORBIDDEN = set('<>:"/\\|?*')


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("OMF-AYPT-2KJ0-45Y*.lic", "OMF-AYPT-2KJ0-45Y_.lic"),
        ('OMFLOW 手冊 "v5".pdf', "OMFLOW 手冊 _v5_.pdf"),
        ("a/b\\c:d|e?f<g>h.zip", "a_b_c_d_e_f_g_h.zip"),
        ("notes.txt. . ", "notes.txt"),
        ("CON.zip", "_CON.zip"),
        ("lpt1", "_lpt1"),
        ("invoice\u202egpj.exe", "invoice_gpj.exe"),
        ("tab\there\x00.zip", "tab_here_.zip"),
        ("...", "download"),
        ("", "download"),
        ("セットアップ 5.2.1.exe", "セットアップ 5.2.1.exe"),
    ],
)
def test_names_are_made_portable(name: str, safe: str) -> None:
    assert safe_filename(name) == safe
    assert is_safe_filename(safe) and (name == safe or not is_safe_filename(name))


@given(st.text(max_size=400))
def test_any_name_becomes_portable_and_stays_so(name: str) -> None:
    safe = safe_filename(name)
    assert safe and not WINDOWS_FORBIDDEN & set(safe)
    assert all(ord(ch) >= 32 for ch in safe) and not safe.endswith((".", " "))
    assert len(safe.encode()) <= MAX_BYTES
    assert safe_filename(safe) == safe  # idempotent: what we send is what gets saved


def test_long_names_keep_their_extension() -> None:
    safe = safe_filename("手" * 200 + ".tar.gz")
    assert safe.endswith("手.tar.gz") and len(safe.encode()) <= MAX_BYTES


def test_disposition_carries_the_safe_name_in_both_forms() -> None:
    header = attachment_disposition("OMF-AYPT-2KJ0-45Y*.lic")
    assert (
        header == "attachment; filename=\"OMF-AYPT-2KJ0-45Y_.lic\"; filename*=UTF-8''OMF-AYPT-2KJ0-45Y_.lic"
    )
