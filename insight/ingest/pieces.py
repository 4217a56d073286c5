"""A large CSV/TSV as byte ranges that can be read apart (on Spark workers).

:func:`~insight.ingest.io.iter_delimited` reads a large CSV in pieces: a piece
ends at the first line after ``chunk_bytes`` characters where the piece's
double quotes are balanced (so never inside a quoted cell), and each piece is
parsed on its own from its first line number. :func:`piece_specs` finds the
same piece ends from the bytes without parsing a row (line by line: decode,
count the characters and the quotes), and :func:`read_piece` parses one range
anywhere into exactly the :class:`~insight.ingest.io.RawTable` that
``iter_delimited`` gives for it: the same rows, line numbers and unparseable
lines, so unit ids do not depend on where a piece was read
(``tests/test_spark_read.py`` checks it piece by piece).
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from insight.errors import InputError
from insight.ingest.io import RawTable, _piece, _stream_encoding, sniff_delimiter

#: encodings whose newline and quote bytes are never part of another character,
#: so a line's bytes decode on their own (stateful and UTF-16/32 codecs are not)
_PER_LINE_SAFE = ("utf-8", "utf-8-sig", "ascii", "latin-1", "iso8859", "cp", "mac-", "koi8")
_MULTIBYTE_OK = {"shift_jis", "euc_jp", "gb2312", "gbk", "gb18030", "big5", "euc_kr"}
_HEAD = 1 << 20  # what iter_delimited decides the encoding and delimiter from


@dataclass(frozen=True)
class PieceSpec:
    """Bytes ``[start, end)`` of ``path``, whose first line is line ``first_line``.

    ``size``: the file's size when the driver scanned it (a worker that sees
    another size reads another file and says so instead of parsing it).
    """

    path: str
    start: int
    end: int
    first_line: int
    encoding: str
    delimiter: str
    final: bool
    size: int


def piece_specs(path: Path, chunk_bytes: int) -> tuple[list[PieceSpec] | None, str]:
    """The pieces :func:`~insight.ingest.io.iter_delimited` reads ``path`` in, as byte
    ranges; ``(None, why)`` when they cannot be found without parsing (an encoding
    whose lines do not decode apart, bytes that do not decode: the caller reads the
    file itself, which reports the problem as the local engine does)."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(_HEAD)
        if not head.strip():
            return None, "the file is empty"
        try:
            enc = _stream_encoding(path, head)
        except InputError as exc:
            return None, exc.format()
        name = codecs.lookup(enc).name
        if not (name.startswith(_PER_LINE_SAFE) or name in _MULTIBYTE_OK):
            return None, f"its encoding ({enc}) cannot be decoded line by line"
        first = codecs.getincrementaldecoder(enc)(errors="strict")
        try:
            sample = first.decode(head, final=False)
        except UnicodeDecodeError:
            return None, f"bytes in the first MB do not decode as {enc}"
        if sample.endswith("\r"):
            sample = sample[:-1]
        delim = sniff_delimiter(sample.replace("\r\n", "\n").replace("\r", "\n"), path)
        f.seek(0)
        try:
            ends = list(_piece_ends(f, enc, chunk_bytes))
        except UnicodeDecodeError as exc:
            return None, f"bytes do not decode as {enc} ({exc.reason})"
    specs: list[PieceSpec] = []
    start, first_line = 0, 1
    where = str(path.resolve())  # what a worker opens (the same shared path)
    for end, lines in ends:
        specs.append(PieceSpec(where, start, end, first_line, enc, delim, False, size))
        start, first_line = end, first_line + lines
    specs.append(PieceSpec(where, start, size, first_line, enc, delim, True, size))
    return specs, ""


def _piece_ends(f: object, enc: str, chunk_bytes: int) -> Iterator[tuple[int, int]]:
    """(byte offset after the piece's last line, lines in the piece) of every piece but
    the last: iter_delimited's rule on the lines the text splits into (``\\r\\n``,
    ``\\r`` and ``\\n`` end a line)."""
    line_enc = "utf-8" if enc == "utf-8-sig" else enc
    dec = enc  # the first line loses a byte-order mark
    size = quotes = lines = 0
    pos = 0
    for raw in f:  # type: ignore[attr-defined]
        body = raw
        if body.endswith(b"\n"):
            body = body[:-2] if body.endswith(b"\r\n") else body[:-1]
        parts = body.split(b"\r")
        cursor = pos
        last = len(parts) - 1
        for k, part in enumerate(parts):
            cursor = cursor + len(part) + 1 if k < last else pos + len(raw)
            text = part.decode(dec)
            dec = line_enc
            size += len(text) + 1
            quotes += text.count('"')
            lines += 1
            if size >= chunk_bytes and (quotes % 2 == 0 or size >= 4 * chunk_bytes):
                yield cursor, lines
                size = quotes = lines = 0
        pos += len(raw)


class WorkerCannotRead(OSError):
    """The worker does not see the driver's file (another size, or no such path)."""


def read_piece(spec: PieceSpec) -> RawTable | None:
    """One piece parsed as :func:`~insight.ingest.io.iter_delimited` parses it (None when
    it has no row and no unparseable line)."""
    try:
        size = os.path.getsize(spec.path)
        with open(spec.path, "rb") as f:
            f.seek(spec.start)
            data = f.read(spec.end - spec.start)
    except OSError as exc:  # not on a path this machine shares with the driver
        raise WorkerCannotRead(f"{spec.path}: {exc.strerror or exc}") from None
    if size != spec.size:
        raise WorkerCannotRead(f"{spec.path} has {size:,} bytes here, {spec.size:,} on the driver")
    enc = "utf-8" if spec.encoding == "utf-8-sig" and spec.start else spec.encoding
    text = data.decode(enc).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not spec.final:
        lines.pop()  # the empty text after the piece's last line end
    return _piece(Path(spec.path), lines, spec.delimiter, spec.first_line, spec.encoding)


class SpecPieces:
    """The pieces of ``specs`` read in order (on the driver), remembering which are left."""

    def __init__(self, path: Path, specs: list[PieceSpec]) -> None:
        self.path = path
        self.specs = specs
        self.next = 0
        self.found = False

    def __iter__(self) -> SpecPieces:
        return self

    def __next__(self) -> RawTable:
        while self.next < len(self.specs):
            raw = read_piece(self.specs[self.next])
            self.next += 1
            if raw is not None:
                self.found = True
                return raw
        if not self.found:
            raise InputError("the file has no rows", file=self.path.name, fix="export it again")
        raise StopIteration

    def rest(self) -> list[PieceSpec]:
        """The pieces not read yet (their rows are read elsewhere)."""
        left, self.next = self.specs[self.next :], len(self.specs)
        return left

    def close(self) -> None:
        self.next = len(self.specs)
