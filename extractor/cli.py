"""The `extract` command: run (corpus → outcomes), check (fact-checks), fetch (news → corpus), bench."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from extractor import __version__, patterns
from extractor.corpus import walk_inputs
from extractor.lang import codes
from extractor.output import RUN_FILE, OutputError, RunFolder
from extractor.parallel import WorkerDied, free_cores
from extractor.runner import DEFAULT_SHARD_SIZE, Run, RunOptions
from extractor.schemas import SCHEMA_VERSION
from extractor.shards import ShardStore

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(next((a for a in argv if not a.startswith("-")), None))
    args = parser.parse_args(argv)
    args.argv = argv
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


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; `command` (the subcommand named on the command line) is the only optional one whose
    module is imported: `extract run` never loads the fetcher's HTTP stack."""
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
    run.add_argument("--workers", type=_positive_int, default=0,
                     help="processes extracting articles (default: the free cores; a small run uses one); "
                          "the output is the same for any number")
    run.add_argument("--resume", action="store_true",
                     help="continue an interrupted run into the same --out with the same arguments, keeping "
                          "its finished shards")
    run.add_argument("--no-text", action="store_true",
                     help="leave each article's full text out of articles.jsonl (its length and sha256 are "
                          "kept; offsets still refer to the text as read): for users who keep the corpus")
    run.add_argument("--shard-size", type=_positive_int, default=DEFAULT_SHARD_SIZE,
                     help=f"input items per checkpoint (default {DEFAULT_SHARD_SIZE})")
    run.set_defaults(func=cmd_run)

    _add_optional_subcommand(sub, "check", "extractor.checks", "fact-check what `extract run` wrote", command)
    _add_optional_subcommand(sub, "fetch", "extractor.fetch", "fetch news articles into a corpus directory", command)
    _add_optional_subcommand(sub, "report", "extractor.report",
                             "write OUT_DIR/report.html: the figures highlighted in their articles, with the checks",
                             command)
    _add_optional_subcommand(sub, "check-eval", "extractor.checks.evaluation",
                             "alarm precision and recall of the checks on a table of passages", command)
    _add_optional_subcommand(sub, "export", "extractor.export",
                             "export what `extract run` wrote as Parquet, CSV or a DuckDB file", command)
    _add_optional_subcommand(sub, "evaluate", "extractor.evaluate",
                             "score what `extract run` wrote against a gold file of hand-coded articles", command)

    merge = sub.add_parser("merge", help="merge a cluster job's shards into one output folder", description=(
        "Join the articles/, outcomes/ and errors/ JSONL shards that the datatrove pipeline (extractor.cluster) "
        "wrote into one output folder like extract run's, which extract check reads."))
    merge.add_argument("shards", help="the pipeline's output folder (holding articles/, outcomes/, errors/)")
    merge.add_argument("--out", required=True, help="the merged output folder (replaced in one step)")
    merge.set_defaults(func=cmd_merge)

    bench = sub.add_parser("bench", help="measure throughput on corpora built from the shipped one")
    from extractor.bench import add_arguments as bench_arguments

    bench_arguments(bench)
    bench.set_defaults(func=cmd_bench)
    return parser


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not 1 or more")
    return number


def _module_file_exists(module: str) -> bool:
    """Whether one of the package's modules is installed, found without importing it or its parent
    packages (importlib.util.find_spec imports a dotted name's parents: `extractor.checks` for
    `extractor.checks.evaluation`, 60 ms of every run's start-up)."""
    base = Path(__file__).resolve().parent.joinpath(*module.split(".")[1:])
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _add_optional_subcommand(sub: argparse._SubParsersAction, name: str, module: str, help_text: str,
                             command: str | None) -> None:
    import importlib

    if command != name:  # listed in the help only; its module (and what it imports) stays unloaded
        if _module_file_exists(module):
            sub.add_parser(name, help=help_text, description=help_text)
        return
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
    except WorkerDied as e:  # not an article's fault, nor the user's: the finished shards are kept
        folder.abort()
        print(f"extract run: {e}; {out} left as it was", file=sys.stderr)
        return EXIT_SOME_FAILED
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
    run_key = {"version": __version__, "patterns_sha256": patterns_digest(),
               "inputs": [os.path.abspath(p) for p in args.inputs], "lang": args.lang,
               "text": not args.no_text, "shard_size": args.shard_size}
    store = ShardStore(folder.out, run_key, args.resume)
    if args.resume and not store.resuming:
        print(f"extract run: --resume: no interrupted run into {out} to continue; starting from the beginning",
              file=sys.stderr)
    options = RunOptions(lang=args.lang, keep_text=not args.no_text, shard_size=args.shard_size,
                         workers=args.workers if args.workers else free_cores())
    total = None if args.no_progress or not sys.stderr.isatty() else _count_files(args.inputs, folder.out)
    try:
        with _progress(total, args.no_progress) as bar:
            run = Run(folder, store, options, bar.write, bar.update)
            try:
                run.execute(args.inputs, [folder.out])
            finally:
                run.abandon()
        return _finish_run(folder, store, run, args, started, clock)
    except OutputError:  # --out is not ours to replace: nothing to resume into it
        store.remove()
        raise
    except BaseException:
        if store.resumed or _finished_shards(store):
            store.close()  # the finished shards stay for --resume
            print(f"extract run: finished shards kept in {store.path}; `extract run --resume` with the same "
                  "arguments continues from there", file=sys.stderr)
        else:
            store.remove()  # nothing finished: nothing worth resuming
        raise


def _finished_shards(store: ShardStore) -> bool:
    return store.path.is_dir() and any(name.endswith(".done") for name in os.listdir(store.path))


def _count_files(inputs: list[str], out: Path) -> int:
    """The number of input files, for the progress bar's total and ETA (a walk of names only)."""
    return sum(1 for entry in walk_inputs(inputs, [out]) if isinstance(entry, Path))


def _finish_run(folder: RunFolder, store: ShardStore, run: Run, args: argparse.Namespace,
                started: dt.datetime, clock: float) -> int:
    out = Path(args.out)
    totals = run.totals
    summary = (f"{totals.articles} articles, {totals.outcomes} outcomes, {totals.figures} figures, "
               f"{totals.errors} errors ({totals.skipped} skipped), {totals.warnings} warnings")
    if run.unsupported:
        summary += "; not read: " + ", ".join(f"{n} {ext}" for ext, n in sorted(run.unsupported.items()))
    if store.resumed:
        summary += f"; {store.resumed} of {run.shards} shards kept from the interrupted run"
    if not totals.articles:
        folder.abort()
        store.remove()
        kept = f"{out} left as it was" if os.path.lexists(folder.out) else "nothing written"
        why = "no article read" if not totals.skipped else f"no article written ({totals.skipped} skipped)"
        print(f"{summary}\nextract run: {why} from {' '.join(args.inputs)}; {kept}", file=sys.stderr)
        return EXIT_SOME_FAILED
    run.join()
    status = EXIT_SOME_FAILED if totals.errors else EXIT_OK
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
        "counts": {"input_files": run.input_files, "articles": totals.articles,
                   "outcomes": totals.outcomes, "figures": totals.figures, "errors": totals.errors,
                   "skipped": totals.skipped, "warnings": totals.warnings,
                   "unsupported": dict(sorted(run.unsupported.items()))},
        "exit_status": status,
    })
    folder.commit()
    store.remove()
    if check_summary is not None:
        print(check_summary)
    print(f"{summary}, {time.perf_counter() - clock:.1f} s -> {out}/", file=sys.stderr)
    return status


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


def _progress(total: int | None, disabled: bool, stream: TextIO | None = None) -> Any:
    """A bar over the input files (total and ETA known from the walk) on a terminal; else nothing."""
    stream = stream or sys.stderr
    if disabled or not stream.isatty():
        return _NoBar()
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked from this one

    class Bar(tqdm):  # type: ignore[misc, type-arg]
        def write(self, line: str) -> None:  # type: ignore[override]
            tqdm.write(line, file=stream)  # above the bar, which is drawn again below

    return Bar(total=total, desc="files", unit=" file", file=stream)


def cmd_merge(args: argparse.Namespace) -> int:
    from extractor.cluster.merge import merge_shards

    shards = Path(args.shards)
    if not (shards / "articles").is_dir():
        print(f"extract merge: {shards} holds no articles/ folder of shards", file=sys.stderr)
        return EXIT_USAGE
    try:
        counts = merge_shards(shards, Path(args.out))
    except OutputError as e:
        print(f"extract merge: {e}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{counts['articles']} articles, {counts['outcomes']} outcomes, {counts['errors']} errors -> {args.out}/",
          file=sys.stderr)
    return EXIT_OK


def cmd_bench(args: argparse.Namespace) -> int:
    from extractor.bench import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
