"""`extract run` at scale (issue 15): worker processes write what one process writes, a killed or
interrupted run resumed with --resume ends with exactly the records of an uninterrupted one, and
--no-text leaves the text out but nothing else."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from extractor import parallel, pipeline, runner, shards
from extractor.cli import main
from extractor.output import read_jsonl
from extractor.schemas import load_schema

REPO = Path(__file__).resolve().parents[1]

# Short reports in the style of the corpus: drives, totals, a target, a skipped English line, a broken file.
ARTICLES: dict[str, str | bytes] = {
    "a01.txt": "Hiến máu tại Mê Linh\n\nNgày 9/4/2024, huyện Mê Linh tiếp nhận 320 đơn vị máu của người hiến máu.",
    "a02.txt": "南京献血\n\n2024年3月5日，南京市鼓楼区共有320人参加无偿献血，献血量达9.6万毫升。",
    "a03.txt": "Ngày hội Chủ nhật Đỏ\n\nSáng 12/1/2025, tại Cung Văn hóa Lao động Hà Nội, hơn 1.200 người "
               "tham gia, tiếp nhận 1.035 đơn vị máu.",
    "a04.txt": "郑州市献血\n\n2023年全年，郑州市共有12.6万人次参加无偿献血，采血量达41.2吨。",
    "a05.txt": "Kế hoạch năm 2025\n\nNăm 2025, tỉnh Bắc Ninh phấn đấu tiếp nhận 25.000 đơn vị máu.",
    "a06.txt": "Blood drive\n\nOn Monday 300 people donated blood in Springfield.",
    "a07.txt": b"\x00\x01\x02 not text",
    "a08.txt": "Tuần lễ hồng\n\nTrong tuần lễ hồng, quận Cầu Giấy tiếp nhận 263 đơn vị máu; "
               "quận Đống Đa 119 đơn vị máu.",
    "a09.txt": "许昌献血\n\n2024年6月14日，许昌市中心血站在东城区开展献血活动，共采集全血260单位。",
    "a10.txt": "Hiến máu ở Hưng Yên\n\nNgày 9/4/2024, tại khu công nghiệp Phố Nối A, 263 người hiến máu.",
    "sub/a01.txt": "Hiến máu lần hai\n\nNgày 10/4/2024, xã Tiền Phong tiếp nhận 150 đơn vị máu.",
    "bundle.jsonl": "\n".join([
        json.dumps({"id": "j1", "text": "上海献血\n\n2024年1月，上海市各区共有5000人参加无偿献血活动。",
                    "published": "2024-02-01"}, ensure_ascii=False),
        "{broken",
        json.dumps({"id": "j2", "text": "Đà Nẵng\n\nNgày 3/3/2024, hơn 500 người hiến máu tại Đà Nẵng."},
                   ensure_ascii=False),
    ]),
    "a11.txt": "台北捐血活动\n\n2024年5月1日，台北车站捐血室举办捐血活动，当天共有180人捐血。",
}


def corpus(root: Path) -> Path:
    for name, content in ARTICLES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def run(*args: str | Path) -> int:
    return main(["run", *map(str, args), "--no-progress"])


def records(out: Path) -> dict[str, bytes]:
    """What a run wrote, byte for byte (run.json's times and command aside)."""
    files = {name: (out / name).read_bytes() for name in ("articles.jsonl", "outcomes.jsonl", "errors.jsonl")}
    counts = json.loads((out / "run.json").read_text())["counts"]
    files["counts"] = json.dumps(counts, sort_keys=True).encode()
    return files


@pytest.fixture
def src(tmp_path: Path) -> Path:
    return corpus(tmp_path / "corpus")


@pytest.fixture
def reference(src: Path, tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "reference"
    assert run(src, "--out", out, "--workers", "1") == 1  # the broken file and line are errors
    return records(out)


@pytest.fixture
def eager_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers from the second task on, two articles a task: a tiny corpus exercises the pool."""
    monkeypatch.setattr(parallel, "WARM_UP_TASKS", 1)
    monkeypatch.setattr(runner, "BATCH_ARTICLES", 2)


def test_the_reference_run_reads_every_kind_of_item(reference: dict[str, bytes]) -> None:
    errors = [json.loads(line) for line in reference["errors.jsonl"].splitlines()]
    reasons = " | ".join(e["reason"] for e in errors)
    assert "binary file" in reasons and "malformed JSONL line" in reasons and "skipped:" in reasons
    assert "already used by" in reasons  # sub/a01.txt's id collides with a01.txt's
    assert json.loads(reference["counts"])["articles"] == 12


@pytest.mark.parametrize("shard_size", [1, 3, 1000])
def test_two_workers_write_what_one_writes(src: Path, tmp_path: Path, reference: dict[str, bytes],
                                           eager_workers: None, shard_size: int) -> None:
    out = tmp_path / f"w2-{shard_size}"
    assert run(src, "--out", out, "--workers", "2", "--shard-size", shard_size) == 1
    assert records(out) == reference
    assert not (tmp_path / f".{out.name}.partial").exists()  # checkpoints go once the output is in place


def test_the_workers_are_forked_processes(src: Path, tmp_path: Path, eager_workers: None,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool really runs: articles are extracted in other processes than this one."""
    marker = tmp_path / "pids"
    monkeypatch.setattr(pipeline, "process_article", _recording(pipeline.process_article, marker))
    assert run(src, "--out", tmp_path / "o", "--workers", "2") == 1
    seen = {int(p) for p in marker.read_text().split()}
    assert os.getpid() in seen and len(seen - {os.getpid()}) >= 1


def _recording(real: Any, marker: Path) -> Any:
    def process(article: Any, lang: str | None = None) -> Any:
        with open(marker, "a") as f:
            f.write(f"{os.getpid()}\n")
        return real(article, lang)

    return process


def test_an_interrupted_run_resumes_to_the_same_records(src: Path, tmp_path: Path, reference: dict[str, bytes],
                                                        eager_workers: None, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o"
    real_finish = shards.ShardWriter.finish
    finished: list[int] = []

    def finish_then_stop(self: shards.ShardWriter, digest: str) -> shards.ShardCounts:
        counts = real_finish(self, digest)
        finished.append(self.n)
        if len(finished) == 3:
            raise KeyboardInterrupt  # Ctrl-C right after the third checkpoint
        return counts

    monkeypatch.setattr(shards.ShardWriter, "finish", finish_then_stop)
    assert run(src, "--out", out, "--workers", "2", "--shard-size", "2") == 130
    assert not out.exists() and "--resume" in capsys.readouterr().err
    monkeypatch.setattr(shards.ShardWriter, "finish", real_finish)
    extracted: list[str] = []
    real_process = pipeline.process_article

    def counting(article: Any, lang: str | None = None) -> Any:
        extracted.append(article.id)
        return real_process(article, lang)

    monkeypatch.setattr(pipeline, "process_article", counting)
    assert run(src, "--out", out, "--workers", "1", "--shard-size", "2", "--resume") == 1
    assert records(out) == reference
    assert "3 of 8 shards kept from the interrupted run" in capsys.readouterr().err
    assert 0 < len(extracted) < 12  # the kept shards' articles were not extracted again


# The run as `extract run` starts it, killed by SIGKILL (no cleanup of any kind) right after its fourth
# checkpoint: deterministic, where a kill timed from outside would race the run.
KILLED_RUN = """
import os, signal, sys
from extractor import shards
from extractor.cli import main
real = shards.ShardWriter.finish
def finish(self, digest):
    counts = real(self, digest)
    if self.n == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return counts
shards.ShardWriter.finish = finish
sys.exit(main(sys.argv[1:]))
"""


def test_a_killed_run_resumes_to_the_same_records(src: Path, tmp_path: Path, reference: dict[str, bytes]) -> None:
    out = tmp_path / "o"
    partial = tmp_path / ".o.partial"
    args = ["run", str(src), "--out", str(out), "--no-progress", "--workers", "1", "--shard-size", "1"]
    killed = subprocess.run([sys.executable, "-c", KILLED_RUN, *args], capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    assert len(list(partial.glob("*.done"))) == 4 and not out.exists()
    assert [p for p in tmp_path.iterdir() if ".run-" in p.name]  # the dead run's folder, left as a kill leaves it
    resumed = subprocess.run([sys.executable, "-m", "extractor.cli", *args, "--resume"], capture_output=True,
                             text=True, timeout=120)
    assert resumed.returncode == 1, resumed.stderr
    assert records(out) == reference
    assert "4 of 15 shards kept" in resumed.stderr
    assert not partial.exists() and not [p for p in tmp_path.iterdir() if ".run-" in p.name]


def test_resume_refuses_another_run_s_checkpoints(src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o"
    calls = {"n": 0}
    real = shards.ShardWriter.finish

    def stop(self: shards.ShardWriter, digest: str) -> shards.ShardCounts:
        counts = real(self, digest)
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return counts

    monkeypatch.setattr(shards.ShardWriter, "finish", stop)
    assert run(src, "--out", out, "--shard-size", "2", "--workers", "1") == 130
    monkeypatch.setattr(shards.ShardWriter, "finish", real)
    capsys.readouterr()
    assert run(src, "--out", out, "--shard-size", "2", "--lang", "vi", "--resume") == 2
    assert "differs in lang" in capsys.readouterr().err
    assert run(src, "--out", out, "--shard-size", "2") == 1  # without --resume: started over, and done
    assert not (tmp_path / ".o.partial").exists()


def test_resume_with_nothing_to_resume_runs_from_the_start(src: Path, tmp_path: Path,
                                                           reference: dict[str, bytes],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o"
    assert run(src, "--out", out, "--resume") == 1
    assert "starting from the beginning" in capsys.readouterr().err
    assert records(out) == reference


def test_no_text_leaves_the_text_out_and_nothing_else(src: Path, tmp_path: Path,
                                                      reference: dict[str, bytes]) -> None:
    out = tmp_path / "o"
    assert run(src, "--out", out, "--no-text") == 1
    full = [json.loads(line) for line in reference["articles.jsonl"].splitlines()]
    slim = read_jsonl(out / "articles.jsonl")
    assert (out / "outcomes.jsonl").read_bytes() == reference["outcomes.jsonl"]
    for a, b in zip(full, slim, strict=True):
        text = a.pop("text")
        assert "text" not in b
        assert b.pop("text_chars") == len(text)
        assert b.pop("text_sha256") == hashlib.sha256(text.encode()).hexdigest()
        assert a == b
    assert os.path.getsize(out / "articles.jsonl") < len(reference["articles.jsonl"])
    schema = load_schema("articles")
    for record in read_jsonl(out / "articles.jsonl"):
        jsonschema.validate(record, schema)


def test_a_worker_that_dies_ends_the_run_with_one_line(src: Path, tmp_path: Path, eager_workers: None,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    parent = os.getpid()
    real = pipeline.process_article

    def dies_in_a_worker(article: Any, lang: str | None = None) -> Any:
        if os.getpid() != parent:
            os._exit(9)  # as the kernel's OOM killer would leave it: no result, no exception
        return real(article, lang)

    monkeypatch.setattr(pipeline, "process_article", dies_in_a_worker)
    out = tmp_path / "o"
    assert run(src, "--out", out, "--workers", "2", "--shard-size", "1") == 1
    err = capsys.readouterr().err
    assert "a worker process died" in err and "Traceback" not in err and not out.exists()
    assert list((tmp_path / ".o.partial").glob("*.done"))  # the main process's own shards, kept for --resume


def test_the_benchmark_times_whole_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A tiny `extract bench`: every column is filled from real processes (their time and peak RSS)."""
    from extractor.bench import run_benchmark

    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the corpus, and plain jieba's dictionary cache, stay here

    assert run_benchmark([3], workers=[1], langs=["zh"]) == 0
    out = capsys.readouterr().out
    assert "zh: start-up (a one-article run)" in out
    [row] = [line.split() for line in out.splitlines() if line.startswith("zh ")]
    lang, articles, workers, megabytes, seconds, *_rest, peak, tokenizer, ratio, speed_up = row
    assert (articles, workers, speed_up) == ("3", "1", "1.00x")
    assert float(seconds) > 0 and float(peak) > 20 and float(tokenizer) > 0 and ratio.endswith("x")
