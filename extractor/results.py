"""One article's share of a run's files: its JSON lines and its errors, ready to be written.

This is the part of a run that a worker process does (`extractor.parallel`) and that the cluster step
(`extractor.cluster`) wraps: the pipeline and the JSON encoding, with the same errors as the local run.
What depends on the whole run (unique ids, the order of the lines) stays with the caller.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from extractor.corpus import Article, InputError
from extractor.output import json_line
from extractor.syndication import fingerprint


@dataclass
class ArticleLines:
    """What one article adds to a run: errors.jsonl records (in order), its articles.jsonl line and
    its outcomes.jsonl lines (none when it failed or was skipped), and its figure count."""

    errors: list[InputError] = field(default_factory=list)
    article: str | None = None
    outcomes: list[str] = field(default_factory=list)
    figures: int = 0
    skipped: bool = False
    # the records the lines encode, when asked for (the cluster's Parquet writer needs them)
    article_record: dict[str, Any] | None = None
    outcome_records: list[dict[str, Any]] = field(default_factory=list)
    # the text's MinHash signature and size (extractor.syndication), for `extract run`'s writer to find copies in
    # reading order; set by `batch_lines`
    fingerprint: tuple[Any, int] = (None, 0)


def without_text(record: dict[str, Any]) -> dict[str, Any]:
    """The articles.jsonl record for a user who keeps the corpus: the text replaced by its length and
    digest (offsets still refer to the text as read, which the digest identifies)."""
    text = record["text"]
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key == "text":
            out["text_chars"] = len(text)
            out["text_sha256"] = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        else:
            out[key] = value
    return out


def article_lines(article: Article, lang: str | None, keep_text: bool = True,
                  keep_records: bool = False) -> ArticleLines:
    """The article through the pipeline and into JSON lines. One article's failure is its own error
    line, never the run's; a value JSON cannot hold (Infinity) makes the whole article an error."""
    from extractor import pipeline

    where = article.origin or article.path
    try:
        result = pipeline.process_article(article, lang)
    except pipeline.SkippedArticle as e:
        return ArticleLines([InputError(where, f"skipped: {e}", article.id)], skipped=True)
    except Exception as e:  # noqa: BLE001 - one article's failure must not cost the rest of the corpus
        return ArticleLines([InputError(where, f"extraction failed: {type(e).__name__}: {e}", article.id)])
    try:
        record = result.article if keep_text else without_text(result.article)
        article_line = json_line(record)
        outcome_lines = [json_line(o) for o in result.outcomes]
    except ValueError as e:
        return ArticleLines([InputError(where, f"not written: {e}", article.id)])
    warnings = [InputError(where, w, article.id, level="warning") for w in result.warnings]
    lines = ArticleLines(warnings, article_line, outcome_lines, len(result.article["figures"]))
    if keep_records:
        lines.article_record, lines.outcome_records = record, result.outcomes
    return lines


def batch_lines(articles: list[Article], lang: str | None, keep_text: bool) -> list[ArticleLines]:
    """`article_lines` for a batch: what one task of a worker process does."""
    batch = [article_lines(a, lang, keep_text) for a in articles]
    for article, lines in zip(articles, batch, strict=True):
        if lines.article is not None:  # copies are found by `extract run`'s writer (a cluster job has none)
            lines.fingerprint = fingerprint(article.text)
    return batch
