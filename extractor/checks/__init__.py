"""Fact checks on what `extract run` wrote: `extract check OUT_DIR` -> OUT_DIR/checks.jsonl and a summary.

Each check compares stated figures with each other (sums, percentages, ratios, duplicates, other articles)
or with sourced reference figures (extractor/data/reference.yaml), and gives a verdict:
inconsistent or implausible (alarms: only from outcome figures on solid ground, see grounds.py), unverifiable
(the figures leave it open), bounded (one figure, or an incomplete list, within a sanity bound) or consistent
(two independently stated figures agree). A check with nothing to compare is not emitted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from extractor.checks.corpus_checks import across_article_checks, duplicate_checks
from extractor.checks.model import ALARMS, VERDICTS, Corpus, Outcome
from extractor.checks.parts import sum_of_parts_checks
from extractor.checks.percent import percent_checks
from extractor.checks.ratios import ratio_checks
from extractor.checks.reference import Reference, load_reference
from extractor.checks.scale import scale_checks
from extractor.checks.solid import keep_solid
from extractor.checks.summary import format_summary
from extractor.output import (
    ARTICLES_FILE,
    CHECKS_FILE,
    OUTCOMES_FILE,
    RUN_FILE,
    BrokenOutput,
    iter_jsonl,
    read_output_folder,
    write_jsonl,
)

__all__ = ["BrokenOutput", "add_arguments", "format_summary", "load_corpus", "load_reference", "run", "run_checks"]


CheckFamily = Callable[[Corpus, Reference], list[dict[str, Any]]]
CHECK_FAMILIES: tuple[CheckFamily, ...] = (
    sum_of_parts_checks,
    percent_checks,
    ratio_checks,
    scale_checks,
    duplicate_checks,
    across_article_checks,
)


def _rows(path: Path, shape: Callable[[dict[str, Any]], str | None]) -> list[dict[str, Any]]:
    """The records of one output file, each of the shape `extract run` writes; BrokenOutput (file and
    line named) for the first that is not, so a check never runs on half a file."""
    if not path.exists():
        return []
    rows = []
    for n, record in iter_jsonl(path):
        problem = shape(record)
        if problem:
            raise BrokenOutput(f"{path} line {n}: {problem}")
        rows.append(record)
    return rows


def _outcome_shape(record: dict[str, Any]) -> str | None:
    if not isinstance(record.get("id"), str):
        return "an outcome without an 'id'"
    metrics = record.get("metrics")
    if metrics is None:
        return None
    if not isinstance(metrics, list) or not all(isinstance(m, dict) for m in metrics):
        return "'metrics' is not a list of objects"
    for m in metrics:
        if not isinstance(m.get("metric"), str) or not _is_number(m.get("value")):
            return "a metric without a 'metric' name or a numeric 'value'"
    return None


def _article_shape(record: dict[str, Any]) -> str | None:
    if not isinstance(record.get("id"), str):
        return "an article without an 'id'"
    figures = record.get("figures")
    if figures is not None and not (isinstance(figures, list) and all(
            isinstance(f, dict) and isinstance(f.get("metric"), str) and _is_number(f.get("value"))
            for f in figures)):
        return "'figures' is not a list of figures with a 'metric' and a numeric 'value'"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def load_corpus(out_dir: Path) -> Corpus:
    outcome_rows = _rows(out_dir / OUTCOMES_FILE, _outcome_shape)
    article_rows = _rows(out_dir / ARTICLES_FILE, _article_shape)
    _agree_with_manifest(out_dir, {OUTCOMES_FILE: len(outcome_rows), ARTICLES_FILE: len(article_rows)})
    return Corpus([Outcome.from_record(raw) for raw in outcome_rows], {raw["id"]: raw for raw in article_rows})


def _agree_with_manifest(out_dir: Path, lines: dict[str, int]) -> None:
    """BrokenOutput when the files hold other counts than the run.json written with them: files of two
    runs mixed (copied over, or left by an older version that renamed them one at a time)."""
    manifest = out_dir / RUN_FILE
    if not manifest.exists():
        return  # an older output, or one written by hand: nothing to compare with
    try:
        counts = json.loads(manifest.read_text(encoding="utf-8"))["counts"]
        expected = {OUTCOMES_FILE: int(counts["outcomes"]), ARTICLES_FILE: int(counts["articles"])}
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise BrokenOutput(f"{manifest}: not the run.json `extract run` writes ({e})") from None
    for name, n in lines.items():
        if n != expected[name]:
            raise BrokenOutput(f"{out_dir / name} has {n} records, but {manifest} says the run wrote "
                               f"{expected[name]}: the folder mixes files of two runs")


def compute_checks(corpus: Corpus, reference: Reference) -> list[dict[str, Any]]:
    """Every check, in article order, each with a stable id '<article>:<check>:<n>'."""
    keep_solid(corpus, reference)
    checks = [check for family in CHECK_FAMILIES for check in family(corpus, reference)]
    checks.sort(key=lambda c: c["article_id"])  # stable: keeps family order within an article
    numbering: Counter[tuple[str, str]] = Counter()
    for check in checks:
        numbering[(check["article_id"], check["check"])] += 1
        check["id"] = f"{check['article_id']}:{check['check']}:{numbering[(check['article_id'], check['check'])]}"
    return checks


def json_safe(value: Any) -> Any:
    """NaN/inf (a quantity that could not be computed) become null."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value


def run_checks(out_dir: Path, reference: Reference | None = None) -> list[dict[str, Any]]:
    """Read outcomes.jsonl + articles.jsonl from out_dir, write out_dir/checks.jsonl, return the checks."""
    out_dir = Path(out_dir)
    checks = [json_safe(c) for c in compute_checks(load_corpus(out_dir), reference or load_reference())]
    write_jsonl(out_dir / CHECKS_FILE, checks)
    return checks


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out_dir", type=Path, help="directory `extract run` wrote (outcomes.jsonl, articles.jsonl)")
    parser.add_argument("--fail-on", type=_verdict_list, default=(), metavar="VERDICTS",
                        help="exit 1 when any check has one of these verdicts, comma-separated "
                             f"({', '.join(VERDICTS)}), e.g. --fail-on inconsistent,implausible")
    parser.add_argument("--claimreview", action="store_true",
                        help="also write OUT_DIR/claimreview.jsonld: schema.org ClaimReview drafts for the alarms, "
                             "for an editor to complete (never published by the tool)")


def _verdict_list(value: str) -> tuple[str, ...]:
    verdicts = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [v for v in verdicts if v not in VERDICTS]
    if unknown or not verdicts:
        raise argparse.ArgumentTypeError(f"unknown verdict {', '.join(unknown) or value!r}; "
                                         f"choose from {', '.join(VERDICTS)}")
    return verdicts


def run(args: argparse.Namespace) -> int:
    """`extract check OUT_DIR`: 0 when checked, 1 when a check has a --fail-on verdict, 2 when OUT_DIR
    has no outcomes.jsonl or a broken one."""
    out_dir = Path(args.out_dir)
    checks, status = read_output_folder("check", out_dir, run_checks)
    if checks is None:
        return status
    print(format_summary(checks))
    print(f"\nWrote {len(checks)} checks to {out_dir / CHECKS_FILE}")
    if getattr(args, "claimreview", False):
        from extractor.checks.claimreview import write_drafts

        articles = {a["id"]: a for a in _rows(out_dir / ARTICLES_FILE, _article_shape)}
        target = write_drafts(out_dir, checks, articles)
        print(f"Wrote {sum(c['verdict'] in ALARMS for c in checks)} ClaimReview drafts to {target}")
    failing = Counter(c["verdict"] for c in checks if c["verdict"] in (getattr(args, "fail_on", None) or ()))
    if failing:
        print("extract check: " + ", ".join(f"{n} {v}" for v, n in sorted(failing.items())) + " (--fail-on)",
              file=sys.stderr)
        return 1
    return 0
