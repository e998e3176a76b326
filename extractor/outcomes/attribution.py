"""Attribution: the period and the place of each outcome.

An outcome takes the period and place of its own clause or sentence first (the venue after a venue
cue beats the organiser's seat; partners and recipients are no venue), then of its paragraph, then of
what the article set before (a lead naming the year or the province). Rules are data:
`patterns/<lang>/attribution.yaml`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cache
from typing import TypeVar

import regex

from extractor import patterns
from extractor.dates import DateMention
from extractor.outcomes.model import Outcome
from extractor.places import PlaceMention
from extractor.scoped import ScopedPattern, scoped
from extractor.textdoc import Sentence, TextDoc

_M = TypeVar("_M", PlaceMention, DateMention)  # a mention with a start and an end

ADMIN_LEVELS = {"national", "province", "city", "district", "ward"}
LISTED_DRIVES = "listed_drives"
PART_KINDS = ("first_days",)  # dates that name a part of the event in scope: they open and frame nothing
  # the rule name of a period composed from the drives a sentence listed


@dataclass
class AttributionRules:
    venue_cue: regex.Pattern[str]
    venue_window: int
    partner: regex.Pattern[str]
    partner_levels: frozenset[str] | None  # the levels a partner cue can make a partner; None: all
    list_separator: regex.Pattern[str]
    quote_attribution: regex.Pattern[str] | None  # "”漳州市中心血站负责人说。"
    dated_venue: regex.Pattern[str]  # between a venue and the date in brackets after it: "A (ngày 3-3)"
    same_period: regex.Pattern[str]  # "cùng kỳ", "同期": the base is the current period in another year
    collector: ScopedPattern | None  # "Bệnh viện X tiếp nhận …": group `name` collects, it is no venue
    base_figure: regex.Pattern[str]  # between a comparison's date and a figure of that base
    part_cue: regex.Pattern[str]  # a sentence telling a part of what was said ("Riêng …", "其中…")
    annual_plan: regex.Pattern[str]  # "kế hoạch năm (…)": a target that is the whole year's


@cache
def attribution_rules(lang: str) -> AttributionRules:
    pf = patterns.load(lang, "attribution")
    data = pf.data
    return AttributionRules(
        venue_cue=pf.compile(data["venue_cue"]),
        venue_window=int(data["venue_window"]),
        partner=pf.compile(data["partner_cues"]),
        partner_levels=frozenset(data["partner_levels"]) if data["partner_levels"] is not None else None,
        list_separator=pf.compile(data["list_separator"]),
        quote_attribution=pf.compile(data["quote_attribution"]) if data["quote_attribution"] else None,
        dated_venue=pf.compile(data["dated_venue"]),
        same_period=pf.compile(data["same_period"]),
        collector=scoped(pf.compile(data["collector"]), data.get("collector_scope"), pf.compile)
        if data["collector"] else None,
        base_figure=pf.compile(data["base_figure"]),
        part_cue=pf.compile(data["part_cue"]),
        annual_plan=pf.compile(data["annual_plan"]),
    )


@dataclass
class Context:
    """What earlier sentences set: the paragraph's own period and place, and the article's."""

    block: int = -1
    block_period: DateMention | None = None
    block_place: PlaceMention | None = None
    carry_period: DateMention | None = None
    carry_place: PlaceMention | None = None
    list_parent: Outcome | None = None
    drive: Outcome | None = None  # a dated drive told without figures: its figures may follow in the next sentences
    listed: list[Outcome] = field(default_factory=list)  # drives a sentence listed: a total that follows spans them
    events: list[Outcome] = field(default_factory=list)  # every dated drive told so far, in reading order
    area: PlaceMention | None = None  # the area the title (else the lead) names: what the article is about
    province: str | None = None  # the last province any place named: it locates a venue the text names alone


def enter_block(ctx: Context, sentence: Sentence, tdoc: TextDoc, list_item: regex.Pattern[str]) -> None:
    """A new paragraph: its own period and place start open; a list ends unless the paragraph is an item."""
    ctx.block = sentence.block
    ctx.block_period = ctx.block_place = None
    if tdoc.blocks[sentence.block].heading:  # a heading opens a new section: the last event is over
        ctx.drive, ctx.listed = None, []
    if ctx.list_parent is not None and not list_item.match(tdoc.text, sentence.start):
        ctx.list_parent = None


def update_context(ctx: Context, dates: list[DateMention], places: list[PlaceMention],
                   produced: list[Outcome], tdoc: TextDoc, sentence: Sentence, list_head: regex.Pattern[str],
                   frame: Outcome | None = None) -> None:
    """What a sentence leaves for the next ones: its period, its place, the event it opened, the head
    of a list."""
    drives = [o for o in produced if o.is_drive_report and o.period is not None and o.period.is_day_level]
    dates = [d for d in dates if d.kind not in PART_KINDS]  # "Sau 3 ngày đầu": a part of the event, no new one
    if frame is not None:
        ctx.drive = frame
    elif dates:
        ctx.drive = None
    for event in ([frame] if frame is not None else []) + drives:
        if event.period is not None and event.period.period_start and all(
                (e.period.period_start, e.period.period_end) != (event.period.period_start, event.period.period_end)
                for e in ctx.events if e.period is not None):
            ctx.events.append(event)
    if len(drives) >= 2 and not any(o.figures for o in produced):  # "tại 3 điểm: A (ngày 6-6); B (ngày 8-6) …"
        ctx.listed = drives
    elif dates:
        ctx.listed = []
    if dates:  # the event a sentence opened frames its paragraph, not a label's year after it
        ctx.block_period = frame.period if frame is not None and frame.period in dates else dates[-1]
        carrying = _framing_what_follows(tdoc, sentence, [d for d in dates if d.carries], produced)
        if carrying and sentence.block == tdoc.lead:
            # the lead's first period is the report's ("tổng kết … năm 2016, triển khai nhiệm vụ năm 2017");
            # the title's, when it named one, wins
            if ctx.carry_period is None or not tdoc.blocks[ctx.carry_period.block].heading:
                ctx.carry_period = carrying[0]
        elif carrying:
            ctx.carry_period = carrying[-1]
    if ctx.area is None and (tdoc.blocks[sentence.block].heading or sentence.block == tdoc.lead):
        ctx.area = next((p for p in places if p.level in ADMIN_LEVELS and p.level != "national"), None)
    if places:
        ctx.block_place = places[-1]
        admin = _framing_what_follows(tdoc, sentence, [p for p in places if p.level in ADMIN_LEVELS], produced)
        if admin:
            ctx.carry_place = max(admin, key=lambda p: (p.start if p.level != "national" else -1))
    totals = [o for o in produced if o.figures]
    if totals and list_head.search(tdoc.text[sentence.start : sentence.end].rstrip()):
        ctx.list_parent = totals[-1]  # "…thu được 1.265 đơn vị máu, cụ thể:" heads a list of drives


def _framing_what_follows(tdoc: TextDoc, sentence: Sentence, mentions: list[_M],
                          produced: list[Outcome]) -> list[_M]:
    """The periods (or places) of a sentence that frame what follows. A period carries to the paragraphs
    after it when the title, a heading or the lead names it, or when it comes before any figure of its
    sentence ("Năm 2016, …", "Theo báo cáo, năm 2023 …", "从12月21日开始，…"); a part told in passing
    ("Riêng 9 tháng đầu năm, …", "…; tính chung 9 tháng …", "其中…") frames only its own paragraph."""
    if not mentions or attribution_rules(tdoc.lang).part_cue.match(tdoc.match_text, sentence.start):
        return []
    block = tdoc.blocks[sentence.block]
    if block.heading or sentence.block == tdoc.lead:
        return mentions
    first_figure = min((f.start for o in produced for f in o.figures), default=None)
    return [m for m in mentions if first_figure is None or m.start < first_figure]


def event_frame(sentence: Sentence, produced: list[Outcome], dates: list[DateMention], launch: bool,
                max_days: int) -> Outcome | None:
    """The one event a dated sentence opens, whose day and venue the results told after it take: its
    one drive (a drive told without figures, or figures of one day or a few days), or, for a launch or
    opening ceremony, its one day. Two events leave the next figures' date open."""
    events = [o for o in produced if o.period is not None and _names_day(o.period)
              and o.period in dates and (o.is_drive_report or _days(o.period) <= max_days)]
    if len({(o.period.start, o.period.period_start, o.period.period_end) for o in events}) == 1:
        return events[0]
    if launch and not events:
        days = [d for d in dates if _names_day(d)]
        if len(days) == 1:
            frame = Outcome(sentence, days[0].start, status="actual", is_drive_report=True)
            frame.period = days[0]
            return frame  # placed by the caller, as a drive of that day would be
    return None


def _names_day(date: DateMention) -> bool:
    """A day or a few days, dated or not ("sáng nay" without a publication date still names one day)."""
    return date.is_day_level or (date.is_period and date.kind in ("relative", "weekday") and date.names_day)


def _days(period: DateMention) -> int:
    """How many days a period covers; one for a day the text names but does not date ("sáng nay")."""
    if period.period_start is None:
        return 1
    end = period.period_end or period.period_start
    return (end - period.period_start).days + 1


def nearest_date_before(pos: int, dates: list[DateMention]) -> DateMention | None:
    before = [d for d in dates if d.start <= pos]
    if before:
        return before[-1]
    return dates[0] if dates else None


LABEL_END = regex.compile(r"[”\"»」』]\s*+$")  # a campaign's quoted name just before a year


def choose_period(outcome: Outcome, dates: list[DateMention], ctx: Context, text: str = "") -> DateMention | None:
    """The period of the outcome's own sentence, else its paragraph's, its event's, the article's, the
    span of the drives listed just before; `outcome.period_from` says which."""
    if outcome.is_drive_report:
        outcome.period_from = "sentence"
        return next((d for d in dates if d.start == outcome.anchor), None)
    own = nearest_date_before(outcome.anchor, dates)
    if own is not None and own.kind == "year" and own.period_start is not None \
            and LABEL_END.search(text, max(0, own.start - 3), own.start):
        # "Ngày 29-7, chương trình “Hành trình Đỏ” năm 2016 …": a year after a day of that year labels a
        # campaign; the day dates the figures
        year = own.period_start.year
        days = [d for d in dates if d.end <= own.start and d.is_day_level and d.period_start.year == year]
        own = days[-1] if days else own
    if own is not None and own.kind == "year" and own.period_start is not None and own.period_end is not None:
        own = _running_total(own, dates) or own
    # drives listed before span a total only when no period frames the article (the lead's year wins)
    for scope, period in (("sentence", own), ("paragraph", ctx.block_period),
                          ("event", ctx.drive.period if ctx.drive else None), ("article", ctx.carry_period),
                          (LISTED_DRIVES, listed_span(ctx))):
        if period is not None:
            outcome.period_from = scope
            return period
    return None




def _running_total(year: DateMention, dates: list[DateMention]) -> DateMention | None:
    """"截至6月13日，甘肃省今年已采集…", "Tính đến ngày 15/6, năm nay toàn tỉnh…": this year's total as read
    on the as-of day named before the year in the sentence: from January 1 (the year's start) to that day."""
    as_of = next((d for d in reversed(dates) if d.end <= year.start and d.kind == "as_of" and d.period_end
                  and year.period_start <= d.period_end <= year.period_end), None)
    if as_of is None:
        return None
    return replace(as_of, period_start=as_of.period_start or year.period_start)


@cache
def _relative_years(lang: str) -> dict[str, int]:
    return dict(patterns.load(lang, "dates").data["relative_years"])


OPENING_BREAK = regex.compile(r"\s*[,，、]")  # after a comparison that opens its sentence ("去年同期，")


def base_period(tdoc: TextDoc, pos: int, bases: list[DateMention], current: DateMention | None,
                sentence: Sentence | None = None) -> DateMention | None:
    """The period of a figure of a comparison's base ("so với năm 2015 (13.210 đơn vị)", "去年同期为
    1.2万人次"): the base's year, or for "cùng kỳ"/"同期" the current period moved to that year."""
    gap = attribution_rules(tdoc.lang).base_figure
    base = next((d for d in reversed(bases) if d.end <= pos and gap.fullmatch(tdoc.match_text, d.end, pos)), None)
    if base is None and sentence is not None:  # "去年同期，全市仅有16662人次献血": the base frames its sentence
        base = next((d for d in bases if not tdoc.text[sentence.start : d.start].strip()
                     and OPENING_BREAK.match(tdoc.match_text, d.end) and d.end <= pos), None)
    if base is None:
        return None
    same_period = attribution_rules(tdoc.lang).same_period
    if same_period.search(base.text) and current is not None and current.period_start is not None:
        # "2023年，…去年同期为…": last year's same period is the year before the period compared (whenever
        # the report was published); a base with its own year keeps it
        offset = _relative_years(tdoc.lang).get(str(base.groups.get("rel", "")))
        if offset is not None:
            base_year = current.period_start.year + offset
        elif base.period_start is not None:
            base_year = base.period_start.year
        else:
            return None
        shift = current.period_start.year - base_year
        try:
            return replace(current, start=base.start, end=base.end, text=base.text, role="base",
                           period_start=current.period_start.replace(year=current.period_start.year - shift),
                           period_end=current.period_end.replace(year=current.period_end.year - shift)
                           if current.period_end else None)
        except ValueError:  # 29 February in a year without one
            return None
    if base.period_start is None:
        return None
    return replace(base, role="period")


RECAP = "recap"  # the rule name of a period spanning the drives a total sums up

_LIST_GAP = r"\s*+(?:[(（][^()（）]{0,40}[)）])?"  # a venue's bracketed date may sit between list members


@cache
def _list_gap(lang: str) -> regex.Pattern[str]:
    """Between members of a venue list: a bracketed date, a separator, and the next venue's type words
    ("…, Trạm Y tế phường B")."""
    separator = attribution_rules(lang).list_separator.pattern
    return regex.compile(_LIST_GAP + "(?:" + separator + r")[^\d,;.()、，。；]{0,30}+")


def pair_respective(tdoc: TextDoc, outcomes: list[Outcome], places: list[PlaceMention],
                    dates: list[DateMention]) -> None:
    """"tại A, B và C, tiếp nhận lần lượt 137, 96 và 84 đơn vị máu", "A (ngày 11-10) và B (ngày 8-11), tiếp
    nhận lần lượt 624 và 518 đơn vị": the i-th figure of a respective list is the i-th venue's, of that
    venue's bracketed date when it has one."""
    series = sorted((o for o in outcomes if o.figures and o.figures[0].series is not None),
                    key=lambda o: o.figures[0].series or 0)
    if len(series) < 2:
        return
    first = min(o.figures[0].start for o in series)
    rules = attribution_rules(tdoc.lang)
    gap = _list_gap(tdoc.lang)
    ordered = [p for p in sorted(places, key=lambda p: p.start) if p.end <= first and p.level != "national"]
    run = _last_run(tdoc.match_text, ordered, gap, len(series))
    if run is None:
        _pair_respective_dates(tdoc, series, dates, first, gap)
        return
    for outcome, place in zip(series, run, strict=True):
        outcome.place, outcome.place_text_span = place, (place.start, place.end)
        outcome.place_from = "respective_list"
        own = next((d for d in dates if place.end <= d.start
                    and rules.dated_venue.fullmatch(tdoc.match_text, place.end, d.start)), None)
        if own is not None:
            outcome.period, outcome.period_from = own, "respective_list"


def _last_run(text: str, mentions: list[_M], gap: regex.Pattern[str], length: int) -> list[_M] | None:
    """The last run of `length` mentions (in text order) joined by list gaps."""
    runs: list[list[_M]] = []
    for m in mentions:
        if runs and gap.fullmatch(text, runs[-1][-1].end, m.start):
            runs[-1].append(m)
        else:
            runs.append([m])
    return next((r for r in reversed(runs) if len(r) == length), None)


def _pair_respective_dates(tdoc: TextDoc, series: list[Outcome], dates: list[DateMention], first: int,
                           gap: regex.Pattern[str]) -> None:
    """"7月、8月…采血量分别同比下降8.3%和6.1%", "tháng 7 và tháng 8 lần lượt tăng 5% và 3%": with no list of
    places, a list of periods as long as the figures' gives each figure its period."""
    ordered = [d for d in sorted(dates, key=lambda d: d.start) if d.end <= first and d.is_period]
    run = _last_run(tdoc.match_text, ordered, gap, len(series))
    if run is None:
        return
    for outcome, date in zip(series, run, strict=True):
        outcome.period, outcome.period_from = date, "respective_list"


def same_day_event(outcome: Outcome, ctx: Context) -> Outcome | None:
    """"据统计，当天…共采集全血238人次", "Cùng ngày, …": a figure its sentence does not place, of the day of
    an event told before, belongs to that event and takes its venue."""
    period = outcome.period
    if period is None or period.period_start is None or not _names_day(period):
        return None
    if outcome.place is not None and outcome.place.sentence == outcome.sentence.index:
        return None
    day = (period.period_start, period.period_end or period.period_start)
    events = [e for e in ctx.events if e.place is not None and e.period is not None
              and (e.period.period_start, e.period.period_end or e.period.period_start) == day]
    return events[-1] if len({e.place.name for e in events}) == 1 else None


def recap_span(tdoc: TextDoc, outcome: Outcome, ctx: Context, recap: regex.Pattern[str],
               numbers: dict[str, int]) -> tuple[DateMention, PlaceMention | None] | None:
    """"Tổng cộng 3 đợt hiến máu nói trên đã tiếp nhận 272 đơn vị": the period from the first to the last
    of the drives summed up (the last n told), and their common area when their venues differ."""
    if len(ctx.events) < 2:
        return None
    m = recap.search(tdoc.match_text, outcome.sentence.start, outcome.sentence.end)
    if m is None:
        return None
    words = m.group("n") if "n" in m.re.groupindex and m.group("n") else ""
    n = int(words) if words.isdigit() else numbers.get(words.lower(), len(ctx.events))
    events = ctx.events[-n:] if 2 <= n <= len(ctx.events) else ctx.events
    periods = [e.period for e in events if e.period is not None and e.period.period_start is not None]
    first = min(periods, key=lambda p: p.period_start)
    last = max(periods, key=lambda p: p.period_end or p.period_start)
    span = DateMention(
        start=m.start(), end=m.end(), text=tdoc.text[m.start() : m.end()], kind="range", role="period",
        rule=RECAP, groups={}, period_start=first.period_start, period_end=last.period_end or last.period_start,
        sentence=outcome.sentence.index, block=outcome.sentence.block,
    )
    venues = {e.place.name for e in events if e.place is not None}
    return span, (events[0].place if len(venues) == 1 else ctx.area or ctx.carry_place)


ANNUAL_PLAN = "annual_plan"  # the rule name of a year read from a target's own words
PLAN_WINDOW = 40  # how far before or after a target its "kế hoạch năm" may be


def annual_period(tdoc: TextDoc, outcome: Outcome, current: DateMention | None) -> DateMention | None:
    """A target the words call the year's ("kế hoạch năm (16.000 đơn vị)", "… cả năm") spans the whole
    year of the period in scope."""
    if outcome.status != "target" or not outcome.figures or current is None or current.period_start is None:
        return None
    rx = attribution_rules(tdoc.lang).annual_plan
    fig = outcome.figures[0]
    before = tdoc.match_text[max(outcome.sentence.start, fig.start - PLAN_WINDOW) : fig.start]
    after = tdoc.match_text[fig.end : min(outcome.sentence.end, fig.end + PLAN_WINDOW)]
    if not (rx.search(before) or rx.search(after)):
        return None
    year = current.period_start.year
    if (current.period_start, current.period_end) == (dt.date(year, 1, 1), dt.date(year, 12, 31)):
        return None
    return replace(current, kind="year", rule=ANNUAL_PLAN, period_start=dt.date(year, 1, 1),
                   period_end=dt.date(year, 12, 31))


def listed_span(ctx: Context) -> DateMention | None:
    """The period of a total over the drives listed just before: the first listed day to the last."""
    periods = [o.period for o in ctx.listed if o.period is not None and o.period.period_start is not None]
    if len(periods) < 2:
        return None
    first = min(periods, key=lambda p: p.period_start)
    last = max(periods, key=lambda p: p.period_end or p.period_start)
    return DateMention(
        start=min(p.start for p in periods), end=max(p.end for p in periods),
        text=" … ".join(p.text for p in sorted(periods, key=lambda p: p.start)), kind="range", role="period",
        rule=LISTED_DRIVES, groups={}, period_start=first.period_start,
        period_end=last.period_end or last.period_start, sentence=first.sentence, block=first.block,
    )


def listed_venue_period(tdoc: TextDoc, outcome: Outcome, ctx: Context) -> DateMention | None:
    """A part of that total named by one listed drive's venue ("điểm Cẩm Giàng tiếp nhận 652 đơn vị")
    takes that drive's period; the venue is read up to the drive's date ("Nhà Văn hóa Trung tâm tỉnh,
    TP Hải Dương (từ ngày 10 đến 12-6)" is named by "điểm TP Hải Dương")."""
    if outcome.place is None or outcome.period is None or outcome.period.rule != LISTED_DRIVES:
        return None
    if outcome.place.sentence != outcome.sentence.index:  # a place carried from before names no part
        return None
    name = outcome.place.name.casefold()
    matches = [o for o in ctx.listed if o.place is not None and o.period is not None
               and (name == o.place.name.casefold() or name in o.place.name.casefold()
                    or name == (o.place.district or "").casefold()
                    or (o.place.start < o.anchor and name in tdoc.text[o.place.start : o.anchor].casefold()))]
    return matches[0].period if len(matches) == 1 else None


def drive_extent(outcome: Outcome, dates: list[DateMention]) -> int | None:
    """A drive told by its date ("3月8日，在芜湖市镜湖区，女职工参加无偿献血") reads its venue up to the
    next date of its sentence, not only in the date's own clause."""
    if not outcome.is_drive_report:
        return None
    # only another day starts another drive: a year labelling the campaign ("2024年“热血长兴”活动在…") does not
    later = [d.start for d in dates if d.start > outcome.anchor and (d.is_day_level or _names_day(d))]
    return min(later, default=outcome.sentence.end)


def attribution_places(tdoc: TextDoc, sentence: Sentence, by_place: dict[int, list[PlaceMention]]
                        ) -> list[PlaceMention]:
    """The places of the speaker named right after a quotation ("“…采集了近6万毫升血液。”漳州市中心血站
    负责人说。"): they place the quotation's figures."""
    rx = attribution_rules(tdoc.lang).quote_attribution
    following = tdoc.sentences[sentence.index + 1] if sentence.index + 1 < len(tdoc.sentences) else None
    if rx is None or following is None or following.block != sentence.block:
        return []
    m = rx.match(tdoc.match_text, following.start, following.end)
    if m is None:
        return []
    return [p for p in by_place.get(following.index, []) if p.start < m.end()]


def choose_place(tdoc: TextDoc, outcome: Outcome, places: list[PlaceMention], ctx: Context,
                  drive_extent: int | None = None, collectors: list[PlaceMention] | None = None,
                  named: list[PlaceMention] | None = None) -> None:
    """The venue or area of the outcome's sentence, else its paragraph's, its drive's, the article's, and
    only when nothing else places it, the collecting centre's (its own total)."""
    pos = outcome.anchor
    clause = outcome.sentence.clause_of(pos)
    if drive_extent is not None:
        venue = _bracketed_venue(tdoc, outcome, places) or _venue(
            tdoc, outcome.sentence, [p for p in places if p.start < drive_extent], drive_extent)
    else:
        venue = _venue(tdoc, outcome.sentence, places, pos)
    outcome.place_from = "venue_cue" if venue is not None else "sentence"
    chosen = venue or _sentence_place(places, pos, clause)
    if chosen is not None:
        chosen = _most_specific(chosen, places)
        chosen, span = _expand_chain(tdoc, chosen, places)
        chosen, span = _qualified_place(tdoc.text, chosen, span, places)
        outcome.place, outcome.place_text_span = _with_bracketed_province(tdoc, chosen, places), span
    else:
        outcome.place_from, outcome.place = next(
            ((scope, place) for scope, place in (
                ("paragraph", ctx.block_place), ("event", ctx.drive.place if ctx.drive else None),
                ("article", ctx.carry_place), (COLLECTOR, collectors[0] if collectors else None))
             if place is not None), ("", None))
        outcome.place_text_span = (outcome.place.start, outcome.place.end) if outcome.place else None
    if outcome.place is not None and outcome.place.province is None and outcome.place.level != "national":
        fallback = ctx.block_place if ctx.block_place is not outcome.place else None
        earlier = [p for p in places if p.end <= outcome.place.start and p.level in ADMIN_LEVELS and p.province]
        # a collector's or partner's city still locates the venue ("开封市中心血站在清明上河园…")
        located_by = [p for p in named or collectors or [] if p.end <= outcome.place.start and p.province]
        for source in (earlier[-1] if earlier else None, located_by[-1] if located_by else None, fallback,
                       ctx.carry_place):
            if source is not None and source.province:
                outcome.place = _with_province(outcome.place, source)
                break
        else:
            if ctx.province:  # "洪家楼校区" in an article that named Shandong only through a blood centre
                outcome.place = replace(outcome.place, province=ctx.province)


def _sentence_place(places: list[PlaceMention], pos: int, clause: tuple[int, int]) -> PlaceMention | None:
    """With no venue: the place of the outcome's clause before it, else after it, else the sentence's
    last before it, else its first."""
    in_clause = [p for p in places if clause[0] <= p.start < clause[1]]
    return (
        max((p for p in in_clause if p.end <= pos), key=lambda p: p.start, default=None)
        or next((p for p in in_clause if p.start >= pos), None)
        or next((p for p in reversed(places) if p.end <= pos), None)
        # a national word in a later clause ("…，全国各地还向四川调运血液") is about something else
        or next((p for p in places if p.level != "national" or clause[0] <= p.start < clause[1]), None)
    )


def _most_specific(place: PlaceMention, places: list[PlaceMention]) -> PlaceMention:
    """"沈阳市和平区在太原街设点": of a chain of places written together, the last and most specific."""
    ordered = sorted(places, key=lambda p: p.start)
    current = place
    for p in ordered:
        if p.start == current.end and p.rank > current.rank:
            current = p
    return current


def _with_bracketed_province(tdoc: TextDoc, place: PlaceMention, places: list[PlaceMention]) -> PlaceMention:
    """"西南大学（重庆市北碚区）": a venue's parents in brackets right after it say where it is."""
    if place.province is not None:
        return place
    after = [p for p in places if p.start >= place.end and p.province]
    if after and attribution_rules(tdoc.lang).dated_venue.fullmatch(tdoc.match_text, place.end, after[0].start):
        return _with_province(place, after[0])
    return place


def _venue(tdoc: TextDoc, sentence: Sentence, places: list[PlaceMention], pos: int) -> PlaceMention | None:
    """The place after a venue cue ("tại", "在") before the outcome in its sentence (or after it in its
    clause): where the drive was held, which beats the organiser's place ("Tỉnh đoàn Đắk Nông").
    Within the venue's clause the most specific place wins ("在北京城市副中心通州区…" is 通州区)."""
    rules = attribution_rules(tdoc.lang)
    cue = rules.venue_cue
    own_clause = sentence.clause_of(pos)
    for p in sorted(places, key=lambda p: -p.start):
        if p.start >= pos and not own_clause[0] <= p.start < own_clause[1]:
            continue
        if cue.search(tdoc.match_text, max(sentence.start, p.start - rules.venue_window), p.start):
            clause = sentence.clause_of(p.start)
            phrase = [q for q in places if p.start <= q.start < clause[1] and q.level != "national"]
            return max(phrase, key=lambda q: (q.rank, -q.start), default=p)
    return None


def _bracketed_venue(tdoc: TextDoc, outcome: Outcome, places: list[PlaceMention]) -> PlaceMention | None:
    """"A (ngày 6-6); B (từ ngày 8 đến 9-6)": a drive's date in brackets right after a place dates that
    place, whatever venue cue opened the list."""
    gap = attribution_rules(tdoc.lang).dated_venue
    last = next((p for p in reversed(places) if p.end <= outcome.anchor and p.level != "national"), None)
    if last is not None and gap.fullmatch(tdoc.match_text, last.end, outcome.anchor):
        return last
    return None


def _with_province(place: PlaceMention, source: PlaceMention) -> PlaceMention:
    return replace(place, province=source.province, city=place.city or source.city)


def _expand_chain(tdoc: TextDoc, place: PlaceMention, places: list[PlaceMention]
                  ) -> tuple[PlaceMention, tuple[int, int]]:
    """"郾城区孟庙镇、商桥镇等": a list of places under one parent stands for the parent."""
    ordered = sorted(places, key=lambda p: p.start)
    i = next(k for k, p in enumerate(ordered) if p is place)
    first = i
    text, separators = tdoc.text, attribution_rules(tdoc.lang).list_separator
    while first > 0 and ordered[first - 1].level == place.level and separators.fullmatch(
        text[ordered[first - 1].end : ordered[first].start]
    ):
        first -= 1
    parent = ordered[first - 1] if first > 0 and ordered[first - 1].end == ordered[first].start else None
    if parent is not None and parent.rank < place.rank:
        span = (parent.start, place.end)
        if first < i:  # a list: the common parent is the place
            return parent, span
        if place.province is None or place.province != parent.province:
            place = replace(place, province=parent.province, city=place.city or parent.city)
        return place, span
    return place, (place.start, place.end)


_QUALIFIER_SEP = regex.compile(r"\s*(?:[(（,，]\s*)+")


def _qualified_place(text: str, place: PlaceMention, span: tuple[int, int],
                     places: list[PlaceMention]) -> tuple[PlaceMention, tuple[int, int]]:
    """"huyện Mộc Châu (Sơn La)", "phường Tân Định (Quận 1, TP.HCM)": a place followed by its parents in
    brackets or after commas is the place; the parents only say where it is."""
    ordered = sorted(places, key=lambda p: p.start)
    current, start = place, span[0]
    while True:
        before = [p for p in ordered if p.end <= current.start]
        if not before:
            break
        prev = before[-1]
        if prev.rank <= current.rank or prev.level == "national" or not _QUALIFIER_SEP.fullmatch(
                text[prev.end : current.start]):
            break
        if current.province and prev.province != current.province:
            match = next((u for u in prev.candidates if u.province == current.province), None)
            if match is not None:
                prev = replace(prev, name=match.name, level=match.level, province=match.province,
                               district=match.district, city=match.city)
            elif prev.province is None or prev.level == "site":
                prev = replace(prev, province=current.province, city=prev.city or current.city)
        current, start = prev, prev.start
    if current is place:
        return place, span
    return current, (start, span[1])


PARTNER, COLLECTOR = "partner", "collector"  # the roles of places that are no venue


def non_venue_places(tdoc: TextDoc, places: list[PlaceMention]) -> dict[int, str]:
    """Places named as partners ("phối hợp với Viện …, Bệnh viện …") or as the collecting centre or
    receiving hospital ("Bệnh viện X tiếp nhận …"), not as where a drive took place: id → role."""
    roles = dict.fromkeys(_partner_places(tdoc, places), PARTNER)
    collector = attribution_rules(tdoc.lang).collector
    if collector is not None and places:  # a collector matters only by the places its name holds
        for m in collector.finditer(tdoc.match_text):
            start, end = m.span("name")
            roles.update((id(p), COLLECTOR) for p in places if start <= p.start and p.end <= end)
    return roles


def _partner_places(tdoc: TextDoc, places: list[PlaceMention]) -> set[int]:
    rules = attribution_rules(tdoc.lang)
    cue, levels = rules.partner, rules.partner_levels
    text = tdoc.match_text
    partners: set[int] = set()
    by_sentence: dict[int, list[PlaceMention]] = {}  # only sentences naming a place can name a partner
    for p in places:
        at = tdoc.sentence_at(p.start)
        if at is not None:
            by_sentence.setdefault(at.index, []).append(p)
    for index, in_sentence in by_sentence.items():
        sentence = tdoc.sentences[index]
        for m in cue.finditer(text, sentence.start, sentence.end):
            cursor = m.end()
            for p in in_sentence:
                if p.start < cursor:
                    continue
                gap = text[cursor : p.start]
                if rules.list_separator.fullmatch(gap) or not gap.strip():
                    if levels is None or p.level in levels:  # "联合长沙市开福区": a district hosts, not partners
                        partners.add(id(p))
                    cursor = p.end
                else:
                    break
    return partners
