"""Working calendar of the task force: office hours, Việt Nam's public holidays, SLA deadlines.

Deadlines are promised in *working* hours (DESIGN §3): a case reported on Friday at 16:30
with 4 working hours to the first response is due on Monday morning, not Friday night.

Time-zone rules, the same for every function here:

* aware datetimes in any time zone are accepted and converted to the calendar's zone;
* naive datetimes are treated as UTC (that is what the database layer stores);
* every datetime returned is aware, in the calendar's zone.

Office intervals are half-open: with office hours 07:30–11:30, 07:30 is working time and
11:30 is not (the next working moment after 11:30 is 13:30).

Public holidays come from the ``holidays`` package. Its Việt Nam calendar (0.109) already
moves the Tết days that fall on a weekend to adjacent weekdays and lists the government's
swapped days off (e.g. 02/05/2025 in exchange for Saturday 26/04/2025); the Saturdays worked
in exchange are exposed as ``weekend_workdays`` and counted as working days here unless
``WorkCalendarConfig.official_makeup_workdays`` is switched off. Anything the package does
not know (a decision published after its release, a local day off of Hải Phòng) goes into
``extra_days_off`` / ``makeup_workdays``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "DEFAULT_SLA_POLICIES",
    "VN_TZ",
    "WEEKDAY_NAMES_VI",
    "Priority",
    "SlaPolicy",
    "WorkCalendar",
    "WorkCalendarConfig",
    "deadlines",
    "format_deadline_vi",
]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Monday first, as date.weekday() counts.
WEEKDAY_NAMES_VI: tuple[str, ...] = (
    "thứ Hai",
    "thứ Ba",
    "thứ Tư",
    "thứ Năm",
    "thứ Sáu",
    "thứ Bảy",
    "Chủ nhật",
)

# A configuration with no working time at all would make the searches below spin forever;
# no real calendar has a gap this long (the longest, Tết, is about 9 days).
_MAX_SEARCH_DAYS = 3 * 366


@dataclass
class WorkCalendarConfig:
    office_hours: list[tuple[time, time]] = field(
        default_factory=lambda: [(time(7, 30), time(11, 30)), (time(13, 30), time(17, 0))]
    )
    # date.weekday() numbers: 0 = Monday … 6 = Sunday.
    workdays: frozenset[int] = frozenset(range(5))
    extra_days_off: list[date] = field(default_factory=list)
    makeup_workdays: list[date] = field(default_factory=list)
    tz: str = "Asia/Ho_Chi_Minh"
    country: str = "VN"
    # Count the weekend days the holidays package lists as worked in exchange for a
    # swapped day off (26/04/2025, 22/08/2026) as working days.
    official_makeup_workdays: bool = True


@functools.lru_cache(maxsize=64)
def _public_holidays(country: str, year: int) -> tuple[Mapping[date, str], frozenset[date]]:
    """Holidays (date → Vietnamese name) and officially worked weekend days of one year.

    Cached because building the set costs ~0.4 ms and a report computes thousands of
    durations; the result is immutable so sharing it between calendars is safe.
    """
    try:
        cal = holidays.country_holidays(country, years=year, language="vi")
    except NotImplementedError:  # language not supported by that country's calendar
        cal = holidays.country_holidays(country, years=year)
    days = MappingProxyType({d: str(name) for d, name in cal.items()})
    # weekend_workdays is not filtered by year in the package (it keeps every static
    # swap it has ever seen), so keep only this year's.
    worked = frozenset(d for d in getattr(cal, "weekend_workdays", ()) if d.year == year)
    return days, worked


class WorkCalendar:
    """Office time of the task force. Cheap to create; share one instance."""

    def __init__(self, config: WorkCalendarConfig | None = None) -> None:
        self.config = config or WorkCalendarConfig()
        self.tz = ZoneInfo(self.config.tz)
        self._office = sorted(self.config.office_hours)
        if not self._office:
            raise ValueError("office_hours must not be empty")
        for (s1, e1), (s2, _e2) in zip(self._office, self._office[1:], strict=False):
            if e1 > s2:
                raise ValueError(f"office hours overlap: {s1:%H:%M}–{e1:%H:%M} and {s2:%H:%M}")
        for s, e in self._office:
            if s >= e:
                raise ValueError(f"office interval {s:%H:%M}–{e:%H:%M} must start before it ends")
        self._days_off = frozenset(self.config.extra_days_off)
        self._makeup = frozenset(self.config.makeup_workdays)

    # -- conversions -------------------------------------------------------------------

    def to_local(self, dt: datetime) -> datetime:
        """``dt`` as an aware datetime in the calendar's zone (naive means UTC)."""
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        return dt.astimezone(self.tz)

    # -- days ----------------------------------------------------------------------------

    def holidays_in(self, year: int) -> Mapping[date, str]:
        """Public holidays of ``year`` (date → name in Vietnamese), without config changes."""
        return _public_holidays(self.config.country, year)[0]

    def is_holiday(self, d: date) -> bool:
        return d in _public_holidays(self.config.country, d.year)[0]

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` has office hours. A datetime is first converted to the calendar zone.

        Precedence, most explicit first: configured day off, configured make-up day,
        public holiday, official make-up weekend day, the weekday rule.
        """
        if isinstance(d, datetime):
            d = self.to_local(d).date()
        if d in self._days_off:
            return False
        if d in self._makeup:
            return True
        hols, worked = _public_holidays(self.config.country, d.year)
        if d in hols:
            return False
        if self.config.official_makeup_workdays and d in worked:
            return True
        return d.weekday() in self.config.workdays

    def working_days_ahead(self, start: date, days: int) -> date:
        """The working day ``days`` working days after ``start`` (``start`` not counted).

        ``days == 0`` gives ``start`` if it is a working day, else the next working day;
        negative ``days`` count backwards.
        """
        step = 1 if days >= 0 else -1
        d = start
        if days == 0:
            for _ in range(_MAX_SEARCH_DAYS):
                if self.is_working_day(d):
                    return d
                d += timedelta(days=1)
            raise ValueError("no working day found; check the calendar configuration")
        left = abs(days)
        for _ in range(left + _MAX_SEARCH_DAYS):
            d += timedelta(days=step)
            if self.is_working_day(d):
                left -= 1
                if left == 0:
                    return d
        raise ValueError("no working day found; check the calendar configuration")

    # -- office intervals ----------------------------------------------------------------

    def _day_segments(self, d: date) -> list[tuple[datetime, datetime]]:
        """Office intervals of day ``d`` as UTC datetimes (empty on a day off).

        Arithmetic is done in UTC so that durations are real elapsed time even in a zone
        with daylight saving (Việt Nam has none, but the zone is configurable).
        """
        if not self.is_working_day(d):
            return []
        return [
            (
                datetime.combine(d, s, tzinfo=self.tz).astimezone(UTC),
                datetime.combine(d, e, tzinfo=self.tz).astimezone(UTC),
            )
            for s, e in self._office
        ]

    def _segments_forward(self, local: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Office intervals (UTC) ending after ``local``, in time order, clipped to start at it."""
        cur = local.astimezone(UTC)
        d = local.date()
        for _ in range(_MAX_SEARCH_DAYS):
            for s, e in self._day_segments(d):
                if e > cur:
                    yield max(s, cur), e
            d += timedelta(days=1)
        raise ValueError("no working time found; check the calendar configuration")

    def _segments_backward(self, local: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Office intervals (UTC) starting before ``local``, latest first, clipped to end at it."""
        cur = local.astimezone(UTC)
        d = local.date()
        for _ in range(_MAX_SEARCH_DAYS):
            for s, e in reversed(self._day_segments(d)):
                if s < cur:
                    yield s, min(e, cur)
            d -= timedelta(days=1)
        raise ValueError("no working time found; check the calendar configuration")

    # -- moments -------------------------------------------------------------------------

    def is_working_time(self, dt: datetime) -> bool:
        local = self.to_local(dt)
        cur = local.astimezone(UTC)
        return any(s <= cur < e for s, e in self._day_segments(local.date()))

    def next_working_moment(self, dt: datetime) -> datetime:
        """``dt`` itself during office time, otherwise the next opening."""
        start, _ = next(self._segments_forward(self.to_local(dt)))
        return start.astimezone(self.tz)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment ``hours`` of office time after ``start``.

        A start outside office hours first rolls to the next opening, so ``hours == 0``
        equals :meth:`next_working_moment`. A result that lands exactly on a closing time
        stays there (due at 17:00, not at 07:30 next day). Negative ``hours`` count back
        from ``start`` (useful for "remind 1 working hour before the deadline").
        """
        local = self.to_local(start)
        remaining = timedelta(hours=abs(hours))
        if hours >= 0:
            for s, e in self._segments_forward(local):
                if remaining <= e - s:
                    return (s + remaining).astimezone(self.tz)
                remaining -= e - s
        else:
            for s, e in self._segments_backward(local):
                if remaining <= e - s:
                    return (e - remaining).astimezone(self.tz)
                remaining -= e - s
        raise AssertionError("unreachable: segment iterators are unbounded or raise")

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        """Office hours between ``a`` and ``b``, **signed**: negative when ``b`` is before ``a``.

        Signed so that "hours overdue" is ``working_hours_between(due, now)`` (negative =
        still time left). Inverse of :meth:`add_working_hours` for starts in office time:
        ``working_hours_between(a, add_working_hours(a, h)) == h``.
        """
        la, lb = self.to_local(a), self.to_local(b)
        if lb < la:
            return -self.working_hours_between(lb, la)
        ua, ub = la.astimezone(UTC), lb.astimezone(UTC)
        total = timedelta(0)
        d = la.date()
        last = lb.date()
        while d <= last:
            for s, e in self._day_segments(d):
                lo, hi = max(s, ua), min(e, ub)
                if hi > lo:
                    total += hi - lo
            d += timedelta(days=1)
        return total / timedelta(hours=1)


# -- SLA -------------------------------------------------------------------------------------


class Priority(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


@dataclass(frozen=True)
class SlaPolicy:
    first_response_hours: float
    resolution_hours: float


# Same defaults as config.yaml's `sla:` section; the integrator passes the configured ones.
DEFAULT_SLA_POLICIES: Mapping[str, SlaPolicy] = MappingProxyType(
    {
        Priority.NORMAL.value: SlaPolicy(first_response_hours=4, resolution_hours=16),
        Priority.URGENT.value: SlaPolicy(first_response_hours=1, resolution_hours=4),
    }
)


def deadlines(
    created_at: datetime,
    priority: str,
    calendar: WorkCalendar,
    policies: Mapping[str, SlaPolicy] | None = None,
) -> tuple[datetime, datetime]:
    """(first_response_due, resolution_due) for a case created at ``created_at``.

    An unknown priority falls back to "normal": a typo in stored data must not stop a
    complaint from being accepted (DESIGN §7, never lose a complaint).
    """
    table = DEFAULT_SLA_POLICIES if policies is None else policies
    key = str(priority)
    policy = table.get(key) or table.get(Priority.NORMAL.value)
    if policy is None:
        raise KeyError(f"no SLA policy for {key!r} and no 'normal' fallback")
    return (
        calendar.add_working_hours(created_at, policy.first_response_hours),
        calendar.add_working_hours(created_at, policy.resolution_hours),
    )


def format_deadline_vi(dt: datetime, tz: ZoneInfo | str = VN_TZ) -> str:
    """e.g. "16:00 thứ Hai, 24/11/2025" (naive ``dt`` is UTC, shown in ``tz``)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    local = (dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt).astimezone(zone)
    return f"{local:%H:%M} {WEEKDAY_NAMES_VI[local.weekday()]}, {local:%d/%m/%Y}"
