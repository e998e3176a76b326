"""The `extract` command: run (corpus → outcomes), check (fact-checks), fetch (news → corpus), bench."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from extractor import __version__, patterns
from extractor.corpus import InputError, iter_corpus
from extractor.lang import codes
from extractor.output import AtomicJsonl

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    return args.func(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="extract",
        description="Blood-donation campaign outcomes from Vietnamese and Chinese health news.",
    )
    parser.add_argument("--version", action="version", version=f"extractor {__version__}")
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="extract outcomes from a corpus", description=(
        "Read articles (.txt with optional .meta.json sidecar, .html, .jsonl; directories recursively) "
        "and write articles.jsonl, outcomes.jsonl and errors.jsonl to --out."))
    run.add_argument("inputs", nargs="+", help="files or directories of articles")
    run.add_argument("--out", default="out", help="output directory (default: out/)")
    run.add_argument("--lang", choices=codes(), help="force the language instead of detecting it")
    run.add_argument("--check", action="store_true", help="also run the fact checks (writes checks.jsonl)")
    run.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    run.set_defaults(func=cmd_run)

    _add_optional_subcommand(sub, "check", "extractor.checks", "fact-check what `extract run` wrote")
    _add_optional_subcommand(sub, "fetch", "extractor.fetch", "fetch news articles into a corpus directory")

    bench = sub.add_parser("bench", help="measure throughput on a corpus built from the shipped one")
    bench.add_argument("--articles", type=int, default=1000, help="articles in the benchmark corpus")
    bench.add_argument("--corpus", default=None, help="directory of seed articles (default: corpus/)")
    bench.set_defaults(func=cmd_bench)
    return parser


def _add_optional_subcommand(sub: argparse._SubParsersAction, name: str, module: str, help_text: str) -> None:
    import importlib

    try:
        mod = importlib.import_module(module)
    except ImportError:
        return
    parser = sub.add_parser(name, help=help_text, description=help_text)
    mod.add_arguments(parser)
    parser.set_defaults(func=mod.run)


def cmd_run(args: argparse.Namespace) -> int:
    from extractor.pipeline import SkippedArticle, process_article

    try:  # a broken rule file is the installation's fault, not an article's: say so before reading any
        patterns.load_all()
    except patterns.PatternFileError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    out_dir = Path(args.out)
    started = time.perf_counter()
    articles_out = AtomicJsonl(out_dir / "articles.jsonl")
    outcomes_out = AtomicJsonl(out_dir / "outcomes.jsonl")
    errors_out = AtomicJsonl(out_dir / "errors.jsonl")
    writers = (articles_out, outcomes_out, errors_out)
    figures = skipped = 0
    seen_ids: set[str] = set()
    try:
        for item in _progress(iter_corpus(args.inputs), args.no_progress):
            if isinstance(item, InputError):
                _report_error(errors_out, item)
                continue
            if item.id in seen_ids:
                duplicate = f"duplicate article id {item.id!r}; kept the first"
                _report_error(errors_out, InputError(item.path, duplicate, item.id))
                continue
            seen_ids.add(item.id)
            try:
                result = process_article(item, args.lang)
            except SkippedArticle as e:
                skipped += 1
                _report_error(errors_out, InputError(item.path, f"skipped: {e}", item.id))
                continue
            except Exception as e:  # one article's failure must not cost the rest of the corpus
                _report_error(errors_out, InputError(item.path, f"extraction failed: {type(e).__name__}: {e}", item.id))
                continue
            articles_out.write(result.article)
            for outcome in result.outcomes:
                outcomes_out.write(outcome)
            figures += len(result.article["figures"])
    except BaseException:
        for writer in writers:
            writer.abort()
        raise
    for writer in writers:
        writer.commit()
    seconds = time.perf_counter() - started
    print(
        f"{articles_out.count} articles, {outcomes_out.count} outcomes, {figures} figures, "
        f"{errors_out.count} errors ({skipped} skipped), {seconds:.1f} s -> {out_dir}/",
        file=sys.stderr,
    )
    status = EXIT_SOME_FAILED if errors_out.count else EXIT_OK
    if args.check:
        from extractor import checks

        records = checks.run_checks(out_dir)
        print(checks.format_summary(records))
    return status


def _report_error(errors_out: AtomicJsonl, error: InputError) -> None:
    errors_out.write(error.as_record())
    print(f"error: {error.path}: {error.reason}", file=sys.stderr)


def _progress(items, disabled: bool):  # noqa: ANN001, ANN202 - an iterator passed through
    if disabled or not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    return tqdm(items, desc="articles", unit=" art", file=sys.stderr)


def cmd_bench(args: argparse.Namespace) -> int:
    from extractor.bench import run_benchmark

    return run_benchmark(args.articles, args.corpus)


if __name__ == "__main__":
    sys.exit(main())
