"""What the checks work on: figures read as value ranges, outcomes with place/period keys, check records."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from extractor import patterns
from extractor.checks.grounds import Context, figure_context
from extractor.lang import codes, get_pack, packs
from extractor.metrics import METRIC_NOUNS
from extractor.numbers import scale_words

# Worst first. `consistent`: two independently stated figures agree; `bounded`: one figure (or an incomplete
# list) stays within a sanity bound, which is weaker evidence.
VERDICTS = ("inconsistent", "implausible", "unverifiable", "bounded", "consistent")
ALARMS = ("inconsistent", "implausible")

QUALIFIER_WORDS = {
    "exact": "",
    "about": "about ",
    "over": "more than ",
    "under": "under ",
    "at_least": "at least ",
    "at_most": "at most ",
}

COUNTRY_NAMES = {pack.country: pack.country_name for pack in packs()}

# Scale words make a figure a rounded one ("1,85 triệu", "12万"): see reference.yaml, scale_word_reason.
# The word must follow a digit: "tỷ lệ" (rate) is not "tỷ" (billion).
_SCALE_WORDS = re.compile(
    r"\d\s*(?:" + "|".join(sorted({re.escape(w) for code in codes() for w in scale_words(code)}, key=len, reverse=True))
    + ")", re.IGNORECASE)


@dataclass(frozen=True)
class Interval:
    """The values a stated figure allows, low..high (low <= high; a quotient by a zero bound is inf)."""

    low: float
    high: float

    def overlaps(self, other: Interval) -> bool:
        return self.low <= other.high and other.low <= self.high

    def __add__(self, other: Interval) -> Interval:
        return Interval(self.low + other.low, self.high + other.high)

    def divided_by(self, other: Interval) -> Interval:
        """Quotient range of two positive ranges."""
        low = self.low / other.high if other.high > 0 else math.inf
        high = self.high / other.low if other.low > 0 else math.inf
        return Interval(low, high)

    def scaled(self, factor: float) -> Interval:
        return Interval(self.low * factor, self.high * factor)


@dataclass(frozen=True)
class QualifierReading:
    """How qualifiers widen a figure (the `thresholds.qualifiers` block of reference.yaml)."""

    about_relative: float = 0.10
    open_headroom: float = 0.20


def describe_reading(reading: QualifierReading) -> str:
    """The qualifier tolerance in words, for the `tolerance` field of a check."""
    about, open_ = round(reading.about_relative * 100), reading.open_headroom
    return (
        f"figures as stated (rounded to their last digit when written with a scale word); "
        f"'about X' ±{about}%; 'more than X' above X up to {1 + open_:g}·X; 'under X' {1 - open_:g}·X to X"
    )


def _exclusive(value: float) -> float:
    # "hơn 1.300" excludes 1,300 itself; nudge the bound just past it.
    return abs(value) * 1e-9 + 1e-9


def rounding_half_step(value: float, text: str) -> float:
    """Half the last written digit's place when the text uses a scale word, else 0 (exact)."""
    if not _SCALE_WORDS.search(text or "") or value <= 0 or value != int(value):
        return 0.0
    number, zeros = int(value), 0
    while number % 10 == 0:
        number //= 10
        zeros += 1
    return 10**zeros / 2


@dataclass(frozen=True)
class Figure:
    """One stated number, with where it came from."""

    metric: str
    value: float
    qualifier: str
    text: str
    start: int | None
    end: int | None
    unit: str
    article_id: str
    outcome_id: str | None
    status: str | None
    low: float | None = None
    high: float | None = None
    difference: bool = False  # "vượt 16% so với kế hoạch": the percent is how far the plan was exceeded

    @classmethod
    def from_record(cls, raw: dict[str, Any], article_id: str, outcome_id: str | None, status: str | None) -> Figure:
        return cls(
            metric=raw["metric"],
            value=float(raw["value"]),
            qualifier=raw.get("qualifier") or "exact",
            text=raw.get("text") or "",
            start=raw.get("start"),
            end=raw.get("end"),
            unit=raw.get("unit") or "",
            article_id=article_id,
            outcome_id=outcome_id or raw.get("outcome_id"),
            status=status or raw.get("status"),
            low=_float_or_none(raw.get("low")),
            high=_float_or_none(raw.get("high")),
        )

    def interval(self, reading: QualifierReading) -> Interval:
        """The values this figure allows once its qualifier is taken into account."""
        if self.low is not None and self.high is not None:
            return Interval(self.low, self.high)
        v, headroom = self.value, reading.open_headroom
        match self.qualifier:
            case "about":
                return Interval(v * (1 - reading.about_relative), v * (1 + reading.about_relative))
            case "over":
                return Interval(v + _exclusive(v), v * (1 + headroom))
            case "at_least":
                return Interval(v, v * (1 + headroom))
            case "under":
                return Interval(v * (1 - headroom), v - _exclusive(v))
            case "at_most":
                return Interval(v * (1 - headroom), v)
        half = rounding_half_step(v, self.text)
        return Interval(v - half, v + half)

    @property
    def noun(self) -> str:
        return METRIC_NOUNS.get(self.metric, self.metric)

    def number(self) -> str:
        """'more than 1,300' (no unit)."""
        if self.low is not None and self.high is not None:
            return f"{fmt(self.low)}–{fmt(self.high)}"
        if self.metric.endswith("_pct"):
            return f"{QUALIFIER_WORDS.get(self.qualifier, '')}{self.value:g}%"  # as written: 172.9%, not 173%
        return QUALIFIER_WORDS.get(self.qualifier, "") + fmt(self.value)

    def phrase(self) -> str:
        """'more than 1,300 units', '172.9%'."""
        return self.number() if self.metric.endswith("_pct") else f"{self.number()} {self.noun}"

    def labelled(self) -> str:
        """The phrase, marked when it is a target rather than an achieved figure."""
        return f"a target of {self.phrase()}" if self.status == "target" else self.phrase()

    def as_record(self, role: str) -> dict[str, Any]:
        return {
            "role": role,
            "metric": self.metric,
            "value": int(self.value) if self.value == int(self.value) else self.value,
            "qualifier": self.qualifier,
            "text": self.text,
            "article_id": self.article_id,
            "outcome_id": self.outcome_id,
            "span": [self.start, self.end],
        }

    @property
    def span_key(self) -> tuple[str, int | None, int | None]:
        return (self.article_id, self.start, self.end)


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def _country_of(lang: str | None) -> str | None:
    return get_pack(lang).country if lang in codes() else None


@cache
def _name_affixes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Every language's words a place name may carry around it (patterns/<lang>/places.yaml)."""
    prefixes: set[str] = set()
    suffixes: set[str] = set()
    for code in codes():
        affixes = patterns.load(code, "places").data["name_affixes"]
        prefixes.update(affixes["prefixes"])
        suffixes.update(affixes["suffixes"])

    def alternation(words: set[str]) -> str:
        return "|".join(re.escape(w.casefold()) for w in sorted(words, key=len, reverse=True)) or "(?!)"

    return re.compile(rf"^({alternation(prefixes)})\s*"), re.compile(rf"({alternation(suffixes)})$")


def normalise_place(name: str | None) -> str | None:
    """Compare place names without case, admin prefixes or suffixes ('Thành phố Hà Nội' == 'Hà Nội')."""
    if not name:
        return None
    prefix, suffix = _name_affixes()
    text = unicodedata.normalize("NFC", name).casefold().strip()
    text = prefix.sub("", text)
    text = suffix.sub("", text)
    return re.sub(r"\s+", " ", text).strip() or None


@dataclass(frozen=True)
class PlaceKey:
    country: str | None
    province: str | None  # normalised; None = national
    district: str | None

    @property
    def is_national(self) -> bool:
        return self.province is None and self.district is None


@dataclass
class Outcome:
    """One record of outcomes.jsonl, with its figures."""

    raw: dict[str, Any]
    figures: list[Figure] = field(default_factory=list)

    @classmethod
    def from_record(cls, raw: dict[str, Any]) -> Outcome:
        outcome = cls(raw)
        outcome.figures = [
            Figure.from_record(m, outcome.article_id, outcome.id, outcome.status) for m in raw.get("metrics") or []
        ]
        return outcome

    @property
    def id(self) -> str:
        return str(self.raw["id"])

    @property
    def article_id(self) -> str:
        return str(self.raw.get("article_id") or self.id.split(":")[0])

    @property
    def kind(self) -> str | None:
        return self.raw.get("kind")

    @property
    def status(self) -> str | None:
        return self.raw.get("status")

    @property
    def name(self) -> str | None:
        return self.raw.get("name")

    @property
    def organizer(self) -> str | None:
        return self.raw.get("organizer")

    @property
    def partial(self) -> bool:
        return bool(self.raw.get("partial"))

    @property
    def parent_id(self) -> str | None:
        return self.raw.get("parent_id")

    @property
    def location(self) -> dict[str, Any]:
        return self.raw.get("location") or {}

    @property
    def period(self) -> dict[str, Any]:
        return self.raw.get("period") or {}

    @property
    def country(self) -> str | None:
        return self.location.get("country") or _country_of(self.raw.get("lang"))

    @property
    def place(self) -> PlaceKey:
        loc = self.location
        return PlaceKey(self.country, normalise_place(loc.get("province")), normalise_place(loc.get("district")))

    @property
    def place_label(self) -> str:
        loc = self.location
        parts = [p for p in (loc.get("district"), loc.get("province")) if p]
        if parts:
            return ", ".join(parts)
        if loc.get("level") == "national" or not loc.get("name"):  # "toàn quốc", "全国": say which country
            return COUNTRY_NAMES.get(self.country or "", "the whole country")
        return str(loc["name"])

    @property
    def period_key(self) -> tuple[str, str] | None:
        start, end = self.period.get("start"), self.period.get("end")
        return (start, end) if start and end else None

    @property
    def period_label(self) -> str:
        key = self.period_key
        if (self.period.get("text") or "").strip():
            return str(self.period["text"]).strip()
        if key:
            return key[0] if key[0] == key[1] else f"{key[0]} to {key[1]}"
        return "an unstated period"

    @property
    def year(self) -> int | None:
        """The calendar year of the period, when it lies within one."""
        key = self.period_key
        if not key or key[0][:4] != key[1][:4]:
            return None
        return int(key[0][:4])

    def contains_period_of(self, other: Outcome) -> bool:
        mine, theirs = self.period_key, other.period_key
        return bool(mine and theirs and mine[0] <= theirs[0] and theirs[1] <= mine[1])

    def figures_of(self, metric: str) -> list[Figure]:
        return [f for f in self.figures if f.metric == metric]

    def first_figure(self, metric: str) -> Figure | None:
        found = self.figures_of(metric)
        return found[0] if found else None


@dataclass
class Corpus:
    """Everything `extract run` wrote: outcomes, and articles by id."""

    outcomes: list[Outcome]
    articles: dict[str, dict[str, Any]] = field(default_factory=dict)
    set_aside: list[tuple[Figure, str]] = field(default_factory=list)  # figures no check uses, with why

    def by_article(self) -> dict[str, list[Outcome]]:
        if self._by_article is None:  # the outcome list is not changed once read (their figures may be)
            grouped: dict[str, list[Outcome]] = {}
            for outcome in self.outcomes:
                grouped.setdefault(outcome.article_id, []).append(outcome)
            self._by_article = grouped
        return self._by_article

    def lang_of(self, article_id: str) -> str | None:
        article = self.articles.get(article_id)
        if article and article.get("lang"):
            return str(article["lang"])
        return next((str(o.raw["lang"]) for o in self.by_article().get(article_id, []) if o.raw.get("lang")), None)

    def context(self, figure: Figure) -> Context | None:
        """The words around a figure (its article's text when at hand, else its own words)."""
        key = (figure.article_id, figure.start, figure.end, figure.text)
        if key not in self._contexts:
            self._contexts[key] = figure_context(self.articles.get(figure.article_id), figure.text, figure.start,
                                                 figure.end, self._langs.setdefault(figure.article_id,
                                                                                    self.lang_of(figure.article_id)))
        return self._contexts[key]

    def group_of(self, article_id: str) -> str:
        """The article's syndication group: the id of the article it copies (`duplicate_of`), else its own."""
        article = self.articles.get(article_id) or {}
        return str(article.get("duplicate_of") or article_id)

    def __post_init__(self) -> None:
        self._contexts: dict[tuple[Any, ...], Context | None] = {}
        self._langs: dict[str, str | None] = {}
        self._by_article: dict[str, list[Outcome]] | None = None


def fmt(number: float) -> str:
    """1265 -> '1,265'; 396.7 -> '397'; 172.9 -> '172.9'; 0.0812 -> '0.081'."""
    if math.isinf(number):
        return "unbounded"
    if abs(number - round(number)) < 1e-9:
        return f"{round(number):,}"
    if abs(number) >= 100:
        return f"{number:,.0f}"
    if abs(number) >= 1:
        return f"{number:,.1f}".rstrip("0").rstrip(".")
    return f"{number:.3g}"


def fmt_range(interval: Interval) -> str:
    if fmt(interval.low) == fmt(interval.high):
        return fmt(interval.low)
    return f"{fmt(interval.low)}–{fmt(interval.high)}"


def fmt_pct(share: float) -> str:
    """0.935 -> '93.5%'; 0.00015 -> '0.015%'."""
    pct = share * 100
    text = f"{pct:.1f}".rstrip("0").rstrip(".") if pct >= 1 else f"{pct:.2g}"
    return f"{text}%"


def finite_or_none(number: float) -> float | None:
    return None if math.isinf(number) or math.isnan(number) else round(number, 6)


def computed(quantity: str, value: float, interval: Interval | None = None, **extra: Any) -> dict[str, Any]:
    """The `computed` field of a check record."""
    record: dict[str, Any] = {"quantity": quantity, "value": finite_or_none(value)}
    if interval is not None:
        record["low"], record["high"] = finite_or_none(interval.low), finite_or_none(interval.high)
    record.update(extra)
    return record


def make_check(
    check: str,
    verdict: str,
    article_id: str,
    figures: list[tuple[str, Figure]],
    computation: dict[str, Any],
    tolerance: str,
    explanation: str,
    **extra: Any,
) -> dict[str, Any]:
    """One line of checks.jsonl (the id is given later, once all checks are known)."""
    assert verdict in VERDICTS, verdict
    record: dict[str, Any] = {
        "id": None,
        "article_id": article_id,
        "check": check,
        "verdict": verdict,
        "figures": [figure.as_record(role) for role, figure in figures],
        "computed": computation,
        "tolerance": tolerance,
        "explanation": explanation[:1].upper() + explanation[1:],
    }
    record.update(extra)
    return record
