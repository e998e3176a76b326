"""Rule patterns kept as data: `patterns/<lang>/<dimension>.yaml`.

Every file has the same frame:

    lang: vi | zh
    dimension: figures | dates | places | status | furniture | topic | ...
    description: what the rules are for
    fragments: {NAME: regex}        # optional; `{NAME}` in any pattern is replaced by the fragment
    rules: [{name: ..., pattern: regex, ...dimension-specific keys}]
    examples: [{text: ..., expect: ...}]   # positives and negatives, run by tests/test_pattern_examples.py

and the keys of its dimension, declared in `extractor/schemas/patterns/<dimension>.json`: a file
with an unknown, misspelt or missing key fails to load, naming the file and the key.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import regex
import yaml

from extractor.disk_memo import compiled, memo

PATTERNS_ENV = "EXTRACTOR_PATTERNS"
# libyaml's safe loader where PyYAML was built with it: the same data as yaml.safe_load (every rule file
# and spec table compared), read 8x faster, which is a quarter of a run's start-up.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FRAGMENT_REF = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")


def patterns_dir() -> Path:
    """The `patterns/` directory: $EXTRACTOR_PATTERNS, else the one beside the package (repo layout)."""
    env = os.environ.get(PATTERNS_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "patterns"


@dataclass
class PatternFile:
    lang: str
    dimension: str
    path: Path
    description: str
    fragments: dict[str, str]
    rules: list[dict[str, Any]]
    examples: list[dict[str, Any]]
    data: dict[str, Any] = field(default_factory=dict)  # any other top-level keys (word lists, tables)

    def expand(self, pattern: str) -> str:
        """Replace `{NAME}` fragment references, recursively (fragments may use fragments)."""
        for _ in range(10):
            new = _FRAGMENT_REF.sub(lambda m: self._fragment(m.group(1)), pattern)
            if new == pattern:
                return new
            pattern = new
        raise ValueError(f"{self.path}: fragment references nest too deep in {pattern!r}")

    def _fragment(self, name: str) -> str:
        if name not in self.fragments:
            raise KeyError(f"{self.path}: unknown fragment {{{name}}}")
        return f"(?:{self.fragments[name]})"

    def compile(self, pattern: str, flags: int = 0) -> regex.Pattern[str]:
        # `regex` rather than `re`: rules need variable-width look-behind ("(?<=tăng\s+)"); compiled once
        # and kept on disk (extractor.disk_memo)
        return compiled(self.expand(pattern), flags | regex.VERSION0)

    def compile_each(self, patterns: list[str] | None) -> tuple[regex.Pattern[str], ...]:
        """A list of patterns (a rule's `requires_in_match`), compiled."""
        return tuple(self.compile(p) for p in patterns or [])

    def compiled_rules(self, flags: int = 0) -> list[tuple[dict[str, Any], regex.Pattern[str]]]:
        return [(rule, self.compile(rule["pattern"], flags)) for rule in self.rules if "pattern" in rule]

    def word_list(self, key: str) -> list[str]:
        return list(self.data[key] or [])


class PatternFileError(ValueError):
    """A rule file that does not have its dimension's shape."""


@cache
def dimension_schema(dimension: str) -> dict[str, Any]:
    """The declared shape of a dimension's files: its own keys, the frame's, and no others."""
    base = Path(__file__).resolve().parent / "schemas" / "patterns"
    path = base / f"{dimension}.json"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in base.glob("*.json") if p.stem != "frame"))
        raise PatternFileError(f"no schema for rule dimension {dimension!r} (known: {known})")
    frame = json.loads((base / "frame.json").read_text(encoding="utf-8"))
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["type"] = "object"
    schema["properties"] = {**frame["properties"], **schema["properties"]}
    schema["required"] = sorted(set(frame["required"]) | set(schema.get("required", [])))
    schema["additionalProperties"] = False
    return schema


def validate(raw: Any, path: Path, lang: str, dimension: str) -> None:
    """Raise PatternFileError naming the file and the offending key when `raw` is not of its shape."""
    if not isinstance(raw, dict):
        raise PatternFileError(f"{path}: a rule file is a mapping of keys, not {type(raw).__name__}")
    import jsonschema  # 0.1 s to import: only when a file is checked, not read from the memo

    errors = sorted(jsonschema.Draft202012Validator(dimension_schema(dimension)).iter_errors(raw),
                    key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [f"  at {'/'.join(map(str, e.absolute_path)) or '(top level)'}: {e.message}" for e in errors[:10]]
        raise PatternFileError(f"{path}: not a valid {dimension} rule file\n" + "\n".join(lines))
    for key, want in (("lang", lang), ("dimension", dimension)):
        if raw[key] != want:
            raise PatternFileError(f"{path}: {key} is {raw[key]!r}, but the file's place says {want!r}")


def _read_checked(path: Path, lang: str, dimension: str) -> dict[str, Any]:
    """The file's data, checked against its dimension's schema; from the disk memo when a file of the
    same bytes was checked against the same schema before (no YAML parse, no jsonschema import)."""
    data = path.read_bytes()
    schemas = Path(__file__).resolve().parent / "schemas" / "patterns"
    digest = hashlib.sha256(data)
    for schema in (schemas / "frame.json", schemas / f"{dimension}.json"):
        digest.update(b"\0" + (schema.read_bytes() if schema.exists() else b""))
    key = (lang, dimension, _YAML_LOADER.__name__, digest.hexdigest())

    def read() -> bytes:  # kept pickled: no caller's change to the data can reach the memo
        raw = yaml.load(data.decode("utf-8"), Loader=_YAML_LOADER) or {}
        validate(raw, path, lang, dimension)
        return pickle.dumps(raw, protocol=pickle.HIGHEST_PROTOCOL)

    checked: dict[str, Any] = pickle.loads(memo("rule-files", ("PyYAML", "jsonschema")).get(key, read))  # noqa: S301
    return checked


@cache
def load(lang: str, dimension: str) -> PatternFile:
    path = patterns_dir() / lang / f"{dimension}.yaml"
    raw = _read_checked(path, lang, dimension)
    fragments = dict(raw.get("fragments") or {})
    if dimension != "numbers" and (path.parent / "numbers.yaml").exists():
        # The number fragments ({NUM}, {QUAL}...) are shared by every rule file of the language.
        fragments = {**load(lang, "numbers").fragments, **fragments}
    known = {"lang", "dimension", "description", "fragments", "rules", "examples"}
    return PatternFile(
        lang=raw["lang"],
        dimension=raw["dimension"],
        path=path,
        description=raw["description"],
        fragments=fragments,
        rules=list(raw.get("rules") or []),
        examples=list(raw.get("examples") or []),
        data={k: v for k, v in raw.items() if k not in known},
    )


def all_pattern_files() -> list[tuple[str, str]]:
    """(lang, dimension) of every pattern file on disk."""
    base = patterns_dir()
    return sorted((p.parent.name, p.stem) for p in base.glob("*/*.yaml"))


def load_all() -> list[PatternFile]:
    """Every rule file on disk, loaded and checked (PatternFileError names the first broken one)."""
    return [load(lang, dimension) for lang, dimension in all_pattern_files()]
