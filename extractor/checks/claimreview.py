"""ClaimReview drafts for the alarms: schema.org JSON-LD an editor completes and publishes
(`extract check --claimreview` -> OUT_DIR/claimreview.jsonld). The tool never publishes them: each is marked
`creativeWorkStatus: Draft`, and what only an editor can say (who reviews, the rating's scale, the review's
own URL and date) is left for them, named in `EDITOR_FIELDS`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from extractor.checks.model import ALARMS
from extractor.output import CLAIMREVIEW_FILE, json_line, write_text_atomic

EDITOR_FIELDS = ("author", "url", "datePublished", "reviewRating.ratingValue")


def draft(check: dict[str, Any], articles: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One ClaimReview: claimReviewed is the flagged figure's words (each figure's, for a check of several),
    itemReviewed.appearance the article it appeared in, reviewRating.alternateName the verdict."""
    figures = check["figures"]
    primary = [f for f in figures if f["role"] in ("total", "percentage", "figure", "numerator", "first")] or figures
    article = articles.get(check["article_id"]) or {}
    appearance: dict[str, Any] = {"@type": "CreativeWork", "url": article.get("url")}
    if article.get("title"):
        appearance["headline"] = article["title"]
    if article.get("published"):
        appearance["datePublished"] = article["published"]
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "creativeWorkStatus": "Draft",
        "identifier": check["id"],
        "claimReviewed": " / ".join(dict.fromkeys(f["text"] for f in primary[:2] if f["text"])),
        "itemReviewed": {"@type": "Claim", "appearance": appearance},
        "reviewBody": check["explanation"],
        "reviewRating": {"@type": "Rating", "alternateName": check["verdict"]},
        "author": None,
        "url": None,
        "datePublished": None,
        "description": "Draft written by extractor from checks.jsonl; an editor completes "
                       + ", ".join(EDITOR_FIELDS) + " before publishing.",
    }


def write_drafts(out_dir: Path, checks: list[dict[str, Any]], articles: dict[str, dict[str, Any]]) -> Path:
    """OUT_DIR/claimreview.jsonld: a JSON array of drafts, one per alarm, replaced whole."""
    drafts = [draft(c, articles) for c in checks if c["verdict"] in ALARMS]
    body = "[\n" + ",\n".join(json_line(d).rstrip("\n") for d in drafts) + "\n]\n" if drafts else "[]\n"
    return write_text_atomic(out_dir / CLAIMREVIEW_FILE, body)
