"""The readable summary `extract check` prints: worst verdicts first, each with its arithmetic."""

from __future__ import annotations

from collections import Counter
from typing import Any

from extractor.checks.model import VERDICTS

FLAGGED = ("inconsistent", "implausible")
SHOWN_PER_GROUP = 2  # unflagged checks of one kind on one article beyond this are only counted
VERDICT_MARKS = {"inconsistent": "✗", "implausible": "!", "unverifiable": "?", "bounded": "≤", "consistent": "✓"}
VERDICT_MEANINGS = {
    "inconsistent": "the figures contradict each other",
    "implausible": "a figure is out of any believable range",
    "unverifiable": "the figures leave it open",
    "bounded": "one figure within a sanity bound (no second figure to agree with)",
    "consistent": "the figures agree",
}


def sort_worst_first(checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rank = {verdict: i for i, verdict in enumerate(VERDICTS)}
    return sorted(checks, key=lambda c: (rank.get(c["verdict"], len(rank)), c["article_id"], c["check"], c["id"] or ""))


def headline(checks: list[dict[str, Any]]) -> str:
    counts = Counter(c["verdict"] for c in checks)
    articles = len({c["article_id"] for c in checks})
    tally = ", ".join(f"{counts[v]} {v}" for v in VERDICTS)
    return f"{len(checks)} checks on {articles} articles: {tally}."


def _figure_line(figure: dict[str, Any]) -> str:
    start, end = figure["span"]
    where = f"chars {start}–{end}" if start is not None else "no span"
    source = figure["outcome_id"] or figure["article_id"]
    return f'      {figure["role"]}: "{figure["text"]}" ({figure["metric"]}, {source}, {where})'


def _check_lines(check: dict[str, Any], detailed: bool) -> list[str]:
    lines = [f"  {VERDICT_MARKS[check['verdict']]} [{check['id']}] {check['explanation']}"]
    if detailed:
        lines += [_figure_line(f) for f in check["figures"]]
        lines.append(f"      tolerance: {check['tolerance']}")
    return lines


def _block_lines(block: list[dict[str, Any]], flagged: bool) -> list[str]:
    """Flagged checks in full; of the others, the first few of each kind per article (they repeat)."""
    lines: list[str] = []
    shown: Counter[tuple[str, str]] = Counter()
    hidden: Counter[tuple[str, str]] = Counter()
    for check in block:
        group = (check["article_id"], check["check"])
        if flagged or shown[group] < SHOWN_PER_GROUP:
            shown[group] += 1
            lines += _check_lines(check, detailed=flagged)
        else:
            hidden[group] += 1
    for (article_id, kind), count in hidden.items():
        lines.append(f"    … and {count} more {kind} checks on {article_id} (see checks.jsonl)")
    return lines


def format_summary(checks: list[dict[str, Any]]) -> str:
    """Headline, then one block per verdict, worst first; flagged checks show their figures and tolerance."""
    if not checks:
        return "No checks: no figures to compare."
    lines = [headline(checks)]
    ordered = sort_worst_first(checks)
    for verdict in VERDICTS:
        block = [c for c in ordered if c["verdict"] == verdict]
        if block:
            lines += ["", f"{verdict.upper()} ({len(block)}): {VERDICT_MEANINGS[verdict]}"]
            lines += _block_lines(block, flagged=verdict in FLAGGED)
    return "\n".join(lines)
