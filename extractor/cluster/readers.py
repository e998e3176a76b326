"""Cluster readers: each input item becomes one datatrove Document carrying the `Article` (or the
`InputError`) that `extract run` would have read from it, in `metadata["item"]`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datatrove.data import Document
from datatrove.pipeline.readers.base import BaseDiskReader

from extractor.corpus import Article, InputError, Item, article_from_record, read_jsonl_lines

HTML_TYPES = ("text/html", "application/xhtml+xml")


def item_document(item: Item, provenance: dict[str, Any] | None = None) -> Document:
    """A Document for the pipeline; its text is the article's (datatrove's statistics read it)."""
    if isinstance(item, Article):
        return Document(text=item.text, id=item.id, metadata={"item": item, "provenance": provenance})
    return Document(text=item.reason, id=item.id or item.path, metadata={"item": item, "provenance": provenance})


class JsonlArticleReader(BaseDiskReader):
    """JSONL bundles as `extract run` reads them (`id`, `text` or `html`, meta fields; one article a
    line; a broken line is that line's error), from any fsspec file system."""

    name = "📰 Article JSONL"

    def __init__(self, data_folder: Any, glob_pattern: str | None = "**/*.jsonl", **kwargs: Any) -> None:
        super().__init__(data_folder, glob_pattern=glob_pattern, **kwargs)

    def read_file(self, filepath: str) -> Iterator[Document]:
        path = self.data_folder.resolve_paths(filepath)
        with self.data_folder.open(filepath, "rb") as f:
            for item in read_jsonl_lines(f, path):
                with self.track_time():
                    document = item_document(item)
                yield document


class WarcArticleReader(BaseDiskReader):
    """CC-NEWS WARC files (gzipped or not): every HTML response record is one article, read as
    `extract run` reads a saved page. The record's provenance (WARC-Record-ID, WARC-Target-URI,
    WARC-Date, file and byte offset of the record) goes with it into articles.jsonl. Read with fastwarc
    (several times faster than warcio, on which datatrove's own WarcReader builds, and it gives the
    record's offset)."""

    name = "🕷 CC-NEWS WARC"
    _requires_dependencies = ["fastwarc"]

    def __init__(self, data_folder: Any, glob_pattern: str | None = "**/*.warc*", **kwargs: Any) -> None:
        super().__init__(data_folder, glob_pattern=glob_pattern, **kwargs)

    def read_file(self, filepath: str) -> Iterator[Document]:
        from fastwarc.warc import ArchiveIterator, WarcRecordType

        path = self.data_folder.resolve_paths(filepath)
        with self.data_folder.open(filepath, "rb") as f:
            for record in ArchiveIterator(f, record_types=WarcRecordType.response, parse_http=True):
                with self.track_time():
                    document = _warc_document(record, path)
                if document is not None:
                    yield document


def _warc_document(record: Any, path: str) -> Document | None:
    from extractor.html.decoding import decode_html

    content_type = (record.http_headers.get("Content-Type", "") if record.http_headers else "") or ""
    mime, _, params = content_type.partition(";")
    if mime.strip().lower() not in HTML_TYPES:
        return None  # images, feeds, robots.txt: no article
    record_id = record.headers.get("WARC-Record-ID", "")
    provenance = {"warc_record_id": record_id, "warc_target_uri": record.headers.get("WARC-Target-URI"),
                  "warc_date": record.headers.get("WARC-Date"), "warc_file": path, "warc_offset": record.stream_pos}
    where = f"{path}@{record.stream_pos}"
    article_id = record_id.strip("<>").removeprefix("urn:uuid:") or where
    charset = next((p.split("=", 1)[1].strip() for p in params.split(";") if p.strip().lower().startswith("charset=")),
                   None)
    try:
        html, codec = decode_html(record.reader.read(), charset)
        item = article_from_record({"id": article_id, "html": html, "url": provenance["warc_target_uri"],
                                    "fetched_at": provenance["warc_date"]}, where, path)
    except Exception as e:  # noqa: BLE001 - one record's failure is its own error line
        item = InputError(where, f"cannot read: {type(e).__name__}: {e}", article_id)
    if isinstance(item, Article):
        item.encoding = codec
    return item_document(item, provenance)
