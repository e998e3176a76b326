"""`extract report OUT_DIR`: OUT_DIR/report.html, one self-contained page of what `extract run` (and
`extract check`) wrote: an overview with plots, every article's text with its figures, dates and places
highlighted, its outcomes with how period and place were chosen, and the checks with their arithmetic."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from extractor.output import (
    ARTICLES_FILE,
    CHECKS_FILE,
    OUTCOMES_FILE,
    REPORT_FILE,
    read_jsonl,
    read_output_folder,
    write_text_atomic,
)


def load(out_dir: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Articles, outcomes and checks; the checks computed (not written) when checks.jsonl is missing."""
    from extractor.checks import compute_checks, json_safe, load_corpus, load_reference

    articles = read_jsonl(out_dir / ARTICLES_FILE) if (out_dir / ARTICLES_FILE).exists() else []
    outcomes = read_jsonl(out_dir / OUTCOMES_FILE)
    if (out_dir / CHECKS_FILE).exists():
        checks = read_jsonl(out_dir / CHECKS_FILE)
    else:
        checks = [json_safe(c) for c in compute_checks(load_corpus(out_dir), load_reference())]
    return articles, outcomes, checks


def write_report(out_dir: Path) -> Path:
    from extractor.report.page import build_page

    articles, outcomes, checks = load(out_dir)
    page = build_page(articles, outcomes, checks, title=f"extractor report: {out_dir.resolve().name}")
    return write_text_atomic(out_dir / REPORT_FILE, page)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out_dir", type=Path, help="directory `extract run` wrote")


def run(args: argparse.Namespace) -> int:
    target, status = read_output_folder("report", Path(args.out_dir), write_report)
    if target is not None:
        print(f"Wrote {target}")
    return status
