"""`extract run` under hostile input: every failure is one article's, one run is one consistent output
folder, every failure gets a clear word and the right exit code (issue 12)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from extractor import cli, output, pipeline
from extractor.cli import main
from extractor.output import read_jsonl

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "corpus"
VI = "Hiến máu tại Mê Linh\n\nNgày 9/4/2024, huyện Mê Linh tiếp nhận 320 đơn vị máu của người hiến máu tình nguyện."
ZH = "南京献血\n\n2024年3月5日，南京市鼓楼区共有320人参加无偿献血，献血量达9.6万毫升。"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def run(*args: str | Path) -> int:
    return main(["run", *map(str, args), "--no-progress"])


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a folder, by name, with its bytes: what "byte for byte" compares."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def corpus_of(root: Path, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def errors_by_name(out: Path) -> dict[str, dict[str, Any]]:
    return {Path(e["path"]).name: e for e in read_jsonl(out / "errors.jsonl")}


@pytest.fixture
def done(tmp_path: Path) -> Path:
    """An output folder holding a complete earlier run."""
    out = tmp_path / "out"
    assert run(corpus_of(tmp_path / "first", {"vi.txt": VI, "zh.txt": ZH}), "--out", out) == 0
    return out


# ---------------------------------------------------------------- one article's failure, never the run's


def test_a_filename_that_is_not_utf8_is_read_and_written(tmp_path: Path) -> None:
    src = tmp_path / "c"
    src.mkdir()
    name = os.fsencode(src) + b"/b\xe1o-c\xe1o.txt"  # Latin-1 bytes, not UTF-8
    with open(name, "wb") as f:
        f.write(VI.encode("utf-8"))
    out = tmp_path / "out"
    assert run(src, "--out", out) == 0
    raw = (out / "articles.jsonl").read_bytes()
    raw.decode("utf-8")  # valid UTF-8, the odd bytes escaped
    [article] = read_jsonl(out / "articles.jsonl")
    assert os.fsencode(article["path"]) == name  # the escape reads back as the file's own name


@pytest.mark.parametrize("field", ["text", "title"])
def test_a_lone_surrogate_in_a_jsonl_line_costs_nothing(tmp_path: Path, field: str) -> None:
    record = {"id": "s1", "text": VI, "title": "Hiến máu tại Mê Linh"}
    record[field] = record[field].replace("Mê Linh", "Mê \ud800Linh")
    src = corpus_of(tmp_path / "c", {"b.jsonl": json.dumps(record) + "\n"})  # json.dumps escapes it: \ud800
    out = tmp_path / "out"
    assert run(src, "--out", out) == 0
    [article] = read_jsonl(out / "articles.jsonl")
    assert "\ufffd" in article[field]
    text = article["text"]
    assert all(text[f["start"] : f["end"]] == f["text"] for f in article["figures"])
    [warning] = read_jsonl(out / "errors.jsonl")
    assert warning["level"] == "warning" and "surrogate" in warning["reason"]


def test_a_lone_surrogate_in_an_id_is_written_as_its_escape(tmp_path: Path) -> None:
    src = corpus_of(tmp_path / "c", {"b.jsonl": json.dumps({"id": "s\ud800", "text": VI}) + "\n"})
    assert run(src, "--out", tmp_path / "out") == 0
    [article] = read_jsonl(tmp_path / "out" / "articles.jsonl")
    assert article["id"] == "s\\ud800"
    assert {o["article_id"] for o in read_jsonl(tmp_path / "out" / "outcomes.jsonl")} == {"s\\ud800"}


def test_a_lone_surrogate_in_a_sidecar_title_costs_nothing(tmp_path: Path) -> None:
    src = corpus_of(tmp_path / "c", {"a.txt": VI, "a.meta.json": '{"title": "H\\ud800i", "published": "2024-04-10"}'})
    assert run(src, "--out", tmp_path / "out") == 0
    [article] = read_jsonl(tmp_path / "out" / "articles.jsonl")
    assert article["title"] == "H\ufffdi" and article["published"] == "2024-04-10"


PAGE = "<html><head>{head}</head><body><article><p>" + VI.split("\n\n")[1] + "</p></article></body></html>"


@pytest.mark.parametrize("head", [
    '<link rel="canonical" href="http://[oops/x">',
    '<script type="application/ld+json">' + "[" * 100_000 + "</script>",
], ids=["bad canonical URL", "JSON-LD nested 100,000 deep"])
def test_a_hostile_page_is_read_without_the_broken_metadata(tmp_path: Path, head: str) -> None:
    src = corpus_of(tmp_path / "c", {"page.html": PAGE.format(head=head), "other.txt": ZH})
    out = tmp_path / "out"
    assert run(src, "--out", out) == 0
    articles = {a["id"]: a for a in read_jsonl(out / "articles.jsonl")}
    assert set(articles) == {"page", "other"} and articles["page"]["figures"]


def test_a_parser_crash_is_that_file_s_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import extractor.html

    def broken(*args: object, **kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(extractor.html, "parse_html", broken)
    src = corpus_of(tmp_path / "c", {"page.html": PAGE.format(head=""), "vi.txt": VI,
                                     "b.jsonl": json.dumps({"id": "h", "html": PAGE.format(head="")}) + "\n"
                                     + json.dumps({"id": "t", "text": ZH}) + "\n"})
    out = tmp_path / "out"
    assert run(src, "--out", out) == 1
    assert {a["id"] for a in read_jsonl(out / "articles.jsonl")} == {"vi", "t"}
    errors = errors_by_name(out)
    assert "RecursionError" in errors["page.html"]["reason"] and "RecursionError" in errors["b.jsonl:1"]["reason"]


def test_a_value_json_cannot_hold_is_that_article_s_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = pipeline.process_article

    def infinite(article: Any, lang: str | None = None) -> pipeline.ArticleResult:
        result = real(article, lang)
        if article.id == "vi":
            result.outcomes[0]["metrics"][0]["value"] = float("inf")
        return result

    monkeypatch.setattr(pipeline, "process_article", infinite)
    src = corpus_of(tmp_path / "c", {"vi.txt": VI, "zh.txt": ZH})
    out = tmp_path / "out"
    assert run(src, "--out", out) == 1
    assert "Infinity" not in (out / "outcomes.jsonl").read_text(encoding="utf-8")
    assert [a["id"] for a in read_jsonl(out / "articles.jsonl")] == ["zh"]  # none of vi's lines, not half
    assert {o["article_id"] for o in read_jsonl(out / "outcomes.jsonl")} == {"zh"}
    assert "not written" in errors_by_name(out)["vi.txt"]["reason"]


def test_a_309_digit_number_never_writes_infinity(tmp_path: Path) -> None:
    huge = f"Tin\n\nNgày 9/4/2024 tiếp nhận {'9' * 309} đơn vị máu."
    src = corpus_of(tmp_path / "c", {"big.txt": huge, "vi.txt": VI})
    out = tmp_path / "out"
    assert run(src, "--out", out) in (0, 1)
    for name in ("articles.jsonl", "outcomes.jsonl"):
        for line in (out / name).read_text(encoding="utf-8").splitlines():
            json.loads(line, parse_constant=lambda c, name=name: pytest.fail(f"{c} in {name}"))


# ---------------------------------------------------------------- special files


def test_special_entries_are_named_never_followed(tmp_path: Path) -> None:
    src = corpus_of(tmp_path / "c", {"vi.txt": VI, "sub/zh.txt": ZH})
    os.mkfifo(src / "fifo.txt")
    os.symlink(src / "loop-b.txt", src / "loop-a.txt")
    os.symlink(src / "loop-a.txt", src / "loop-b.txt")
    os.symlink(src / "gone.txt", src / "dangling.txt")
    os.symlink(src / "sub", src / "linked-sub")
    os.symlink(src / "vi.txt", src / "alias.txt")  # a symlink to a regular file is read like the file
    out = tmp_path / "out"
    assert run(src, "--out", out) == 1  # and it returned: the FIFO blocked nothing
    errors = {k: v["reason"] for k, v in errors_by_name(out).items() if v["level"] == "error"}
    assert "FIFO" in errors["fifo.txt"]
    assert "loop" in errors["loop-a.txt"] and "loop" in errors["loop-b.txt"]
    assert "dangling" in errors["dangling.txt"]
    assert "symlinked folder" in errors["linked-sub"]
    assert sorted(a["id"] for a in read_jsonl(out / "articles.jsonl"))[:2] == ["alias", "vi"]


@pytest.mark.parametrize("make,words", [
    (os.mkfifo, "FIFO"),
    (lambda p: os.symlink(p, p), "loop"),
    (lambda p: os.symlink(Path(p).with_name("missing.txt"), p), "dangling"),
], ids=["fifo", "loop", "dangling"])
def test_a_special_file_named_directly_says_what_it_is(tmp_path: Path, make: Any, words: str) -> None:
    target = tmp_path / "input.txt"
    make(str(target))
    assert run(target, SEEDS / "003_5c398355415ae7bd.txt", "--out", tmp_path / "out") == 1
    assert words in errors_by_name(tmp_path / "out")["input.txt"]["reason"]


def test_an_unreadable_folder_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = corpus_of(tmp_path / "c", {"vi.txt": VI, "locked/zh.txt": ZH})
    other = corpus_of(tmp_path / "locked", {"zh.txt": ZH})
    real = os.scandir

    def scandir(path: Any) -> Any:  # chmod 000 does not stop root: the refusal it would cause
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    out = tmp_path / "out"
    assert run(src, other, "--out", out) == 1  # a subfolder, and an input folder named directly
    errors = [e for e in read_jsonl(out / "errors.jsonl") if Path(e["path"]).name == "locked"]
    assert [e["path"] for e in errors] == [str(src / "locked"), str(other)]
    assert all("unreadable folder: Permission denied" in e["reason"] for e in errors)
    assert [a["id"] for a in read_jsonl(out / "articles.jsonl")] == ["vi"]


def test_pytest_s_temporary_folders_go_with_the_temporary_home(tmp_path: Path) -> None:
    """conftest removes HOME at the end of the session: tmp_path inside it leaves $TMPDIR as it was."""
    assert Path(os.environ["HOME"]) in tmp_path.parents


@pytest.mark.parametrize("sidecar,words", [
    (lambda p: os.mkfifo(p), "FIFO"),
    (lambda p: os.symlink("/dev/zero", p), "character device"),
    (lambda p: Path(p).write_text('{"title": "' + "x" * 2_000_000 + '"}'), "too large"),
], ids=["fifo sidecar", "sidecar linked to /dev/zero", "2 MB sidecar"])
def test_a_hostile_sidecar_is_refused_and_the_article_read(tmp_path: Path, sidecar: Any, words: str) -> None:
    src = corpus_of(tmp_path / "c", {"a.txt": VI})
    sidecar(str(src / "a.meta.json"))
    assert run(src, "--out", tmp_path / "out") == 1
    assert [a["id"] for a in read_jsonl(tmp_path / "out" / "articles.jsonl")] == ["a"]
    reason = errors_by_name(tmp_path / "out")["a.meta.json"]["reason"]
    assert "broken sidecar" in reason and words in reason


def test_unsupported_files_are_counted_and_documents_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = corpus_of(tmp_path / "c", {"vi.txt": VI, "a.png": b"\x89PNG", "b.png": b"\x89PNG", "notes": "x",
                                     "report.pdf": b"%PDF-1.4", "letter.docx": b"PK"})
    out = tmp_path / "out"
    assert run(src, "--out", out) == 1
    errors = errors_by_name(out)
    assert set(errors) == {"report.pdf", "letter.docx"}
    assert "convert it to .txt" in errors["report.pdf"]["reason"]
    summary = capsys.readouterr().err
    assert "not read: 1 (none), 1 .docx, 1 .pdf, 2 .png" in summary
    assert json.loads((out / "run.json").read_text())["counts"]["unsupported"] == {
        "(none)": 1, ".docx": 1, ".pdf": 1, ".png": 2}


# ---------------------------------------------------------------- one run, one consistent output folder


@pytest.mark.parametrize("second", ["mistyped", "empty", "pdf only"])
def test_a_run_that_read_nothing_leaves_the_output_byte_for_byte(
        tmp_path: Path, done: Path, second: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(done)
    inputs = {"mistyped": tmp_path / "corpsu",
              "empty": corpus_of(tmp_path / "empty", {}),
              "pdf only": corpus_of(tmp_path / "pdfs", {"a.pdf": b"%PDF", "b.docx": b"PK"})}[second]
    capsys.readouterr()
    assert run(inputs, "--out", done) == 1
    assert snapshot(done) == before
    assert f"{done} left as it was" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_run_check_reads_every_line_the_run_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    src = corpus_of(tmp_path / "c", {"vi.txt": VI, "zh.txt": ZH})  # small files: all in write buffers
    capsys.readouterr()
    assert main(["run", str(src), "--out", str(out), "--check", "--no-progress"]) == 0
    during = capsys.readouterr().out.splitlines()[0]
    assert main(["check", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == during
    assert "on 2 articles" in during


def test_stale_checks_never_survive_a_new_run(tmp_path: Path) -> None:
    src = corpus_of(tmp_path / "c", {"vi.txt": VI})
    out = tmp_path / "out"
    assert main(["run", str(src), "--out", str(out), "--check", "--no-progress"]) == 0
    assert (out / "checks.jsonl").exists()
    assert run(src, "--out", out) == 0
    assert not (out / "checks.jsonl").exists()


def test_run_json_says_what_produced_the_output(tmp_path: Path) -> None:
    src = corpus_of(tmp_path / "c", {"vi.txt": VI, "zh.txt": ZH, "x.pdf": b"%PDF"})
    out = tmp_path / "out"
    assert run(src, "--out", out) == 1
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert info["version"] == cli.__version__ and len(info["patterns_sha256"]) == 64
    assert info["command"] == ["extract", "run", str(src), "--out", str(out), "--no-progress"]
    assert info["inputs"] == [str(src)]
    assert info["counts"] | {"unsupported": None} == {
        "input_files": 2, "articles": 2, "outcomes": len(read_jsonl(out / "outcomes.jsonl")),
        "figures": info["counts"]["figures"], "errors": 1, "skipped": 0, "warnings": 0, "unsupported": None}
    assert info["started"] <= info["ended"] and info["exit_status"] == 1
    assert info["patterns_sha256"] == cli.patterns_digest()


def test_colliding_ids_are_made_unique_with_a_warning(tmp_path: Path) -> None:
    bundle = json.dumps({"id": "article", "text": VI}) + "\n"
    src = corpus_of(tmp_path / "c", {"a/article.txt": VI, "b/article.txt": ZH, "c.jsonl": bundle * 2})
    out = tmp_path / "out"
    assert run(src, "--out", out) == 0  # warnings only
    ids = [a["id"] for a in read_jsonl(out / "articles.jsonl")]
    assert len(ids) == 4 and len(set(ids)) == 4 and ids[0] == "article"
    assert all(i.startswith("article~") for i in ids[1:])
    warnings = read_jsonl(out / "errors.jsonl")
    assert len(warnings) == 3 and all(w["level"] == "warning" and "already used" in w["reason"] for w in warnings)
    outcome_articles = {o["article_id"] for o in read_jsonl(out / "outcomes.jsonl")}
    assert outcome_articles <= set(ids) and len(outcome_articles) == 4
    assert run(src, "--out", out) == 0 and [a["id"] for a in read_jsonl(out / "articles.jsonl")] == ids  # stable


def test_out_inside_an_input_folder_is_not_read(tmp_path: Path) -> None:
    src = corpus_of(tmp_path / "c", {"vi.txt": VI})
    for _ in range(2):
        assert run(src, "--out", src / "out") == 0
        assert [a["id"] for a in read_jsonl(src / "out" / "articles.jsonl")] == ["vi"]


def test_leftovers_of_killed_runs_are_removed(tmp_path: Path, done: Path) -> None:
    dead = 2**22 + 12345  # above pid_max's default: no such process
    (tmp_path / f".out.run-{dead}-0badf00d").mkdir()
    (tmp_path / f".out.run-{dead}-0badf00d" / "articles.jsonl").write_text("{}\n")
    (done / ".articles.jsonl.abc123.tmp").write_text("half a line")
    assert run(corpus_of(tmp_path / "c", {"vi.txt": VI}), "--out", done) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "first", "out"]
    assert not list(done.glob(".*"))


def test_files_get_the_umask_s_permissions(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        assert run(corpus_of(tmp_path / "c", {"vi.txt": VI}), "--out", tmp_path / "out", "--check") == 0
        assert main(["check", str(tmp_path / "out")]) == 0  # checks.jsonl rewritten in place
    finally:
        os.umask(old)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o750
    files = sorted((tmp_path / "out").iterdir())
    assert [p.name for p in files] == ["articles.jsonl", "checks.jsonl", "errors.jsonl", "outcomes.jsonl", "run.json"]
    assert {p.stat().st_mode & 0o777 for p in files} == {0o640}


class Killed(BaseException):
    """A kill -9 at this point: nothing after it runs, no cleanup either."""


def _die(*args: object, **kwargs: object) -> None:
    raise Killed


@pytest.mark.parametrize("where", ["while reading", "writing run.json", "fsync", "the exchange"])
def test_a_run_killed_before_the_swap_leaves_the_earlier_output(
        tmp_path: Path, done: Path, where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(done)
    monkeypatch.setattr(output.RunFolder, "abort", lambda self: None)  # a killed process cleans nothing up
    target = {"while reading": (pipeline, "process_article"), "writing run.json": (output.RunFolder, "write_json"),
              "fsync": (output, "_fsync_dir"), "the exchange": (output, "_exchange")}[where]
    monkeypatch.setattr(*target, _die)
    src = corpus_of(tmp_path / "c", {"a.txt": VI, "b.txt": VI})
    with pytest.raises(Killed):
        run(src, "--out", done)
    assert snapshot(done) == before
    monkeypatch.undo()
    monkeypatch.setattr(output, "_alive", lambda pid: False)  # the killed run's process is gone
    assert run(src, "--out", done) == 0
    assert [a["id"] for a in read_jsonl(done / "articles.jsonl")] == ["a", "b"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_kill_between_the_two_renames_is_repaired(
        tmp_path: Path, done: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the file system cannot exchange two folders, the old one moves aside first: a kill right
    after that leaves no --out, and the next run puts the earlier output back before anything else."""
    before = snapshot(done)
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    monkeypatch.setattr(output.RunFolder, "abort", lambda self: None)
    real_rename, calls = os.rename, []

    def rename(a: Any, b: Any) -> None:
        calls.append((a, b))
        if len(calls) == 2:
            raise Killed
        real_rename(a, b)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(Killed):
        run(corpus_of(tmp_path / "c", {"a.txt": VI}), "--out", done)
    assert not done.exists()
    monkeypatch.undo()
    monkeypatch.setattr(output, "_alive", lambda pid: False)
    assert run(tmp_path / "missing", "--out", done) == 1
    assert snapshot(done) == before


def _kill_when(proc: subprocess.Popen[bytes], ready: Any, timeout: float = 60) -> bool:
    """SIGKILL `proc` once `ready()` holds; False when it finished first."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if ready():
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.02)
    proc.wait()
    return False


def test_sigkill_at_any_moment_leaves_a_complete_output(tmp_path: Path) -> None:
    src = corpus_of(tmp_path / "c", {f"{i:02d}-{p.name}": p.read_text(encoding="utf-8")
                                     for i in range(4) for p in sorted(SEEDS.glob("*.txt"))})
    moments = {  # while starting; as soon as its run folder exists; once articles are being written
        "starting": lambda out: True,
        "folder made": lambda out: any(tmp_path.glob(f".{out.name}.run-*")),
        # articles are written into checkpoint shards first, then joined into the run folder
        "writing": lambda out: any(p.stat().st_size for pattern in (f".{out.name}.partial/*articles.jsonl",
                                                                    f".{out.name}.run-*/articles.jsonl")
                                   for p in tmp_path.glob(pattern)),
    }
    runs = []
    for i, moment in enumerate(moments):
        out = tmp_path / f"out{i}"
        assert run(SEEDS / "003_5c398355415ae7bd.txt", "--out", out) == 0
        proc = subprocess.Popen([sys.executable, "-m", "extractor.cli", "run", str(src), "--out", str(out),
                                 "--no-progress"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        runs.append((moment, out, snapshot(out), proc))
    for moment, out, before, proc in runs:
        killed = _kill_when(proc, lambda out=out, moment=moment: moments[moment](out))
        now = snapshot(out)
        if killed and now == before:
            pass  # the old output, untouched
        else:  # it finished first (or the kill came just after the swap): the whole new output, consistent
            assert json.loads(now["run.json"])["counts"]["articles"] == len(read_jsonl(out / "articles.jsonl")) == 20, \
                moment
        assert run(SEEDS / "003_5c398355415ae7bd.txt", "--out", out) == 0  # and the next run cleans up
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "out0", "out1", "out2"]


# ---------------------------------------------------------------- clear words, right exit codes


def test_lang_reads_that_language_and_skips_the_others(tmp_path: Path) -> None:
    src = corpus_of(tmp_path / "c", {"vi.txt": VI, "zh.txt": ZH})
    out = tmp_path / "out"
    assert run(src, "--out", out, "--lang", "vi") == 1
    assert [a["id"] for a in read_jsonl(out / "articles.jsonl")] == ["vi"]
    assert "skipped: in Chinese, not Vietnamese (--lang vi)" in errors_by_name(out)["zh.txt"]["reason"]


def test_a_run_that_skipped_every_article_says_so(tmp_path: Path, done: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(done)
    capsys.readouterr()
    assert run(corpus_of(tmp_path / "c", {"zh.txt": ZH}), "--out", done, "--lang", "vi") == 1
    assert f"no article written (1 skipped) from {tmp_path / 'c'}; {done} left as it was" in capsys.readouterr().err
    assert snapshot(done) == before


def test_a_sidecar_lang_the_script_contradicts_is_a_warning(tmp_path: Path) -> None:
    src = corpus_of(tmp_path / "c", {"a.txt": ZH, "a.meta.json": '{"lang": "vi"}'})
    out = tmp_path / "out"
    assert run(src, "--out", out) == 0
    [article] = read_jsonl(out / "articles.jsonl")
    assert article["lang"] == "zh" and article["figures"]
    [warning] = read_jsonl(out / "errors.jsonl")
    assert warning["level"] == "warning" and "written in Chinese" in warning["reason"]


@pytest.mark.parametrize("make_out,words", [
    (lambda t: (t / "file").write_text("x") and t / "file", "is not a folder"),
    (lambda t: os.symlink(t, t / "link") or t / "link", "is a symlink"),
    (lambda t: (t / "file").write_text("x") and t / "file" / "out", "cannot create"),
    (lambda t: corpus_of(t / "mine", {"thesis.txt": "x"}), "holds files no run wrote (thesis.txt)"),
    (lambda t: corpus_of(t / "versioned", {"articles.jsonl": "", ".git/HEAD": "x"}), "holds files no run wrote (.git)"),
], ids=["a file", "a symlink", "under a file", "a folder of other files", "an output folder under git"])
def test_an_invalid_out_is_one_line_and_exit_2(tmp_path: Path, make_out: Any, words: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = make_out(tmp_path)
    capsys.readouterr()
    assert run(SEEDS, "--out", out) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_file_put_into_out_during_the_run_is_not_deleted(
        tmp_path: Path, done: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    real = pipeline.process_article

    def meanwhile(article: Any, lang: str | None = None) -> pipeline.ArticleResult:
        (done / "notes.txt").write_text("mine")
        return real(article, lang)

    monkeypatch.setattr(pipeline, "process_article", meanwhile)
    capsys.readouterr()
    assert run(corpus_of(tmp_path / "c", {"vi.txt": VI}), "--out", done) == 2
    assert "holds files no run wrote (notes.txt)" in capsys.readouterr().err
    assert (done / "notes.txt").read_text() == "mine" and (done / "run.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_out_holding_the_current_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    for out in (".", ".."):
        assert run(SEEDS, "--out", out) == 2
        assert "holds the current folder" in capsys.readouterr().err
    assert here.is_dir() and not list(here.iterdir())


def test_an_out_the_system_refuses_is_one_line_and_exit_2(
        tmp_path: Path, done: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(done)
    real = os.mkdir

    def mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
        if Path(path).name.startswith(".out.run-"):
            raise PermissionError(13, "Permission denied", str(path))
        real(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", mkdir)
    capsys.readouterr()
    assert run(SEEDS, "--out", done) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"extract run: cannot write to {tmp_path}: Permission denied"
    assert snapshot(done) == before


@pytest.mark.skipif(IS_ROOT, reason="root writes into read-only folders")
def test_an_unwritable_out_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        assert run(SEEDS, "--out", locked / "out") == 2
    finally:
        locked.chmod(0o700)
    assert "cannot" in capsys.readouterr().err


def test_ctrl_c_is_one_line_exit_130_and_the_output_intact(
        tmp_path: Path, done: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(done)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "process_article", interrupted)
    capsys.readouterr()
    assert run(corpus_of(tmp_path / "c", {"vi.txt": VI}), "--out", done) == 130
    assert capsys.readouterr().err.strip() == f"extract run: interrupted; {done} left as it was"
    assert snapshot(done) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_sigterm_ends_a_run_as_ctrl_c_does(
        tmp_path: Path, done: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(done)

    def terminated(*args: object, **kwargs: object) -> None:
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(pipeline, "process_article", terminated)
    capsys.readouterr()
    assert run(corpus_of(tmp_path / "c", {"vi.txt": VI}), "--out", done) == 130
    assert "interrupted" in capsys.readouterr().err
    assert snapshot(done) == before
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler lives as long as the run


def test_progress_bar_shows_total_and_eta(tmp_path: Path) -> None:
    class Terminal:
        def __init__(self) -> None:
            self.text = ""

        def isatty(self) -> bool:
            return True

        def write(self, s: str) -> None:
            self.text += s

        def flush(self) -> None:
            pass

    screen = Terminal()
    with cli._progress(3, False, screen) as bar:
        for _ in range(2):
            bar.update(1)
        bar.write("error: a.pdf: .pdf document: not read")
    assert "2/3" in screen.text and "<" in screen.text  # tqdm's "elapsed<remaining"
    assert "error: a.pdf: .pdf document: not read\n" in screen.text
    assert isinstance(cli._progress(3, True, screen), cli._NoBar)
