"""Fact checks on what `extract run` wrote: `extract check OUT_DIR` -> OUT_DIR/checks.jsonl and a summary.

Each check compares stated figures with each other (sums, percentages, ratios, duplicates, other articles)
or with sourced reference figures (extractor/data/reference.yaml), and gives a verdict:
consistent, inconsistent, implausible or unverifiable (no data to check against; never a silent pass).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from extractor.checks.corpus_checks import across_article_checks, duplicate_checks
from extractor.checks.model import Corpus, Outcome
from extractor.checks.parts import sum_of_parts_checks
from extractor.checks.percent import percent_checks
from extractor.checks.ratios import ratio_checks
from extractor.checks.reference import Reference, load_reference
from extractor.checks.scale import scale_checks
from extractor.checks.summary import format_summary
from extractor.output import read_jsonl, write_jsonl

__all__ = ["add_arguments", "format_summary", "load_corpus", "load_reference", "run", "run_checks"]

OUTCOMES_FILE = "outcomes.jsonl"
ARTICLES_FILE = "articles.jsonl"
CHECKS_FILE = "checks.jsonl"

CheckFamily = Callable[[Corpus, Reference], list[dict[str, Any]]]
CHECK_FAMILIES: tuple[CheckFamily, ...] = (
    sum_of_parts_checks,
    percent_checks,
    ratio_checks,
    scale_checks,
    duplicate_checks,
    across_article_checks,
)


def _rows(path: Path) -> list[dict[str, Any]]:
    return read_jsonl(path) if path.exists() else []


def load_corpus(out_dir: Path) -> Corpus:
    outcomes = [Outcome.from_record(raw) for raw in _rows(out_dir / OUTCOMES_FILE)]
    articles = {raw["id"]: raw for raw in _rows(out_dir / ARTICLES_FILE)}
    return Corpus(outcomes, articles)


def compute_checks(corpus: Corpus, reference: Reference) -> list[dict[str, Any]]:
    """Every check, in article order, each with a stable id '<article>:<check>:<n>'."""
    checks = [check for family in CHECK_FAMILIES for check in family(corpus, reference)]
    checks.sort(key=lambda c: c["article_id"])  # stable: keeps family order within an article
    numbering: Counter[tuple[str, str]] = Counter()
    for check in checks:
        numbering[(check["article_id"], check["check"])] += 1
        check["id"] = f"{check['article_id']}:{check['check']}:{numbering[(check['article_id'], check['check'])]}"
    return checks


def _json_safe(value: Any) -> Any:
    """NaN/inf (a quantity that could not be computed) become null."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def run_checks(out_dir: Path, reference: Reference | None = None) -> list[dict[str, Any]]:
    """Read outcomes.jsonl + articles.jsonl from out_dir, write out_dir/checks.jsonl, return the checks."""
    out_dir = Path(out_dir)
    checks = [_json_safe(c) for c in compute_checks(load_corpus(out_dir), reference or load_reference())]
    write_jsonl(out_dir / CHECKS_FILE, checks)
    return checks


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out_dir", type=Path, help="directory `extract run` wrote (outcomes.jsonl, articles.jsonl)")


def run(args: argparse.Namespace) -> int:
    """`extract check OUT_DIR`: 0 when checked, 2 when OUT_DIR has no outcomes.jsonl."""
    out_dir = Path(args.out_dir)
    if not (out_dir / OUTCOMES_FILE).exists():
        print(
            f"extract check: no {OUTCOMES_FILE} in {out_dir} (run `extract run CORPUS --out {out_dir}` first)",
            file=sys.stderr,
        )
        return 2
    checks = run_checks(out_dir)
    print(format_summary(checks))
    print(f"\nWrote {len(checks)} checks to {out_dir / CHECKS_FILE}")
    return 0
