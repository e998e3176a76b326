"""Dates and periods: days, ranges, months and parts of months, quarters, halves, years, relative days.

Rules are data (`patterns/<lang>/dates.yaml`); this module picks non-overlapping matches (longest
first), then resolves them in reading order: a year-less date takes the publication year (the year
before when that would put it after publication), else the year the article last named; relative
words ("hôm qua", "昨天") need the publication date and stay open without it, never guessed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

import regex

from extractor import patterns
from extractor.prefilter import Prefilters
from extractor.textdoc import TextDoc

# Periods that set the time frame for later paragraphs; a single day or range only speaks for its own.
REPORT_KINDS = {"year", "years", "months", "quarter", "half", "year_to_date", "since_year"}  # a report's periods
SAME_DAY_REACH = 3  # "当天", "cùng ngày" point back to the last day named up to this many paragraphs before
_DIGIT = regex.compile(r"\d")
CARRYING_KINDS = {"month", "same_month", "month_part", "month_range", "months", "quarter", "half", "year", "years",
                  "since", "since_year"}


@dataclass
class DateMention:
    start: int
    end: int
    text: str
    kind: str
    role: str  # period | occasion | document | base
    rule: str
    groups: dict[str, str]
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    sentence: int = -1
    block: int = -1
    names_day: bool = False  # a relative word for one day ("hôm qua", "当天"), not a vague "近日", "目前"
    quoted: bool = False  # inside a quotation: "today" is the day the speaker spoke of

    @property
    def is_period(self) -> bool:
        return self.role == "period"

    @property
    def carries(self) -> bool:
        return self.is_period and self.kind in CARRYING_KINDS and self.period_start is not None

    @property
    def is_day_level(self) -> bool:
        return self.is_period and self.kind in ("day", "range") and self.period_start is not None

    def as_record(self) -> dict[str, Any]:
        return {
            "text": self.text, "start": self.start, "end": self.end, "kind": self.kind, "role": self.role,
            "period_start": _iso(self.period_start), "period_end": _iso(self.period_end),
        }


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


@dataclass
class _Rule:
    name: str
    kind: str
    role: str
    pattern: regex.Pattern[str]
    order: int
    requires: regex.Pattern[str] | None = None
    requires_in_match: tuple[regex.Pattern[str], ...] = ()  # words every match holds: spares running it elsewhere


@cache
def _rules(lang: str) -> list[_Rule]:
    pf = patterns.load(lang, "dates")
    return [
        _Rule(rule["name"], rule["kind"], rule.get("role", "period"), rx, i,
              pf.compile(rule["requires_sentence"]) if rule.get("requires_sentence") else None,
              pf.compile_each(rule.get("requires_in_match")))
        for i, (rule, rx) in enumerate(pf.compiled_rules())
    ]


@cache
def _prefilters(lang: str) -> Prefilters:
    return Prefilters([(rule.requires, *rule.requires_in_match) for rule in _rules(lang)])


def find_dates(tdoc: TextDoc, published: dt.date | None) -> list[DateMention]:
    mentions: list[DateMention] = []
    for sentence in tdoc.sentences:
        for mention in _sentence_matches(tdoc.match_text, sentence.start, sentence.end, tdoc.lang):
            mention.sentence, mention.block = sentence.index, sentence.block
            mention.text = tdoc.text[mention.start : mention.end]  # rules read the folded text
            mention.quoted = _inside_quote(tdoc.text, mention.start)
            mentions.append(mention)
    _resolve_all(mentions, tdoc, published)
    _read_now(mentions, published)
    _join_spans(mentions, tdoc)
    _resolve_first_days(mentions)
    return mentions


def _sentence_matches(text: str, start: int, end: int, lang: str) -> list[DateMention]:
    candidates: list[tuple[int, int, regex.Match[str], _Rule]] = []
    rules = _rules(lang)
    for index in _prefilters(lang).rules_to_run(text, start, end):
        rule = rules[index]
        for m in rule.pattern.finditer(text, start, end, overlapped=True):
            if m.end() > m.start() and m.group().strip():
                candidates.append((m.start(), m.end(), m, rule))
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[3].order, c[0]))
    chosen: list[DateMention] = []
    for s, e, m, rule in candidates:
        if any(c.start < e and s < c.end for c in chosen):
            continue
        groups = _gregorian({k: v for k, v in m.groupdict().items() if v}, lang)
        chosen.append(DateMention(s, e, text[s:e], rule.kind, rule.role, rule.name, groups))
    return sorted(chosen, key=lambda c: c.start)


_OPENING_QUOTES, _CLOSING_QUOTES = "“「『", "”」』"


def _inside_quote(text: str, pos: int) -> bool:
    """Whether `pos` lies inside a quotation opened earlier on its line."""
    line = text[text.rfind("\n", 0, pos) + 1 : pos]
    return sum(line.count(q) for q in _OPENING_QUOTES) > sum(line.count(q) for q in _CLOSING_QUOTES)


def _read_now(mentions: list[DateMention], published: dt.date | None) -> None:
    """"截至目前，今年全市献血人次已突破5.8万": a running count read at the time of writing, in a year named
    beside it that is the publication's, runs from January 1 to a day the text does not state: the end stays
    open, as for "今年以来"."""
    if published is None:
        return
    for now in (m for m in mentions if m.kind == "now"):
        for m in mentions:
            if (m.sentence == now.sentence and m.kind == "year" and m.period_start is not None
                    and m.period_start.year == published.year and m.period_end and m.period_end > published):
                m.kind, m.period_end = "since_year", None


def _gregorian(groups: dict[str, str], lang: str) -> dict[str, str]:
    """A year counted from an era ("民國115年") as the Gregorian year the rest of the engine reads."""
    for era, zero in _eras(lang).items():
        if era in groups:
            groups["y"] = str(zero + int(groups.pop(era)))
    return groups


@cache
def _eras(lang: str) -> dict[str, int]:
    return dict(patterns.load(lang, "dates").data["eras"])


def _resolve_all(mentions: list[DateMention], tdoc: TextDoc, published: dt.date | None) -> None:
    pf = patterns.load(tdoc.lang, "dates")
    data, future = pf.data, pf.compile(pf.data["future_cues"])
    frames = _frame_years(mentions, tdoc)
    # an as-of total starts on January 1 only in a year report: framed by a year, not by a day's year
    report_frames = _frame_years([m for m in mentions if m.kind in REPORT_KINDS or m.kind == "as_of"], tdoc)
    years_by_sentence: dict[int, list[DateMention]] = {}
    for m in mentions:
        if m.role != "base" and "y" in m.groups:
            years_by_sentence.setdefault(m.sentence, []).append(m)
    last_month: int | None = None
    last_day: DateMention | None = None
    last_period: DateMention | None = None  # the last day, range or month named: "cả tháng" points back to it
    last_since: DateMention | None = None  # a campaign's start: "bắt đầu từ ngày 1/7"
    last_as_of: DateMention | None = None  # "tính đến ngày 15/12": what "tính đến thời điểm trên" points to
    to_come_by_sentence: dict[int, bool] = {}
    for mention in mentions:
        sentence = tdoc.sentences[mention.sentence]
        context_year = _sentence_year(mention, years_by_sentence.get(mention.sentence, [])) or frames.get(id(mention))
        report_year = None
        if mention.kind == "as_of":
            report_years = [m for m in years_by_sentence.get(mention.sentence, []) if m.kind in REPORT_KINDS]
            report_year = _sentence_year(mention, report_years) or report_frames.get(id(mention))
        if mention.sentence not in to_come_by_sentence:  # read once per sentence
            found = future.search(tdoc.match_text, sentence.start, sentence.end)
            to_come_by_sentence[mention.sentence] = found is not None
        to_come = to_come_by_sentence[mention.sentence]
        try:
            if mention.kind == "same_month":
                _resolve_same_month(mention, last_period)
            else:
                _resolve(mention, data, context_year, last_month, last_day, published, to_come, last_since,
                         report_year, last_as_of)
        except (ValueError, KeyError, OverflowError):  # "31/2": a match that is no real date
            mention.period_start = mention.period_end = None
        if mention.is_period and mention.period_start and mention.kind in ("day", "range", "month", "month_part"):
            last_period = mention
        if "m" in mention.groups:
            last_month = int(mention.groups["m"])
        if mention.is_day_level or (mention.is_period and mention.names_day and mention.period_start):
            last_day = mention  # "昨天…当天", "周六…当天": the day just named
        if mention.kind in ("since", "since_year") and mention.period_start:
            last_since = mention
        if mention.kind == "as_of" and mention.period_end:
            last_as_of = mention


def _join_spans(mentions: list[DateMention], tdoc: TextDoc) -> None:
    """"Khai mạc sáng 8-8 … sẽ kéo dài đến hết ngày 12-8", "khai mạc 15-1 … khép lại vào chiều qua",
    "6月1日启动…持续到6月30日": an opening day and the day its event ends are one span, from the
    first to the last; the closing day dates nothing of its own."""
    pf = patterns.load(tdoc.lang, "dates")
    closing = pf.compile(pf.data["span_end_cue"])
    opening: DateMention | None = None
    for mention in mentions:
        if opening is not None and opening.block != mention.block:
            opening = None
        names_day = mention.is_day_level or (mention.kind == "relative" and mention.names_day)
        last_day = mention.period_end if mention.kind == "as_of" else mention.period_start
        if not mention.is_period or last_day is None or not (names_day or mention.kind == "as_of"):
            continue
        sentence = tdoc.sentences[mention.sentence]
        digit = _DIGIT.search(mention.text)  # "đến hết ngày 12-8": the cue may be the mention's own words
        lead_end = mention.start + digit.start() if digit else mention.start
        before = tdoc.match_text[max(sentence.start, mention.start - 40) : lead_end]
        if opening is not None and opening.period_end and closing.search(before) \
                and opening.period_end < last_day <= opening.period_end + dt.timedelta(days=62):
            opening.period_end = mention.period_end or last_day
            opening.kind, opening.names_day = "range", True
            mention.role = "span_end"
            continue
        if names_day:
            opening = mention


def _resolve_first_days(mentions: list[DateMention]) -> None:
    """"Sau 3 ngày đầu", "前3天": the first days of the span named last before, within it."""
    span: DateMention | None = None
    for mention in mentions:
        if mention.is_period and mention.kind == "range" and mention.period_start and mention.period_end:
            span = mention
        elif mention.kind == "first_days":
            n = int(mention.groups["n"]) if mention.groups.get("n", "").isdigit() else 0
            if span is None or n < 1 or span.period_start is None or span.period_end is None:
                continue
            end = span.period_start + dt.timedelta(days=n - 1)
            if end <= span.period_end:
                mention.period_start, mention.period_end = span.period_start, end


def _sentence_year(mention: DateMention, sentence_years: list[DateMention]) -> int | None:
    """A year named anywhere in the mention's own sentence (a campaign's name too), the nearest before
    it first; never a comparison's year ("so với năm 2022")."""
    years = [m for m in sentence_years if m is not mention and m.kind not in ("since_year", "since")]
    before = [m for m in years if m.start < mention.start]
    chosen = before[-1] if before else (years[0] if years else None)
    return int(chosen.groups["y"]) if chosen is not None else None


def _frame_years(mentions: list[DateMention], tdoc: TextDoc) -> dict[int, int]:
    """The year that frames the passage before each mention: id(mention) → year. The title's or a
    heading's year frames what follows it; without one, the lead's first year does; a paragraph that
    opens with a year ("Năm 2024, …") is framed by it. Never a year named only later."""
    lead = tdoc.lead
    frames: dict[int, int] = {}
    frame: int | None = None
    framed_by_heading = False
    block_frame: tuple[int, int] | None = None  # (block, year) set by a sentence opening with a year
    for mention in mentions:
        if block_frame is not None and block_frame[0] != mention.block:
            block_frame = None
        year = (block_frame[1] if block_frame else None) or frame
        if year is not None:
            frames[id(mention)] = year
        if "y" not in mention.groups or mention.role == "base" or mention.kind in ("since", "since_year"):
            continue  # a comparison's year or a since-when's start frames nothing
        sentence = tdoc.sentences[mention.sentence]
        year = int(mention.groups["y"])
        if tdoc.blocks[mention.block].heading:
            frame, framed_by_heading = year, True
            continue
        if mention.block == lead and not framed_by_heading and frame is None:
            frame = year
        if not tdoc.text[sentence.start : mention.start].strip(" \t-–•*"):  # "Năm 2024, …" opens it
            block_frame = (mention.block, year)
    return frames


def _year(mention: DateMention, data: dict, context_year: int | None, published: dt.date | None,
          key: str = "y") -> int | None:
    g = mention.groups
    if key in g:
        return int(g[key])
    if key == "y" and "y2" in g:  # "Từ 29/6 đến 2/7/2024": the range's one year (the range moves its start back)
        return int(g["y2"])
    if "rel" in g:
        base = published.year if published else None
        offset = data["relative_years"].get(g["rel"])
        return base + offset if base is not None and offset is not None else None
    if context_year is not None:
        return context_year
    return published.year if published else None


def _month_end(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _resolve(mention: DateMention, data: dict, context_year: int | None, last_month: int | None,
             last_day: DateMention | None, published: dt.date | None, to_come: bool = False,
             last_since: DateMention | None = None, report_year: int | None = None,
             last_as_of: DateMention | None = None) -> None:
    g, kind = mention.groups, mention.kind
    if kind in ("open", "now"):
        return
    if kind == "relative":
        _resolve_relative(mention, data, last_day, published)
        return
    if kind == "weekday":
        _resolve_weekday(mention, data, published)
        return
    if kind == "day" and "m" not in g:
        _resolve_day_of_month(mention, context_year, last_month, published)
        return
    if kind == "first_days":
        return  # resolved against the span named before it (_resolve_first_days)
    if kind == "as_of_again":  # "tính đến thời điểm trên": the as-of reading named before
        if last_as_of is not None:
            mention.period_start, mention.period_end = last_as_of.period_start, last_as_of.period_end
        return
    if kind == "as_of":
        _resolve_as_of(mention, context_year, published, last_since, report_year)
        return
    year = _year(mention, data, context_year, published)
    if year is None:
        return
    start, end = _period(kind, g, data, year, last_month)
    if start is None:
        return
    if published and context_year is None and "y" not in g and "rel" not in g and start > published \
            and not to_come:
        # A year-less date after publication is last year's ("ngày 20/12" in an article of 5 January),
        # unless the words say it is to come ("ngày 20-3 tới", "sẽ", "将于").
        start, end = start.replace(year=start.year - 1), (end.replace(year=end.year - 1) if end else None)
    mention.period_start, mention.period_end = start, end


def _period(kind: str, g: dict[str, str], data: dict, year: int,
            last_month: int | None) -> tuple[dt.date | None, dt.date | None]:
    if kind == "since_year":
        return dt.date(year, 1, 1), None
    if kind in ("day", "since"):
        day = dt.date(year, int(g["m"]), int(g["d"]))
        return day, (day if kind == "day" else None)
    if kind == "range":
        month = int(g["m"]) if "m" in g else last_month
        if month is None:
            return None, None
        end_year = int(g.get("y2", year))
        first = dt.date(year, month, int(g["d"]))
        last = dt.date(end_year, int(g.get("m2", month)), int(g["d2"]))
        if "y" not in g and "y2" in g:
            first = first.replace(year=end_year if first <= last.replace(year=end_year) else end_year - 1)
        return (first, last) if first <= last else (None, None)
    if kind == "year_to_date":
        if "d2" not in g:
            return dt.date(year, 1, 1), None
        last = dt.date(int(g.get("y2", year)), int(g["m2"]), int(g["d2"]))
        return dt.date(last.year, 1, 1), last
    if kind == "month":
        m = int(g["m"])
        return dt.date(year, m, 1), dt.date(year, m, _month_end(year, m))
    if kind == "month_range":
        m, m2 = int(g["m"]), int(g["m2"])
        return (dt.date(year, m, 1), dt.date(year, m2, _month_end(year, m2))) if m < m2 else (None, None)
    if kind == "month_part":
        m = int(g["m"])
        first, last = data["month_parts"][g["part"]]
        return dt.date(year, m, first), dt.date(year, m, min(last, _month_end(year, m)))
    if kind == "months":
        words = data["number_words"]
        n = (int(words.get(g["n"].lower(), 0)) if not g["n"].isdigit() else int(g["n"])) if "n" in g \
            else 3 * int(data["quarters"][g["nq"]])
        if not 1 <= n <= 12:
            return None, None
        if g.get("part", "").lower() in data["parts_from_end"]:
            first_month = 13 - n
            return dt.date(year, first_month, 1), dt.date(year, 12, 31)
        return dt.date(year, 1, 1), dt.date(year, n, _month_end(year, n))
    if kind == "quarter":
        q = int(data["quarters"][g["q"].upper() if g["q"].isascii() else g["q"]])
        return dt.date(year, 3 * q - 2, 1), dt.date(year, 3 * q, _month_end(year, 3 * q))
    if kind == "half":
        half = int(data["halves"][g["half"].lower()])
        if half == 1:
            return dt.date(year, 1, 1), dt.date(year, 6, 30)
        return dt.date(year, 7, 1), dt.date(year, 12, 31)
    if kind == "year":
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if kind == "years":
        return dt.date(year, 1, 1), dt.date(int(g["y2"]), 12, 31)
    return None, None


def _resolve_as_of(mention: DateMention, context_year: int | None, published: dt.date | None,
                   since: DateMention | None, report_year: int | None = None) -> None:
    """"tính đến ngày 15/12", "截至11月30日": a running total read on that day. Its start is known when
    a campaign's start was just named ("bắt đầu từ ngày 1/7 … Tính đến ngày 20/7"), or when the passage
    is framed by that day's year (a year report): January 1; else it stays open."""
    g = mention.groups
    year = int(g["y"]) if "y" in g else (context_year or (published.year if published else None))
    if year is None:
        return
    end = dt.date(year, int(g["m"]), int(g["d"]))
    mention.period_start = dt.date(year, 1, 1) if report_year == year else None
    if since is not None and since.period_start and since.period_start <= end \
            and mention.block - 1 <= since.block <= mention.block:
        mention.period_start = since.period_start
    mention.period_end = end


def _resolve_day_of_month(mention: DateMention, context_year: int | None, last_month: int | None,
                          published: dt.date | None) -> None:
    """"3日，…", "今（9日）": a day without its month is counted back from when the report was written: the
    publication's month (the month before when the day is later), else the month named before it."""
    day = int(mention.groups["d"])
    if published is not None:
        year, month = published.year, published.month
        if day > published.day:
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        date = dt.date(year, month, day)
    elif last_month is not None:
        year = context_year
        if year is None:
            return
        date = dt.date(year, last_month, day)
    else:
        return
    mention.period_start = mention.period_end = date
    mention.names_day = True


def _resolve_weekday(mention: DateMention, data: dict, published: dt.date | None) -> None:
    """"周六", "上周五", "thứ Bảy tuần trước": the last such weekday on or before publication (of the
    week before for "上周"/"tuần trước"); open without a publication date."""
    mention.names_day = True
    weekday = data["weekdays"].get(mention.groups.get("wd", "").lower())
    if published is None or weekday is None:
        return
    back = (published.weekday() - weekday) % 7
    if mention.groups.get("wk", "").lower() in data["last_week_words"]:
        back = published.weekday() + 7 - weekday
    mention.period_start = mention.period_end = published - dt.timedelta(days=back)


def _resolve_same_month(mention: DateMention, source: DateMention | None) -> None:
    """"cả tháng", "trong tháng": the month of the last day, range or month named before, when that lies
    in one month; open when there is none (never the publication month, which may be another)."""
    if source is None or source.period_start is None:
        return
    first, last = source.period_start, source.period_end or source.period_start
    if (first.year, first.month) != (last.year, last.month):
        return
    mention.period_start = first.replace(day=1)
    mention.period_end = first.replace(day=_month_end(first.year, first.month))
    mention.kind = "month"  # resolved, it is that month


def _resolve_relative(mention: DateMention, data: dict, last_day: DateMention | None,
                      published: dt.date | None) -> None:
    word = mention.groups.get("word", "").lower()
    mention.names_day = word in data["same_day_words"] or word in data["relative_days"]
    # "“今天一共采了5万多毫升”": a quoted "today" is the day of the event being reported, like "当天"
    if word in data["same_day_words"] or (mention.quoted and data["relative_days"].get(word) == 0
                                          and last_day is not None):
        # the last day named, in this paragraph or one of the three before ("…是世界献血者日。\n\n当天，…")
        near = last_day is not None and mention.block - SAME_DAY_REACH <= last_day.block <= mention.block
        source = last_day if near else None
        if source is not None:
            mention.period_start = mention.period_end = source.period_start if source.kind != "range" else None
            if mention.period_start:
                return
        day = published
    else:
        offset = data["relative_days"].get(word)
        day = published + dt.timedelta(days=offset) if published and offset is not None else None
    mention.period_start = mention.period_end = day


def parse_published(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
