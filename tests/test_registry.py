"""The language registry, the metric list and the rule files' shapes agree with everything built on them."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from extractor import patterns
from extractor.cli import build_parser
from extractor.lang import UnknownLanguage, codes, get_pack, packs
from extractor.language import detect_language
from extractor.metrics import METRIC_NAMES
from extractor.schemas import load_schema
from extractor.textdoc import segment

PACKAGE = Path(__file__).resolve().parent.parent / "extractor"


def _enum(schema: dict, *path: str) -> set:
    node = schema
    for key in path:
        node = node[key]
    return set(node["enum"])


@pytest.mark.parametrize("name", ["articles", "outcomes"])
def test_schemas_list_the_registered_languages(name: str) -> None:
    assert _enum(load_schema(name), "properties", "lang") == set(codes())


def test_outcome_schema_lists_the_packs_countries_and_the_metrics() -> None:
    schema = load_schema("outcomes")
    assert _enum(schema, "properties", "location", "properties", "country") == {p.country for p in packs()} | {None}
    assert _enum(schema, "properties", "metrics", "items", "properties", "metric") == set(METRIC_NAMES)
    articles = load_schema("articles")
    assert _enum(articles, "properties", "figures", "items", "properties", "metric") == set(METRIC_NAMES)


def test_every_pack_has_its_rule_files_and_every_rule_directory_a_pack() -> None:
    on_disk = {lang for lang, _ in patterns.all_pattern_files()}
    assert on_disk == set(codes())
    dimensions = {lang: {dim for code, dim in patterns.all_pattern_files() if code == lang} for lang in codes()}
    assert len({frozenset(d) for d in dimensions.values()}) == 1, f"languages differ in their rule files: {dimensions}"


def test_cli_offers_exactly_the_registered_languages() -> None:
    run = build_parser()._subparsers._group_actions[0].choices["run"]  # noqa: SLF001 - argparse keeps them here
    lang = next(a for a in run._actions if a.dest == "lang")  # noqa: SLF001
    assert tuple(lang.choices) == codes()


def test_an_unknown_language_fails_loudly() -> None:
    with pytest.raises(UnknownLanguage, match="'en'.*supported: vi, zh"):
        get_pack("en")
    with pytest.raises(UnknownLanguage):
        segment("Blood drive collects 300 units.", "en")


@pytest.mark.parametrize(("text", "evidence", "lang"), [
    ("Ngày 12/3, Tỉnh đoàn tổ chức ngày hội hiến máu tình nguyện, tiếp nhận 410 đơn vị máu an toàn.", "article", "vi"),
    ("2023年5月8日，绵阳市中心血站在涪城区开展无偿献血活动，共有156人成功献血，献血量达5万毫升。", "article", "zh"),
    ("Hiến máu cứu người", "short", "vi"),
    ("無償捐血活動", "short", "zh"),
    ("A blood drive in Hanoi collected 300 units.", "article", None),
    ("Hiến máu", "article", None),
])
def test_one_detector_for_articles_and_snippets(text: str, evidence: str, lang: str | None) -> None:
    assert detect_language(text, evidence=evidence).lang == lang


@pytest.fixture
def pattern_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "patterns"
    shutil.copytree(patterns.patterns_dir(), copy)
    monkeypatch.setenv(patterns.PATTERNS_ENV, str(copy))
    patterns.load.cache_clear()
    yield copy
    patterns.load.cache_clear()


@pytest.mark.parametrize(("lang", "dimension", "old", "new", "named"), [
    ("vi", "numbers", "\nqualifiers:", "\nqualifier:", "qualifier"),
    ("zh", "events", "\npartial_cues:", "\npartial_cue:", "partial_cue"),
    ("vi", "places", "\nknown_sites:", "\nknown_site:", "known_site"),
    ("zh", "figures", "metric: blood_units", "metrc: blood_units", "metrc"),
])
def test_a_misspelt_key_fails_naming_the_file_and_the_key(pattern_copy: Path, lang: str, dimension: str,
                                                          old: str, new: str, named: str) -> None:
    path = pattern_copy / lang / f"{dimension}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(patterns.PatternFileError) as failure:
        patterns.load(lang, dimension)
    message = str(failure.value)
    assert str(path) in message and named in message


def test_a_figure_rule_with_an_unknown_metric_fails(pattern_copy: Path) -> None:
    from extractor import figures

    path = pattern_copy / "vi" / "figures.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("metric: blood_units", "metric: blood_bags", 1),
                    encoding="utf-8")
    figures._rules.cache_clear()  # noqa: SLF001 - the compiled rules are cached per language
    try:
        with pytest.raises(patterns.PatternFileError, match="blood_bags"):
            figures._rules("vi")  # noqa: SLF001
    finally:
        figures._rules.cache_clear()  # noqa: SLF001


# --- the import graph ---------------------------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(tree: ast.Module) -> list[str]:
    """Every `extractor` module imported anywhere in the file (also inside functions), except under
    `if TYPE_CHECKING:`, which never runs."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return
        if isinstance(node, ast.Import):
            found.extend(a.name for a in node.names if a.name.startswith("extractor"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("extractor"):
            found.append(node.module)
            found.extend(f"{node.module}.{a.name}" for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _import_graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        targets = _runtime_imports(ast.parse(path.read_text(encoding="utf-8")))
        graph[name] = {t for t in targets if t in files and t != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (found := walk(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := walk(node)):
            return found
    return None


def test_the_engine_has_no_import_cycle() -> None:
    cycle = _cycle(_import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_stage_branches_on_a_language_code() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "lang ==" in line or "lang !=" in line:
                offenders.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_extract_run_refuses_a_broken_rule_file_before_touching_outputs(
        pattern_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from extractor.cli import main

    path = pattern_copy / "zh" / "status.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\nrules:", "\nrulez:", 1), encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Hiến máu\n\nNgày 3/4/2024 thu được 120 đơn vị máu.", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(corpus), "--out", str(out), "--no-progress"]) == 2
    assert "rulez" in capsys.readouterr().err and not out.exists()
