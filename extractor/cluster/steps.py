"""Cluster steps: the pre-filter on language and topic, and the extraction itself."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from datatrove.data import Document
from datatrove.pipeline.base import PipelineStep

from extractor.corpus import Article, InputError
from extractor.output import json_line
from extractor.results import article_lines


class ArticleFilter(PipelineStep):
    """Keeps the articles in `langs` (by script, as the run detects them) that the topic rules of their
    language call blood-donation news (`extractor.topic`, as `extract fetch --match`): most of a news
    crawl is neither, and the filter costs a few regex passes where extraction costs a pipeline. Read
    errors pass through, to be written as errors."""

    name = "🩸 language and topic"
    type = "🔻 - FILTER"

    def __init__(self, langs: Iterable[str] | None = None, topic: bool = True) -> None:
        super().__init__()
        from extractor.lang import codes

        self.langs = set(langs or codes())
        self.topic = topic

    def run(self, data: Iterable[Document], rank: int = 0, world_size: int = 1) -> Iterator[Document]:
        from extractor.language import detect_language
        from extractor.topic import matches_topic

        for document in data:
            item = document.metadata["item"]
            if isinstance(item, Article):
                with self.track_time():
                    lang = detect_language(item.text).lang
                    if lang not in self.langs:
                        self.stat_update("dropped_language")
                        continue
                    if self.topic and not matches_topic(item.text, lang):
                        self.stat_update("dropped_topic")
                        continue
                self.stat_update("kept")
            yield document


class ExtractRecords(PipelineStep):
    """Each article through `extractor.results.article_lines` (the function `extract run`'s workers
    run), out as one Document per record: metadata `kind` (article, outcome, error), `record` and
    `line` (the JSON line `extract run` writes for it). A WARC article's record gains `provenance`."""

    name = "🩸 extract outcomes"
    type = "⚙️ - PROCESS"

    def __init__(self, lang: str | None = None, keep_text: bool = True) -> None:
        super().__init__()
        self.lang = lang
        self.keep_text = keep_text

    def run(self, data: Iterable[Document], rank: int = 0, world_size: int = 1) -> Iterator[Document]:
        for document in data:
            item = document.metadata["item"]
            if isinstance(item, InputError):
                yield _record_document("error", item.as_record())
                continue
            with self.track_time():
                where = item.origin or item.path
                errors = [InputError(where, w, item.id, level="warning") for w in item.warnings]
                lines = article_lines(item, self.lang, self.keep_text, keep_records=True)
            for error in errors + lines.errors:
                yield _record_document("error", error.as_record())
            if lines.article_record is None:
                self.stat_update("not_extracted")
                continue
            record, line = lines.article_record, lines.article
            provenance = document.metadata.get("provenance")
            if provenance:
                record = {**record, "provenance": provenance}
                line = json_line(record)
            self.stat_update("articles")
            yield _record_document("article", record, line)
            for outcome, outcome_line in zip(lines.outcome_records, lines.outcomes, strict=True):
                self.stat_update("outcomes")
                yield _record_document("outcome", outcome, outcome_line)


def _record_document(kind: str, record: dict[str, Any], line: str | None = None) -> Document:
    line = line if line is not None else json_line(record)
    return Document(text="", id=str(record.get("id") or ""),
                    metadata={"kind": kind, "record": record, "line": line})
