"""Pure parts of the release path: deterministic ids, content types, download file names."""

import uuid
from datetime import date
from pathlib import Path

from services.downloads.release_artifacts import LocalFile
from services.downloads.release_tool import envelope_id_of, release_id_of
from shared.events import Artifact, ReleasePublished
from shared.filenames import attachment_disposition


def _event(title: str = "OMFLOW 5.2.1", sha: str = "a" * 64) -> ReleasePublished:
    return ReleasePublished(
        release_id=release_id_of("OMFLOW", "5.2.1", "update"),
        product="OMFLOW",
        version="5.2.1",
        kind="update",
        title=title,
        published_on=date(2026, 3, 1),
        artifacts=[Artifact(filename="a.zip", object_key="releases/OMFLOW/5.2.1/a.zip", size=1, sha256=sha)],
    )


def test_same_release_content_gives_the_same_envelope_id() -> None:
    assert envelope_id_of(_event()) == envelope_id_of(_event())
    assert isinstance(envelope_id_of(_event()), uuid.UUID)


def test_changed_facts_give_a_new_envelope_id_for_the_same_release() -> None:
    original = _event()
    assert envelope_id_of(_event(title="OMFLOW 5.2.1 (fixed)")) != envelope_id_of(original)
    assert envelope_id_of(_event(sha="b" * 64)) != envelope_id_of(original)
    assert _event(title="other").release_id == original.release_id


def test_compressed_files_are_typed_by_what_is_sent() -> None:
    assert LocalFile(Path("x.tar.gz"), 1, "0" * 64).content_type == "application/gzip"
    assert LocalFile(Path("x.pdf"), 1, "0" * 64).content_type == "application/pdf"
    assert LocalFile(Path("x.weird"), 1, "0" * 64).content_type == "application/octet-stream"


def test_download_names_survive_non_ascii_and_quotes() -> None:
    header = attachment_disposition('OMFLOW 手冊 "v5".pdf')
    assert header.startswith('attachment; filename="OMFLOW __ _v5_.pdf"')
    assert "filename*=UTF-8''OMFLOW%20%E6%89%8B%E5%86%8A%20_v5_.pdf" in header
