"""Throughput benchmark: the pipeline against one plain tokenizer pass over the same text.

Builds a corpus of N articles by cycling the shipped ones (each copy its own id), runs the whole
pipeline per language, and in the same run times one `underthesea.word_tokenize` pass (Vietnamese) and
one `jieba.lcut` pass (Chinese) over the same texts: the ratio says what extraction costs on top of
tokenizing. Prints articles/s, MB/s and peak memory (max RSS).
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from extractor.corpus import Article, iter_corpus
from extractor.lang import codes, get_pack
from extractor.language import detect_language
from extractor.pipeline import process_article


def _corpus(n: int, corpus_dir: str | None) -> dict[str, list[Article]]:
    root = Path(corpus_dir) if corpus_dir else Path(__file__).resolve().parent.parent / "corpus"
    seeds = [a for a in iter_corpus([root]) if isinstance(a, Article)]
    if not seeds:
        raise SystemExit(f"no articles under {root}")
    by_lang: dict[str, list[Article]] = {code: [] for code in codes()}
    for i in range(n):
        seed = seeds[i % len(seeds)]
        lang = detect_language(seed.text).lang
        if lang is None:
            continue
        by_lang[lang].append(Article(id=f"{seed.id}-{i}", path=seed.path, text=seed.text, title=seed.title,
                                     published=seed.published))
    return by_lang


def _reference(lang: str, texts: list[str]) -> float:
    started = time.perf_counter()
    get_pack(lang).reference_pass(texts)
    return time.perf_counter() - started


def run_benchmark(n: int, corpus_dir: str | None = None) -> int:
    by_lang = _corpus(n, corpus_dir)
    # Warm up: load models, dictionaries and gazetteers once, outside the timings.
    for lang, articles in by_lang.items():
        if articles:
            process_article(articles[0])
            _reference(lang, [articles[0].text])
    total_chars = total_seconds = 0.0
    total_articles = 0
    print(f"{'lang':<5}{'articles':>9}{'MB':>8}{'seconds':>9}{'art/s':>8}{'MB/s':>7}{'tokenizer s':>12}{'ratio':>7}")
    for lang, articles in by_lang.items():
        if not articles:
            continue
        texts = [a.text for a in articles]
        megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        started = time.perf_counter()
        for article in articles:
            process_article(article)
        seconds = time.perf_counter() - started
        reference = _reference(lang, texts)
        print(f"{lang:<5}{len(articles):>9}{megabytes:>8.2f}{seconds:>9.1f}{len(articles) / seconds:>8.1f}"
              f"{megabytes / seconds:>7.2f}{reference:>12.1f}{seconds / reference:>7.1f}x")
        total_chars += megabytes
        total_seconds += seconds
        total_articles += len(articles)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"all  {total_articles:>9}{total_chars:>8.2f}{total_seconds:>9.1f}{total_articles / total_seconds:>8.1f}"
          f"{total_chars / total_seconds:>7.2f}   peak memory {peak_mb:.0f} MB")
    sys.stdout.flush()
    return 0
