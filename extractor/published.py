"""An article's publication day from whatever its metadata says: ISO dates, "14/06/2024",
"Thứ Hai, 01/12/2026 08:37 GMT+7", "发布时间：2023-12-21", "3 giờ trước" (against `fetched_at`).

ISO shapes are read exactly (dateparser would turn "2024-13-01" into January 13); everything else goes
to dateparser with the language set and the clock of the outlets' country, so a timestamp late in the
UTC evening is the next day in Hanoi. A value that cannot be read, names an impossible or implausible
day, or is relative with nothing to count from is refused with a reason (a warning for errors.jsonl):
later stages resolve "hôm qua" against this day, so it must be a real one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from extractor.lang import get_pack, packs

# Earliest and latest plausible publication years: outside them a day is a placeholder ("0001-01-01").
FIRST_YEAR, LAST_YEAR = 1900, 2100
# The longest byline a date hides in ("Cập nhật lúc 08:37 Thứ Hai, ngày 01/12/2026 (GMT+7)"); beyond it
# the value is not a date, and dateparser's time grows with the length.
MAX_CHARS = 120
_ISO_DAY = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_ISO_STAMP = re.compile(r"^\s*\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\s*$")
# Two far-apart bases, on different days of the month: a value read the same against both is absolute;
# one read at the same distance before both is relative ("3 giờ trước", "昨天"); anything else was
# completed from the base ("10%" as the 10th of its month, "1200" as a year) and names no day.
_PROBE_BASES = (dt.datetime(2001, 3, 10, 12, 0), dt.datetime(2011, 9, 25, 12, 0))
_SAME_DISTANCE = dt.timedelta(days=3)  # "3 tháng trước" is 90 or 92 days before, by the months


@dataclass(frozen=True)
class PublishedDay:
    day: dt.date | None
    warning: str | None = None


def read_published(value: Any, lang: str | None, fetched_at: Any = None) -> PublishedDay:
    """The day `value` names, in the clock of `lang`'s country (both packs' when unknown)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return PublishedDay(None)
    if not isinstance(value, str):
        return PublishedDay(None, f"published {value!r} is not a date string: ignored")
    text = value.strip()
    if len(text) > MAX_CHARS:
        return PublishedDay(None, f"published {text[:40]!r}... is {len(text)} characters, too long for a date: ignored")
    zone = _zone(lang)
    try:
        day = _iso_day(text, zone)
        if day is None:
            day = _parsed_day(text, lang, zone, _base(fetched_at, zone))
    except _Unreadable as e:
        return PublishedDay(None, f"published {text!r}: {e}: ignored")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return PublishedDay(None, f"published {text!r} is not a plausible publication day "
                                  f"(outside {FIRST_YEAR}-{LAST_YEAR}): ignored")
    return PublishedDay(day)


class _Unreadable(ValueError):
    pass


def _zone(lang: str | None) -> ZoneInfo | None:
    return ZoneInfo(get_pack(lang).time_zone) if lang else None


def _iso_day(text: str, zone: ZoneInfo | None) -> dt.date | None:
    """An ISO day or timestamp, exactly; None when the value has no ISO day in it."""
    if _ISO_STAMP.match(text):
        stamp = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        if stamp.tzinfo is not None and zone is not None:
            stamp = stamp.astimezone(zone)
        return stamp.date()
    match = _ISO_DAY.search(text)
    if match is None:
        return None
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _Unreadable(f"no such day ({year:04d}-{month:02d}-{day:02d})") from None


def _base(fetched_at: Any, zone: ZoneInfo | None) -> dt.datetime | None:
    """When the page was fetched, on the outlet's clock: what "3 giờ trước" counts back from."""
    if not isinstance(fetched_at, str):
        return None
    try:
        stamp = dt.datetime.fromisoformat(fetched_at.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(zone) if zone else stamp
        stamp = stamp.replace(tzinfo=None)
    return stamp


def _parsed_day(text: str, lang: str | None, zone: ZoneInfo | None, base: dt.datetime | None) -> dt.date:
    first, second = (_dateparser(text, lang, probe) for probe in _PROBE_BASES)
    if first is None or second is None:
        raise _Unreadable("not a date that can be read")
    if first == second:
        if not _names_a_full_day(text, lang):
            raise _Unreadable("names no full day (day, month and year)")
        return first.date()
    before = (_PROBE_BASES[0] - first, _PROBE_BASES[1] - second)
    if abs(before[0] - before[1]) > _SAME_DISTANCE:
        raise _Unreadable("names no full day (day, month and year)")
    if base is None:
        raise _Unreadable("relative to a moment not given (no fetched_at)")
    stamp = _dateparser(text, lang, base)
    if stamp is None:
        raise _Unreadable("not a date that can be read")
    return stamp.date()


def _dateparser(text: str, lang: str | None, base: dt.datetime) -> dt.datetime | None:
    import dateparser

    settings = {"RELATIVE_BASE": base, "RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DATES_FROM": "past"}
    if lang:
        pack = get_pack(lang)
        settings |= {"TIMEZONE": pack.time_zone, "TO_TIMEZONE": pack.time_zone, "DATE_ORDER": pack.date_order}
    try:
        return dateparser.parse(text, languages=_languages(lang), settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None


def _names_a_full_day(text: str, lang: str | None) -> bool:
    """dateparser fills a missing day or year from the base ("10%" is a day of this month): an
    absolute value counts only when it names day, month and year itself."""
    import dateparser

    settings: dict[str, Any] = {"REQUIRE_PARTS": ["day", "month", "year"]}
    if lang:
        settings["DATE_ORDER"] = get_pack(lang).date_order
    try:
        return dateparser.parse(text, languages=_languages(lang), settings=settings) is not None
    except (ValueError, OverflowError, TypeError):
        return False


@lru_cache(maxsize=8)
def _languages(lang: str | None) -> list[str]:
    codes = [lang] if lang else [pack.code for pack in packs()]
    return [*codes, "en"]  # bylines and feeds often write English month names and GMT offsets
