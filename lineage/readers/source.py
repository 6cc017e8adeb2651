"""Opening a log for streaming: plain or gzip, by path or as an open text stream.

Warehouse exports and rotated server logs are routinely gzipped, so compression is
detected from the file's magic bytes rather than its name (``queries.csv`` may well be
gzip, ``postgresql.log.1.gz`` may have been unpacked in place). Text is decoded as
UTF-8 with a BOM stripped (spreadsheet-saved CSVs start with one, and it would
otherwise glue itself to the first header name) and undecodable bytes replaced: one
stray Latin-1 byte in a 5 GB log must cost one character, not the whole read.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from catalog.errors import UsageError
from lineage.readers.records import Source

_GZIP_MAGIC = b"\x1f\x8b"

#: What a truncated or corrupt gzip member raises while it is being read.
DECOMPRESSION_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)


def describe(source: Source) -> str:
    """The name to use for ``source`` in messages."""
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return str(getattr(source, "name", "<stream>"))


@contextmanager
def open_source(source: Source) -> Iterator[TextIO]:
    """Yield a text stream over ``source``; closes it afterwards only if it opened it.

    Streams are opened with ``newline=""`` so the csv module sees quoted newlines
    (multi-line statements) as they are.
    """
    if not isinstance(source, str | os.PathLike):
        yield source
        return
    path = Path(source)
    try:
        with path.open("rb") as probe:
            compressed = probe.read(2) == _GZIP_MAGIC
        stream = _open_text(path, compressed=compressed)
    except OSError as exc:
        raise UsageError(f"cannot read log file {path}: {exc.strerror or exc}") from exc
    with stream:
        yield stream


def _open_text(path: Path, *, compressed: bool) -> TextIO:
    if compressed:
        return gzip.open(path, "rt", encoding="utf-8-sig", errors="replace", newline="")
    return path.open("r", encoding="utf-8-sig", errors="replace", newline="")
