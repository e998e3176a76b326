"""The body of `extract run`: inputs read lazily, articles extracted (in worker processes when asked),
lines written in input order into checkpointed shards, shards joined into the run folder at the end.

The parent does everything that depends on the whole run, in input order: walking the inputs, reading
files, giving each article a unique id, cutting shards, writing. Workers only run `batch_lines`, so
`--workers N` writes byte for byte what `--workers 1` writes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractor.corpus import Article, ArticleIds, InputError, read_guarded, walk_inputs
from extractor.output import ERRORS_FILE, OUTCOMES_FILE, RunFolder, json_line
from extractor.parallel import ordered_map
from extractor.results import ArticleLines, batch_lines
from extractor.shards import SHARD_FILES, ShardCounts, ShardStore, ShardWriter, item_digest
from extractor.syndication import SyndicationIndex

BATCH_ARTICLES = 8  # articles per worker task: few enough to keep every worker busy, many enough to amortise IPC
DEFAULT_SHARD_SIZE = 1000  # items per checkpoint
_NOT_A_COPY = '"duplicate_of": null}\n'  # how an article line ends before the run finds it is a copy


@dataclass
class Work:
    """One input item in order: the parent's own lines for it (a walk or read error, an id collision,
    the input's warnings) and the article to extract, if any; `files_done` moves the progress bar."""

    before: list[InputError] = field(default_factory=list)
    article: Article | None = None
    files_done: int = 0

    @property
    def is_item(self) -> bool:
        return self.article is not None or bool(self.before)


@dataclass
class RunOptions:
    lang: str | None = None
    keep_text: bool = True
    workers: int = 1
    shard_size: int = DEFAULT_SHARD_SIZE


class Run:
    """One run into `folder`, checkpointed in `store`; `say` prints a line for the user."""

    def __init__(self, folder: RunFolder, store: ShardStore, options: RunOptions,
                 say: Callable[[str], None], progress: Callable[[int], None]) -> None:
        self.folder, self.store, self.options = folder, store, options
        self.say, self.progress = say, progress
        self.totals = ShardCounts()
        self.input_files = 0
        self.unsupported: Counter[str] = Counter()
        self.shards = 0
        self._writer: ShardWriter | None = None
        self.syndication = SyndicationIndex()  # copies are found in reading order, by the parent

    # --- reading, in the parent -------------------------------------------------------------------

    def _works(self, inputs: Iterable[str], exclude: list[Path]) -> Iterator[Work]:
        ids = ArticleIds()
        for entry in walk_inputs(inputs, exclude, self.unsupported):
            if isinstance(entry, InputError):
                yield Work([entry])
                continue
            self.input_files += 1
            for item in read_guarded(entry):
                if isinstance(item, InputError):
                    yield Work([item])
                    continue
                collision = ids.claim(item)
                where = item.origin or item.path
                before = [collision] if collision else []
                before += [InputError(where, w, item.id, level="warning") for w in item.warnings]
                yield Work(before, item)
            yield Work(files_done=1)

    def _tasks(self, works: Iterator[Work]) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...] | None]]:
        """(tag, args) for `ordered_map`: batches of a shard to extract, a shard's end, a finished shard."""
        size = self.options.shard_size
        n, count, digest, batch = 0, 0, item_digest(), []
        held: list[Work] | None = [] if self.store.finished(0) else None  # a finished shard is checked first

        def flush() -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...] | None]]:
            nonlocal batch
            if batch:
                articles = [w.article for w in batch if w.article is not None]
                yield ("batch", n, batch), ((articles, self.options.lang, self.options.keep_text)
                                            if articles else None)
                batch = []

        for work in works:
            if work.is_item:
                if count == size:  # the shard is full: close it, start the next
                    yield from self._end_shard(n, digest.hexdigest(), held)
                    yield from flush()
                    yield ("end", n, digest.hexdigest()), None
                    n, count, digest = n + 1, 0, item_digest()
                    held = [] if self.store.finished(n) else None
                count += 1
                _digest_item(digest, work)
            if held is not None:
                held.append(work)
                continue
            batch.append(work)
            if sum(w.article is not None for w in batch) >= BATCH_ARTICLES:
                yield from flush()
        if count:
            yield from self._end_shard(n, digest.hexdigest(), held)
            yield from flush()
            yield ("end", n, digest.hexdigest()), None

    def _end_shard(self, n: int, digest: str, held: list[Work] | None) -> Iterator[Any]:
        """A finished shard of the interrupted run is kept when its items are the same ones; else its
        held items are extracted again."""
        if held is None:
            return
        finished = self.store.finished(n)
        if finished is not None and finished.digest == digest:
            yield ("kept", n, finished, sum(w.files_done for w in held)), None
            held.clear()
            return
        for start in range(0, len(held), BATCH_ARTICLES):
            chunk = held[start : start + BATCH_ARTICLES]
            articles = [w.article for w in chunk if w.article is not None]
            yield ("batch", n, chunk), ((articles, self.options.lang, self.options.keep_text) if articles else None)
        held.clear()

    # --- writing, in the parent -------------------------------------------------------------------

    def execute(self, inputs: Iterable[str], exclude: list[Path]) -> None:
        tasks = self._tasks(self._works(inputs, exclude))
        for tag, results in ordered_map(batch_lines, tasks, self.options.workers):
            kind, n = tag[0], tag[1]
            if kind == "batch":
                self._write_batch(n, tag[2], results or [])
            elif kind == "end":
                if self._writer is not None and self._writer.n == n:
                    self.totals.add(self._writer.finish(tag[2]))
                    self._writer = None
                self.shards = n + 1
            elif kind == "kept":
                self._remember_kept(n)
                self.totals.add(tag[2])
                self.store.resumed += 1
                self.progress(tag[3])
                self.shards = n + 1

    def _write_batch(self, n: int, works: list[Work], results: list[ArticleLines]) -> None:
        if self._writer is None or self._writer.n != n:
            self._writer = self.store.open(n)
        writer = self._writer
        lines = iter(results)
        for work in works:
            if work.is_item:
                writer.counts.items += 1
            for error in work.before:
                self._report(writer, error)
            if work.article is not None:
                self._write_article(writer, next(lines), work.article.id)
            if work.files_done:
                self.progress(work.files_done)

    def _report(self, writer: ShardWriter, error: InputError) -> None:
        writer.write(ERRORS_FILE, json_line(error.as_record()))
        if error.level == "warning":
            writer.counts.warnings += 1
        else:
            writer.counts.errors += 1
        self.say(f"{error.level}: {error.path}: {error.reason}")

    def _write_article(self, writer: ShardWriter, lines: ArticleLines, article_id: str) -> None:
        for error in lines.errors:
            self._report(writer, error)
        writer.counts.skipped += lines.skipped
        if lines.article is None:
            return
        copy = self.syndication.match_fingerprint(*lines.fingerprint)
        article_line = lines.article
        if copy.copied is not None and article_line.endswith(_NOT_A_COPY):  # the record's last key (pipeline)
            original = json.dumps(copy.copied, ensure_ascii=False)
            article_line = article_line[: -len(_NOT_A_COPY)] + f'"duplicate_of": {original}}}\n'
        self.syndication.remember(article_id, copy)
        writer.write("articles.jsonl", article_line)
        for line in lines.outcomes:
            writer.write(OUTCOMES_FILE, line)
        writer.counts.articles += 1
        writer.counts.outcomes += len(lines.outcomes)
        writer.counts.figures += lines.figures

    def _remember_kept(self, n: int) -> None:
        """A shard kept from the interrupted run: its articles are originals of later copies as before (read
        again from its lines; without their text, `--no-text` runs cannot tell copies across a resume)."""
        path = self.store.files(n).get("articles.jsonl")
        if path is None or not Path(path).exists():
            return
        with open(path, encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                found = self.syndication.match(record.get("text") or "")
                self.syndication.remember(str(record["id"]), found)

    def join(self) -> None:
        """Every shard's lines, in order, into the run folder's files."""
        writers = {name: self.folder.open(name) for name in SHARD_FILES}
        for n in range(self.shards):
            for name, path in self.store.files(n).items():
                writers[name].append_file(path)

    def abandon(self) -> None:
        if self._writer is not None:
            self._writer.abandon()


def _digest_item(digest: Any, work: Work) -> None:
    if work.article is not None:
        origin = work.article.origin or work.article.path
        digest.update(f"a\0{origin}\0{work.article.id}\0".encode("utf-8", "surrogatepass"))
    for error in work.before:
        digest.update(f"e\0{error.path}\0{error.reason}\0".encode("utf-8", "surrogatepass"))
