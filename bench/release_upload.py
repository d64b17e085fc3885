"""Release upload benchmark (prints numbers, asserts nothing).

A file of SIZE MiB goes into a release draft the way `support-release` and the Releases screen
send it: the release API opens a multipart upload, the client PUTs the parts (4 at a time) to
presigned URLs straight to MinIO, then asks the service to complete it, which reads the object
back once to check its SHA-256. Beside each round the same file goes to MinIO with the minio
client (`fput_object`, its own multipart with 3 parallel parts): the baseline. The ratio says
what the presigned path, its API calls and the server-side checksum cost on top of MinIO.

    .venv/bin/python bench/release_upload.py --state .run [--size-mb 256] [--rounds 3]

The stack must be running (identity, downloads and the gateway at least). The drafts stay
(unpublished, so no customer sees them); the baseline objects are removed.
"""

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from minio import Minio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rows import Row, emit  # noqa: E402 - the repository root must be importable first
from deploy.portal_client import release_env  # noqa: E402
from services.downloads.release_artifacts import hash_file  # noqa: E402
from services.downloads.release_client import Credentials, ReleaseApi  # noqa: E402

MIB = 1024 * 1024


def speed(size_mb: float, seconds: list[float]) -> str:
    rates = [size_mb / s for s in seconds]
    return f"best {max(rates):7.1f}  median {sorted(rates)[len(rates) // 2]:7.1f} MiB/s"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    default_state = Path(os.environ.get("SP_TEST_STATE", ROOT / ".run" / "test"))
    parser.add_argument("--state", type=Path, default=default_state, help="deploy.local state dir")
    parser.add_argument("--size-mb", type=int, default=256, help="file size")
    parser.add_argument("--rounds", type=int, default=3, help="uploads of each kind")
    args = parser.parse_args()
    stack = json.loads((args.state / "stack.json").read_text())
    env = release_env(stack)
    api = ReleaseApi(stack["gateway"]["url"], Credentials(env["RELEASE_EMAIL"], env["RELEASE_PASSWORD"]))
    minio = stack["minio"]
    direct = Minio(
        minio["endpoint"], minio["access_key"], minio["secret_key"], secure=False, region="us-east-1"
    )
    product = f"BENCH{uuid.uuid4().hex[:6].upper()}"

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench-installer.bin"
        with path.open("wb") as out:
            for _ in range(args.size_mb):
                out.write(os.urandom(MIB))
        started = time.perf_counter()
        file = hash_file(path)
        hashing = time.perf_counter() - started
        print(
            f"{args.rounds} rounds of {args.size_mb} MiB ({file.size} bytes); client SHA-256 {hashing:.2f} s"
        )
        presigned, parts_only, completes, puts = [], [], [], []
        try:
            for number in range(1, args.rounds + 1):
                release = api.create(product=product, version=f"{number}.0", kind="product", title="bench")
                begun = time.perf_counter()
                upload = api.start_upload(release["release_id"], file)
                urls = list(
                    api.part_urls(
                        release["release_id"], upload["upload_id"], list(range(1, upload["part_count"] + 1))
                    )
                )
                size = upload["part_size"]

                def send(item: tuple[int, str], size: int = size) -> None:
                    offset = (item[0] - 1) * size
                    api.put_part(item[1], path, offset, min(size, file.size - offset))

                with ThreadPoolExecutor(max_workers=4) as pool:
                    list(pool.map(send, urls))
                sent = time.perf_counter()
                api.complete(release["release_id"], upload["upload_id"])
                done = time.perf_counter()
                key = f"bench/release-{uuid.uuid4().hex}"
                direct.fput_object(minio["bucket"], key, str(path))
                put = time.perf_counter() - done
                direct.remove_object(minio["bucket"], key)
                presigned.append(done - begun)
                parts_only.append(sent - begun)
                completes.append(done - sent)
                puts.append(put)
                print(
                    f"  round {number}: {upload['part_count']} parts of {size // MIB} MiB: start + URLs + PUTs "
                    f"{1000 * (sent - begun):.0f} ms, complete + SHA-256 check {1000 * (done - sent):.0f} ms"
                    f"  | direct fput_object {1000 * put:.0f} ms"
                )
        finally:
            api.close()

    size_mb = float(args.size_mb)
    print(f"presigned multipart, parts only             {speed(size_mb, parts_only)}")
    print(f"presigned multipart, verified (whole path)  {speed(size_mb, presigned)}")
    print(f"direct MinIO fput_object (baseline)         {speed(size_mb, puts)}")
    print(f"ratio parts only / direct (best)            {min(puts) / min(parts_only):.3f}")
    print(f"ratio verified path / direct (best)         {min(puts) / min(presigned):.3f}")
    emit(
        Row(
            benchmark=f"release upload of {args.size_mb} MiB, presigned multipart parts (best of {args.rounds})",
            figure=f"{size_mb / min(parts_only):,.1f} MiB/s (with completion + SHA-256 check: "
            f"{size_mb / min(presigned):,.1f})",
            baseline=f"direct MinIO fput_object: {size_mb / min(puts):,.1f} MiB/s",
            ratio=round(min(puts) / min(parts_only), 3),
            target="parts ≥ 0.8× direct MinIO",
            met=min(puts) / min(parts_only) >= 0.8,
        )
    )


if __name__ == "__main__":
    main()
