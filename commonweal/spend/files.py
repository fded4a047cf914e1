"""Where spend files are kept: the `spend` storage of STORAGES (Django's storage API).

By default that is local disk under SPEND_DATA_DIR (`SpendFileSystemStorage`), and the files are used
where they lie. When an S3-compatible bucket is configured (config/settings/base.py), the bucket keeps
the uploaded originals and each import's Parquet files; SPEND_DATA_DIR is then only a working folder: an
import reads its upload from a copy there and writes its Parquet files there before they are kept in the
bucket and the copies removed. Queries never copy a file: they read the bucket through a pyarrow dataset
handed to DuckDB (`duck.parquet_source`), which fetches the row groups and columns a query needs.

Paths are relative to the storage's root, with forward slashes: `uploads/<organisation>/<name>`,
`<organisation>/<import>/payments.parquet`, `<organisation>/<import>/rejects.parquet`.
"""

import contextlib
import functools
import os
import shutil
import tempfile
from collections.abc import Generator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages

STORAGE = "spend"


class SpendFileSystemStorage(FileSystemStorage):
    """Local disk under SPEND_DATA_DIR (read when used, so a changed setting is followed)."""

    @property
    def base_location(self) -> str:
        return str(getattr(self, "_location", None) or settings.SPEND_DATA_DIR)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def storage() -> Storage:
    return storages[STORAGE]


def is_local() -> bool:
    """Whether the spend storage is the local folder SPEND_DATA_DIR itself (nothing to copy)."""
    kept = storage()
    return isinstance(kept, FileSystemStorage) and Path(kept.location).resolve() == local_root()


def local_root() -> Path:
    return Path(settings.SPEND_DATA_DIR).resolve()


def local_path(relative: str) -> Path:
    """The path of `relative` in the local folder SPEND_DATA_DIR (the storage itself, or its working folder)."""
    root = local_root()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError(f"{relative!r} is not under SPEND_DATA_DIR")
    return path


def disk_paths(relatives: list[str]) -> list[Path] | None:
    """The paths of stored files `relatives` when the spend storage is a disk (SPEND_DATA_DIR, or another
    folder such as a mounted volume) that DuckDB reads directly; None for a bucket."""
    kept = storage()
    if is_local():
        return [local_path(relative) for relative in relatives]
    if isinstance(kept, FileSystemStorage):
        return [Path(kept.path(relative)) for relative in relatives]
    return None


def keep(relative: str) -> None:
    """Keep the local file `relative` in the storage (and remove the local copy); nothing to do on local disk."""
    if is_local():
        return
    path = local_path(relative)
    kept = storage()
    if kept.exists(relative):
        kept.delete(relative)
    with path.open("rb") as handle:
        saved = kept.save(relative, File(handle, name=path.name))
    if saved != relative:  # pragma: no cover - a storage that renames would lose the file
        raise RuntimeError(f"the spend storage kept {relative!r} as {saved!r}")
    path.unlink(missing_ok=True)


def fetch(relative: str) -> Path:
    """A local path holding the stored file `relative` (a copy in the working folder when the storage is
    remote: made once, for the import that reads it)."""
    path = local_path(relative)
    if is_local() or path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with storage().open(relative, "rb") as source, path.open("wb") as target:
        shutil.copyfileobj(source, target, 1024 * 1024)
    return path


@contextlib.contextmanager
def local_copy(relative: str) -> Generator[Path]:
    """A local path holding the stored file `relative` while the block runs: the file itself on local disk,
    or a temporary copy in the working folder, removed after (for a page that reads an upload once)."""
    if is_local() or local_path(relative).is_file():
        yield local_path(relative)
        return
    temporary = local_root() / "tmp" / "copies"
    temporary.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=temporary, suffix=Path(relative).suffix) as copy:
        with storage().open(relative, "rb") as source:
            shutil.copyfileobj(source, copy, 1024 * 1024)
        copy.flush()
        yield Path(copy.name)


def exists(relative: str) -> bool:
    return bool(relative) and (local_path(relative).is_file() if is_local() else storage().exists(relative))


def delete(relative: str) -> None:
    """Remove the file `relative` from the storage and any local copy."""
    if not relative:
        return
    local_path(relative).unlink(missing_ok=True)
    if not is_local():
        storage().delete(relative)


def delete_folder(relative: str) -> None:
    """Remove the folder `relative` (an import's files) from the storage and the working folder."""
    shutil.rmtree(local_path(relative), ignore_errors=True)
    if is_local():
        return
    kept = storage()
    folders, names = kept.listdir(relative)
    for name in names:
        kept.delete(f"{relative}/{name}")
    for folder in folders:
        delete_folder(f"{relative}/{folder}")


def stored_folders() -> list[tuple[int, int]]:
    """(organisation, import) of every import folder in a remote storage (none on local disk, where the
    folders are found by walking SPEND_DATA_DIR)."""
    if is_local():
        return []
    kept = storage()
    found: list[tuple[int, int]] = []
    organisations, _ = kept.listdir("")
    for organisation in organisations:
        if organisation.isdigit():
            imports, _ = kept.listdir(organisation)
            found.extend((int(organisation), int(name)) for name in imports if name.isdigit())
    return found


def stored_uploads() -> list[tuple[str, float]]:
    """(path, time last modified as a POSIX timestamp) of every uploaded original in a remote storage (none
    on local disk, where uploads are found by walking SPEND_DATA_DIR)."""
    if is_local():
        return []
    kept = storage()
    found: list[tuple[str, float]] = []
    organisations, _ = kept.listdir("uploads")
    for organisation in organisations:
        _, names = kept.listdir(f"uploads/{organisation}")
        for name in names:
            relative = f"uploads/{organisation}/{name}"
            found.append((relative, kept.get_modified_time(relative).timestamp()))
    return found


# --- Reading Parquet from a remote storage without copying it --------------------------------------------


@functools.cache
def _arrow_filesystem(options: tuple[tuple[str, Any], ...]) -> Any:
    from pyarrow import fs

    return fs.S3FileSystem(**dict(options))


def arrow_location(relatives: list[str]) -> tuple[Any, list[str]]:
    """A pyarrow filesystem for the remote spend storage (an S3-compatible bucket), and the paths of
    `relatives` in it."""
    kept: Any = storage()
    if not hasattr(kept, "bucket_name"):
        raise RuntimeError("The spend storage is neither local disk nor an S3-compatible bucket.")
    options: dict[str, Any] = {"region": kept.region_name or "us-east-1"}
    if kept.endpoint_url:
        endpoint = urlparse(kept.endpoint_url)
        options["endpoint_override"] = endpoint.netloc
        options["scheme"] = endpoint.scheme or "https"
    if kept.access_key:
        options["access_key"] = kept.access_key
        options["secret_key"] = kept.secret_key
        if kept.security_token:
            options["session_token"] = kept.security_token
    prefix = "/".join(part for part in (kept.bucket_name, (kept.location or "").strip("/")) if part)
    return _arrow_filesystem(tuple(sorted(options.items()))), [f"{prefix}/{relative}" for relative in relatives]


def parquet_dataset(relatives: list[str]) -> Any:
    """A pyarrow dataset over the stored Parquet files `relatives` in the remote storage: DuckDB reads the
    row groups and columns a query needs, straight from the bucket."""
    import pyarrow.dataset as ds

    filesystem, paths = arrow_location(relatives)
    return ds.dataset(paths, filesystem=filesystem, format="parquet")
