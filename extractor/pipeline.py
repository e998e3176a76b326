"""One article through every stage: language, segmentation, figures, dates, places, outcomes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from extractor.corpus import Article
from extractor.dates import DateMention, find_dates
from extractor.figures import Figure, find_figures
from extractor.lang import get_pack
from extractor.language import SUPPORTED, detect_language
from extractor.outcomes import build_outcomes, outcome_record
from extractor.places import find_places
from extractor.published import read_published
from extractor.schemas import SCHEMA_VERSION
from extractor.spans import SpanUnion
from extractor.textdoc import segment


class SkippedArticle(Exception):
    """The article is not in a language we read; the message says why."""


@dataclass
class ArticleResult:
    article: dict[str, Any]
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # read, but something in its metadata was ignored


def process_article(article: Article, lang: str | None = None) -> ArticleResult:
    """`lang`: read only articles in that language; the others raise SkippedArticle."""
    warnings: list[str] = []
    lang = _language(article, lang, warnings)
    reading = read_published(article.published, lang, article.extra.get("fetched_at"))
    published = reading.day
    if reading.warning:
        warnings.append(reading.warning)
    tdoc = segment(article.text, lang)
    figures = find_figures(tdoc)
    dates = _outside_figures(find_dates(tdoc, published), figures)
    places = find_places(tdoc)
    outcomes = build_outcomes(tdoc, figures, dates, places, article.id)
    written = published or _latest_day(dates)
    outcome_records = [outcome_record(tdoc, o, article.id, written) for o in outcomes]
    owner = {id(f): o.id for o in outcomes for f in o.figures}
    figure_records = [
        {**f.as_record(), "outcome_id": owner.get(id(f))} for f in figures
    ]
    record = {
        "schema_version": SCHEMA_VERSION,
        "id": article.id, "path": article.path, "lang": lang, "title": article.title, "url": article.url,
        "published": published.isoformat() if published else None,
        "published_source": article.published_source if published else None, "source": article.source,
        "encoding": article.encoding, "text": article.text, "figures": figure_records,
        "dates": [d.as_record() for d in dates], "places": [p.as_record() for p in places],
        "furniture": [
            {"start": b.start, "end": b.end, "reason": b.furniture} for b in tdoc.blocks if b.furniture
        ],
        "duplicate_of": None,  # set by the run in reading order (extractor.syndication); always the last key
    }
    return ArticleResult(record, outcome_records, warnings)


def _outside_figures(dates: list[DateMention], figures: list[Figure]) -> list[DateMention]:
    """A number the figure rules read ("| 96.4 |" under a column of percentages) is no date."""
    taken = SpanUnion()
    for f in figures:
        taken.add(f.start, f.end)
    return [d for d in dates if not taken.overlaps(d.start, d.end)]


def _latest_day(dates: list[DateMention]) -> dt.date | None:
    """The last day an event the article reports took place: it was written no earlier."""
    days = [d.period_end for d in dates if d.is_period and d.period_end is not None]
    return max(days, default=None)


def _language(article: Article, only: str | None, warnings: list[str]) -> str:
    """The script decides; a declared language fills in when the text is too short to tell, and one the
    script contradicts is a warning. With `only`, an article in another language is skipped."""
    declared = _declared_language(article)
    guess = detect_language(article.text)
    if declared and guess.lang and declared != guess.lang:
        warnings.append(f"declared lang {article.lang!r}, but the text is written in {get_pack(guess.lang).name} "
                        f"({guess.reason}): read as {guess.lang}")
    lang = guess.lang or declared
    accepted = {only} if only else set(SUPPORTED)
    if lang and lang not in accepted:
        raise SkippedArticle(f"in {get_pack(lang).name}, not {get_pack(only).name} (--lang {only})")
    lang = lang or only
    if lang is None:
        raise SkippedArticle(guess.reason)
    return lang


def _declared_language(article: Article) -> str | None:
    declared = (article.lang or "").lower()[:2]
    return declared if declared in SUPPORTED else None


def extract_text(text: str, lang: str | None = None, published: str | None = None,
                 article_id: str = "t", title: str | None = None) -> ArticleResult:
    """The pipeline on a string: for tests, notebooks and the spec tables."""
    article = Article(id=article_id, path="<text>", text=text, title=title, published=published)
    return process_article(article, lang)
