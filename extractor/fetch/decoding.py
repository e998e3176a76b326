"""Decompression with a cap on what comes out: Content-Encoding gzip/deflate and raw .gz sitemaps.

A 1 MB gzip body can hold gigabytes of zeros; each decoder here stops as soon as its output passes
the cap, never holding more than the cap (plus one chunk) in memory.
"""

from __future__ import annotations

import zlib

CHUNK = 64 * 1024
GZIP_MAGIC = b"\x1f\x8b"


class DecodeError(Exception):
    """A body that cannot be decoded (corrupt or truncated stream, unknown encoding)."""


class TooLarge(Exception):
    def __init__(self, cap: int) -> None:
        super().__init__(f"more than {cap} bytes once decompressed")
        self.cap = cap


class _Inflater:
    """One zlib stream (gzip members one after another, or deflate with or without its zlib header)."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._zlib: zlib._Decompress | None = None
        self._started = False

    def _new(self, first: bytes) -> zlib._Decompress:
        if self.encoding == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" is meant to be zlib-wrapped but servers often send it raw: look at the header.
        wrapped = len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] << 8 | first[1]) % 31 == 0
        return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def feed(self, data: bytes, room: int) -> bytes:
        """Up to `room` + 1 bytes of output; the caller raises TooLarge when more came out than room."""
        out = bytearray()
        while data:
            if self._zlib is None:
                self._zlib = self._new(data)
                self._started = True
            try:
                out += self._zlib.decompress(data, max(room + 1 - len(out), 1))
            except zlib.error as error:
                raise DecodeError(f"bad {self.encoding} data ({error})") from error
            if len(out) > room:
                return bytes(out)
            if self._zlib.unconsumed_tail:
                data = self._zlib.unconsumed_tail
            elif self._zlib.eof and self._zlib.unused_data and self.encoding == "gzip":
                data = self._zlib.unused_data  # the next gzip member
                self._zlib = None
            else:
                data = b""
        return bytes(out)

    def finish(self) -> None:
        if self._started and self._zlib is not None and not self._zlib.eof:
            raise DecodeError(f"truncated {self.encoding} data")


class CappedDecoder:
    """Undo a Content-Encoding list ('gzip', 'deflate', 'identity'; last applied first undone)."""

    def __init__(self, encodings: list[str], cap: int) -> None:
        self.cap = cap
        self.size = 0
        self._stages: list[_Inflater] = []
        for encoding in reversed([e.strip().lower() for e in encodings if e.strip()]):
            if encoding in ("gzip", "x-gzip"):
                self._stages.append(_Inflater("gzip"))
            elif encoding == "deflate":
                self._stages.append(_Inflater("deflate"))
            elif encoding != "identity":
                raise DecodeError(f"unsupported Content-Encoding {encoding!r}")

    def feed(self, data: bytes) -> bytes:
        for stage in self._stages:
            data = stage.feed(data, self.cap - self.size if stage is self._stages[-1] else self.cap)
            if len(data) > self.cap:
                raise TooLarge(self.cap)
        self.size += len(data)
        if self.size > self.cap:
            raise TooLarge(self.cap)
        return data

    def finish(self) -> None:
        for stage in self._stages:
            stage.finish()


def gunzip_capped(data: bytes, cap: int) -> bytes:
    """A whole .gz file, decompressed; TooLarge past `cap`, DecodeError when corrupt or cut short."""
    decoder = CappedDecoder(["gzip"], cap)
    parts = [decoder.feed(data[i:i + CHUNK]) for i in range(0, len(data), CHUNK)]
    decoder.finish()
    return b"".join(parts)
