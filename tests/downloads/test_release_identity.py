"""Pure parts of the release path: deterministic ids, part sizes, content types, download file names."""

import uuid
from pathlib import Path

from services.downloads.multipart import MAX_OBJECT_SIZE, MAX_PARTS, MiB, part_count, part_size_for
from services.downloads.release_artifacts import LocalFile
from services.downloads.release_ids import release_id_of
from shared.filenames import attachment_disposition


def test_release_ids_are_the_same_for_every_client() -> None:
    """The id earlier tool versions computed: the service finds those releases again."""
    assert release_id_of("OMFLOW", "5.2.1", "update") == uuid.uuid5(
        uuid.UUID("6f1c1f3e-3b7e-5d2a-9a57-1f0b8f6d2c41"), "OMFLOW:5.2.1:update"
    )
    assert release_id_of("OMFLOW", "5.2.1", "update") != release_id_of("OMFLOW", "5.2.1", "document")


def test_part_sizes_fit_any_file_in_ten_thousand_parts() -> None:
    assert part_size_for(1) == 8 * MiB and part_count(1, part_size_for(1)) == 1
    assert part_count(8 * MiB + 1, part_size_for(8 * MiB + 1)) == 2
    for size in (100 * MiB, 1024 * MiB, 200 * 1024 * MiB, MAX_OBJECT_SIZE):
        size_of_part = part_size_for(size)
        assert size_of_part % MiB == 0 and size_of_part >= 8 * MiB
        assert part_count(size, size_of_part) <= MAX_PARTS


def test_compressed_files_are_typed_by_what_is_sent() -> None:
    assert LocalFile(Path("x.tar.gz"), 1, "0" * 64).content_type == "application/gzip"
    assert LocalFile(Path("x.pdf"), 1, "0" * 64).content_type == "application/pdf"
    assert LocalFile(Path("x.weird"), 1, "0" * 64).content_type == "application/octet-stream"


def test_download_names_survive_non_ascii_and_quotes() -> None:
    header = attachment_disposition('OMFLOW 手冊 "v5".pdf')
    assert header.startswith('attachment; filename="OMFLOW __ _v5_.pdf"')
    assert "filename*=UTF-8''OMFLOW%20%E6%89%8B%E5%86%8A%20_v5_.pdf" in header
