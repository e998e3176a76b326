"""The `extract` command: run (corpus → outcomes), check (fact-checks), fetch (news → corpus), bench."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from extractor import __version__, patterns
from extractor.corpus import Article, ArticleIds, InputError, find_inputs, read_guarded
from extractor.lang import codes
from extractor.output import (
    ARTICLES_FILE,
    ERRORS_FILE,
    OUTCOMES_FILE,
    RUN_FILE,
    OutputError,
    RunFolder,
    json_line,
)
from extractor.schemas import SCHEMA_VERSION
from extractor.syndication import SyndicationIndex

if TYPE_CHECKING:
    from extractor.pipeline import ArticleResult

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args)
    except KeyboardInterrupt:  # outside a run's own handling (check, fetch): one line, not a traceback
        print("extract: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `extract check out/ | head`: the reader has seen enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
        return EXIT_SOME_FAILED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="extract",
        description="Blood-donation campaign outcomes from Vietnamese and Chinese health news.",
    )
    parser.add_argument("--version", action="version", version=f"extractor {__version__}")
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="extract outcomes from a corpus", description=(
        "Read articles (.txt with optional .meta.json sidecar, .html, .jsonl; directories recursively) "
        "and write articles.jsonl, outcomes.jsonl, errors.jsonl and run.json to --out, replacing its earlier "
        "content in one step when the run is done."))
    run.add_argument("inputs", nargs="+", help="files or directories of articles")
    run.add_argument("--out", default="out", help="output directory (default: out/)")
    run.add_argument("--lang", choices=codes(),
                     help="read only the articles in this language (the others are skipped, with the reason)")
    run.add_argument("--check", action="store_true", help="also run the fact checks (writes checks.jsonl)")
    run.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    run.set_defaults(func=cmd_run)

    _add_optional_subcommand(sub, "check", "extractor.checks", "fact-check what `extract run` wrote")
    _add_optional_subcommand(sub, "report", "extractor.report",
                             "write OUT_DIR/report.html: the figures highlighted in their articles, with the checks")
    _add_optional_subcommand(sub, "check-eval", "extractor.checks.evaluation",
                             "alarm precision and recall of the checks on a table of passages")
    _add_optional_subcommand(sub, "fetch", "extractor.fetch", "fetch news articles into a corpus directory")
    _add_optional_subcommand(sub, "export", "extractor.export",
                             "export what `extract run` wrote as Parquet, CSV or a DuckDB file")
    _add_optional_subcommand(sub, "evaluate", "extractor.evaluate",
                             "score what `extract run` wrote against a gold file of hand-coded articles")

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
    try:  # a broken rule file is the installation's fault, not an article's: say so before reading any
        patterns.load_all()
    except patterns.PatternFileError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out)
    try:
        folder = RunFolder(out)
    except OutputError as e:
        print(f"extract run: {e}", file=sys.stderr)
        return EXIT_USAGE
    previous = signal.signal(signal.SIGTERM, _interrupt) if _main_thread() else None
    try:
        return _run_into(folder, args)
    except KeyboardInterrupt:
        folder.abort()
        kept = "the new output is in place" if folder.committed else f"{out} left as it was"
        print(f"extract run: interrupted; {kept}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OutputError as e:  # --out changed during the run (a file of the user's appeared in it)
        folder.abort()
        print(f"extract run: {e}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as e:  # the disk filled, the folder vanished: the run's, not an article's
        folder.abort()
        print(f"extract run: cannot write the output: {e}; {out} left as it was", file=sys.stderr)
        return EXIT_USAGE
    except BaseException:
        folder.abort()
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM ends a run as Ctrl-C does: the earlier output stays


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _run_into(folder: RunFolder, args: argparse.Namespace) -> int:
    """Every input into `folder`; the folder replaces --out when at least one article was written."""
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    out = Path(args.out)  # as the user wrote it, for messages
    inputs = find_inputs(args.inputs, exclude=[folder.out])
    ids = ArticleIds()
    with _progress(len(inputs.files), args.no_progress) as bar:
        run = RunWriter(folder, bar.write)
        for entry in inputs.entries:
            if isinstance(entry, InputError):
                run.report(entry)
                continue
            for item in read_guarded(entry):
                if isinstance(item, InputError):
                    run.report(item)
                else:
                    _extract(item, run, ids, args.lang)
            bar.update(1)
    summary = (f"{run.articles.count} articles, {run.outcomes.count} outcomes, {run.figures} figures, "
               f"{run.error_count} errors ({run.skipped} skipped), {run.warning_count} warnings")
    if inputs.unsupported:
        summary += "; not read: " + ", ".join(f"{n} {ext}" for ext, n in sorted(inputs.unsupported.items()))
    if not run.articles.count:
        folder.abort()
        kept = f"{out} left as it was" if os.path.lexists(folder.out) else "nothing written"
        why = "no article read" if not run.skipped else f"no article written ({run.skipped} skipped)"
        print(f"{summary}\nextract run: {why} from {' '.join(args.inputs)}; {kept}", file=sys.stderr)
        return EXIT_SOME_FAILED
    status = EXIT_SOME_FAILED if run.error_count else EXIT_OK
    check_summary = None
    if args.check:
        from extractor import checks

        folder.finish_files()  # the checks read what was written, all of it
        check_summary = checks.format_summary(checks.run_checks(folder.path))
    folder.write_json(RUN_FILE, {
        "schema_version": SCHEMA_VERSION,
        "tool": "extractor", "version": __version__, "patterns_sha256": patterns_digest(),
        "command": ["extract", *args.argv], "inputs": list(args.inputs), "out": str(out), "lang": args.lang,
        "started": started.isoformat(timespec="seconds"),
        "ended": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "counts": {"input_files": len(inputs.files), "articles": run.articles.count,
                   "outcomes": run.outcomes.count, "figures": run.figures, "errors": run.error_count,
                   "skipped": run.skipped, "warnings": run.warning_count,
                   "unsupported": dict(sorted(inputs.unsupported.items()))},
        "exit_status": status,
    })
    folder.commit()
    if check_summary is not None:
        print(check_summary)
    print(f"{summary}, {time.perf_counter() - clock:.1f} s -> {out}/", file=sys.stderr)
    return status


def _extract(article: Article, run: RunWriter, ids: ArticleIds, lang: str | None) -> None:
    """One article through the pipeline into the run's files, or its reason into errors.jsonl."""
    from extractor import pipeline

    collision = ids.claim(article)
    if collision:
        run.report(collision)
    where = article.origin or article.path
    for warning in article.warnings:
        run.report(InputError(where, warning, article.id, level="warning"))
    try:
        result = pipeline.process_article(article, lang)
    except pipeline.SkippedArticle as e:
        run.skipped += 1
        run.report(InputError(where, f"skipped: {e}", article.id))
        return
    except Exception as e:  # noqa: BLE001 - one article's failure must not cost the rest of the corpus
        run.report(InputError(where, f"extraction failed: {type(e).__name__}: {e}", article.id))
        return
    run.write_article(article, result)


class RunWriter:
    """The three JSON Lines files of a run, written one whole article at a time."""

    def __init__(self, folder: RunFolder, say: Callable[[str], None]) -> None:
        self.say = say  # a line for the user: above the progress bar when there is one
        self.articles = folder.open(ARTICLES_FILE)
        self.outcomes = folder.open(OUTCOMES_FILE)
        self.errors = folder.open(ERRORS_FILE)
        self.figures = self.skipped = self.error_count = self.warning_count = 0
        self.syndication = SyndicationIndex()

    def report(self, error: InputError) -> None:
        self.errors.write(error.as_record())
        if error.level == "warning":
            self.warning_count += 1
        else:
            self.error_count += 1
        self.say(f"{error.level}: {error.path}: {error.reason}")

    def write_article(self, article: Article, result: ArticleResult) -> None:
        """All of the article's lines, or none: a value JSON cannot hold (Infinity) is the article's error."""
        copy = self.syndication.match(result.article.get("text") or "")
        result.article["duplicate_of"] = copy.copied
        try:
            article_line = json_line(result.article)
            outcome_lines = [json_line(o) for o in result.outcomes]
        except ValueError as e:
            self.report(InputError(article.origin or article.path, f"not written: {e}", article.id))
            return
        for warning in result.warnings:
            self.report(InputError(article.origin or article.path, warning, article.id, level="warning"))
        self.articles.write_line(article_line)
        self.syndication.remember(article.id, copy)
        for line in outcome_lines:
            self.outcomes.write_line(line)
        self.figures += len(result.article["figures"])


def patterns_digest() -> str:
    """sha256 over every rule file (relative path and bytes): which rules produced an output."""
    root = patterns.patterns_dir()
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class _NoBar:
    def __enter__(self) -> _NoBar:
        return self

    def write(self, line: str) -> None:
        print(line, file=sys.stderr)

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None


def _progress(total: int, disabled: bool, stream: TextIO | None = None) -> Any:
    """A bar over the input files (total and ETA known from the walk) on a terminal; else nothing."""
    stream = stream or sys.stderr
    if disabled or not stream.isatty():
        return _NoBar()
    from tqdm import tqdm

    class Bar(tqdm):  # type: ignore[misc, type-arg]
        def write(self, line: str) -> None:  # type: ignore[override]
            tqdm.write(line, file=stream)  # above the bar, which is drawn again below

    return Bar(total=total, desc="files", unit=" file", file=stream)


def cmd_bench(args: argparse.Namespace) -> int:
    from extractor.bench import run_benchmark

    return run_benchmark(args.articles, args.corpus)


if __name__ == "__main__":
    sys.exit(main())
