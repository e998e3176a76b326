"""Throughput benchmark: whole `extract run` processes against one plain tokenizer pass over the same text.

For each language and size it writes a corpus of N articles (the seed articles of that language
cycled, each copy its own file and id) and times, as whole processes (start-up, reading and writing
included), `extract run` with 1, 2 and N workers and one plain pass of the language's reference
tokenizer over the same files (`underthesea.word_tokenize` for Vietnamese, `jieba.lcut` for Chinese):
the ratio says what extraction costs next to tokenizing once. Also start-up (a one-article run),
articles/s per core, MB/s and peak memory (the largest process's maximum RSS). Each figure is the
median of `--repeat` runs, alternated so that a machine's drift touches every column alike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from extractor.corpus import Article, iter_corpus
from extractor.lang import codes, get_pack
from extractor.language import detect_language

# Above this size the plain tokenizer pass is not timed: over 100,000 Vietnamese articles it alone takes
# about two hours on a 2-core machine; the large size is there for memory and throughput.
REFERENCE_MAX_ARTICLES = 10_000


@dataclass
class Timing:
    seconds: float
    peak_mb: float


def _seeds(corpus_dir: str | None) -> dict[str, list[Article]]:
    root = Path(corpus_dir) if corpus_dir else Path(__file__).resolve().parent.parent / "corpus"
    by_lang: dict[str, list[Article]] = {code: [] for code in codes()}
    for item in iter_corpus([root]):
        if isinstance(item, Article) and (lang := detect_language(item.text).lang):
            by_lang[lang].append(item)
    if not any(by_lang.values()):
        raise SystemExit(f"no articles under {root}")
    return by_lang


def write_corpus(folder: Path, seeds: list[Article], n: int) -> float:
    """N article files cycling `seeds`; returns the megabytes of text written."""
    folder.mkdir(parents=True)
    size = 0
    for i in range(n):
        seed = seeds[i % len(seeds)]
        data = seed.text.encode("utf-8")
        (folder / f"{seed.id}-{i:06d}.txt").write_bytes(data)
        size += len(data)
    return size / 1e6


def timed(command: list[str]) -> Timing:
    """Wall time and peak RSS (the largest of the process and its workers) of one whole process."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    errors = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(command)}\n"
                         f"{errors.decode()[-2000:]}")
    return Timing(seconds, usage.ru_maxrss / 1024)


def _run_command(corpus: Path, out: Path, workers: int) -> list[str]:
    return [sys.executable, "-m", "extractor.cli", "run", str(corpus), "--out", str(out), "--no-progress",
            "--workers", str(workers)]


_READ_TEXTS = (
    "import pathlib, sys\n"
    "texts = [p.read_text(encoding='utf-8') for p in sorted(pathlib.Path(sys.argv[1]).iterdir())]\n"
)


def _reference_command(lang: str, corpus: Path) -> list[str]:
    """The pack's plain tokenizer pass as its own script: nothing of the extractor is loaded in it."""
    return [sys.executable, "-c", _READ_TEXTS + get_pack(lang).reference_code, str(corpus)]


def _median(timings: list[Timing]) -> Timing:
    return Timing(statistics.median(t.seconds for t in timings), statistics.median(t.peak_mb for t in timings))


def run_benchmark(sizes: list[int], corpus_dir: str | None = None, workers: list[int] | None = None,
                  repeat: int = 1, langs: list[str] | None = None) -> int:
    seeds = _seeds(corpus_dir)
    cores = os.cpu_count() or 1
    workers = workers or sorted({1, 2, cores})
    header = (f"{'lang':<5}{'articles':>9}{'workers':>8}{'MB':>8}{'seconds':>9}{'art/s':>8}{'art/s/core':>11}"
              f"{'MB/s':>7}{'peak MB':>8}{'tokenizer s':>12}{'ratio':>7}{'speed-up':>9}")
    print(f"whole processes, median of {repeat}; {cores} cores; ratio = extraction / one plain tokenizer pass")
    with tempfile.TemporaryDirectory(prefix="extractor-bench-") as tmp:
        root = Path(tmp)
        for lang in langs or list(codes()):
            if not seeds[lang]:
                continue
            one = root / f"{lang}-startup"
            write_corpus(one, seeds[lang][:1], 1)
            startup = _median([timed(_run_command(one, root / "out", 1)) for _ in range(repeat)])
            print(f"\n{lang}: start-up (a one-article run) {startup.seconds:.2f} s, {startup.peak_mb:.0f} MB")
            print(header)
            for n in sizes:
                corpus = root / f"{lang}-{n}"
                megabytes = write_corpus(corpus, seeds[lang], n)
                runs: dict[int, list[Timing]] = {w: [] for w in workers}
                references: list[Timing] = []
                for _ in range(repeat):  # alternated: drift on a shared machine touches every column
                    if n <= REFERENCE_MAX_ARTICLES:
                        references.append(timed(_reference_command(lang, corpus)))
                    for w in workers:
                        runs[w].append(timed(_run_command(corpus, root / "out", w)))
                reference = _median(references) if references else None
                single = _median(runs[workers[0]]).seconds
                for w in workers:
                    t = _median(runs[w])
                    versus = (f"{reference.seconds:>12.1f}{t.seconds / reference.seconds:>6.2f}x" if reference
                              else f"{'-':>12}{'-':>7}")
                    print(f"{lang:<5}{n:>9}{w:>8}{megabytes:>8.2f}{t.seconds:>9.1f}{n / t.seconds:>8.1f}"
                          f"{n / t.seconds / w:>11.1f}{megabytes / t.seconds:>7.2f}{t.peak_mb:>8.0f}"
                          f"{versus}{single / t.seconds:>8.2f}x")
                sys.stdout.flush()
                _remove_tree(corpus)
    return 0


def _remove_tree(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--articles", type=int, nargs="+", default=[1000],
                        help="corpus sizes, per language (default: 1000; e.g. --articles 1000 10000)")
    parser.add_argument("--large", action="store_true", help="also 100,000 articles (a long run)")
    parser.add_argument("--workers", type=int, nargs="+", default=None,
                        help="worker counts to time (default: 1, 2 and every core)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure (the median is shown)")
    parser.add_argument("--lang", choices=codes(), action="append", help="only this language (repeatable)")
    parser.add_argument("--corpus", default=None, help="directory of seed articles (default: corpus/)")


def run(args: argparse.Namespace) -> int:
    sizes = list(args.articles) + ([100_000] if args.large else [])
    return run_benchmark(sizes, args.corpus, args.workers, max(1, args.repeat), args.lang)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m extractor.bench")
    add_arguments(parser)
    sys.exit(run(parser.parse_args()))
