from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.schedule.worktime import (
    DEFAULT_SLA_POLICIES,
    VN_TZ,
    Priority,
    SlaPolicy,
    WorkCalendar,
    WorkCalendarConfig,
    deadlines,
    format_deadline_vi,
)

CAL = WorkCalendar()


def vn(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


# -- public holidays as the installed `holidays` package gives them ------------------------


def test_tet_2025_and_2026_are_holidays() -> None:
    # Tết Ất Tỵ: 29/01/2025. The package gives 27/01 (29 Tết, moved from Saturday 01/02
    # mùng 4) to 31/01 on weekdays; with the weekends that is the government's 25/01–02/02.
    for d in range(27, 32):
        assert not CAL.is_working_day(date(2025, 1, d)), d
    assert CAL.is_working_day(date(2025, 1, 24))
    assert CAL.is_working_day(date(2025, 2, 3))
    # Tết Bính Ngọ: 17/02/2026. The package gives 16/02 (giao thừa) – 20/02 (mùng 4),
    # i.e. with both weekends the 9 days off 14/02–22/02/2026.
    assert CAL.holidays_in(2026)[date(2026, 2, 17)] == "Tết Nguyên Đán"
    for d in range(16, 21):
        assert CAL.is_holiday(date(2026, 2, d)), d
        assert not CAL.is_working_day(date(2026, 2, d)), d
    assert CAL.is_working_day(date(2026, 2, 13))
    assert CAL.is_working_day(date(2026, 2, 23))


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 1, 1),
        date(2025, 4, 7),  # Giỗ Tổ Hùng Vương 10/3 âm lịch
        date(2025, 4, 30),
        date(2025, 5, 1),
        date(2025, 5, 2),  # swapped day off, worked on Saturday 26/04/2025
        date(2025, 9, 1),  # the day adjacent to Quốc khánh
        date(2025, 9, 2),
        date(2026, 1, 1),
        date(2026, 4, 27),  # Giỗ Tổ falls on Sunday 26/04/2026 → Monday off
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 8, 31),  # swapped day off, worked on Saturday 22/08/2026
        date(2026, 9, 1),
        date(2026, 9, 2),
        date(2026, 11, 24),  # Ngày Văn hóa Việt Nam, a day off from 2026
    ],
)
def test_public_holidays_are_days_off(day: date) -> None:
    assert not CAL.is_working_day(day)


def test_official_makeup_saturdays_from_the_package() -> None:
    assert CAL.is_working_day(date(2025, 4, 26))
    assert CAL.is_working_day(date(2026, 8, 22))
    off = WorkCalendar(WorkCalendarConfig(official_makeup_workdays=False))
    assert not off.is_working_day(date(2025, 4, 26))


# -- add_working_hours -----------------------------------------------------------------------


def test_across_lunch_break() -> None:
    assert CAL.add_working_hours(vn(2025, 11, 24, 10, 30), 2) == vn(2025, 11, 24, 14, 30)


def test_evening_rolls_to_next_morning() -> None:
    assert CAL.add_working_hours(vn(2025, 11, 24, 19, 0), 1) == vn(2025, 11, 25, 8, 30)
    assert CAL.next_working_moment(vn(2025, 11, 24, 19, 0)) == vn(2025, 11, 25, 7, 30)


def test_friday_afternoon_to_monday() -> None:
    # Friday 28/11/2025 16:00: 1 hour left that day, 3 more on Monday 01/12.
    assert CAL.add_working_hours(vn(2025, 11, 28, 16, 0), 4) == vn(2025, 12, 1, 10, 30)


def test_ends_exactly_at_closing_stays_there() -> None:
    assert CAL.add_working_hours(vn(2025, 11, 24, 16, 0), 1) == vn(2025, 11, 24, 17, 0)
    assert CAL.add_working_hours(vn(2025, 11, 24, 11, 30), 0) == vn(2025, 11, 24, 13, 30)


def test_tet_2026_is_skipped() -> None:
    # Friday 13/02/2026 16:00 + 2 h → 1 h that day, then nothing until Monday 23/02.
    assert CAL.add_working_hours(vn(2026, 2, 13, 16, 0), 2) == vn(2026, 2, 23, 8, 30)


def test_national_day_2025_is_skipped() -> None:
    # Friday 29/08/2025 16:00 + 2 h → Sat, Sun, Mon 01/09, Tue 02/09 off → Wed 03/09.
    assert CAL.add_working_hours(vn(2025, 8, 29, 16, 0), 2) == vn(2025, 9, 3, 8, 30)


def test_configured_makeup_saturday_counts() -> None:
    sat = date(2025, 11, 29)
    cal = WorkCalendar(WorkCalendarConfig(makeup_workdays=[sat]))
    assert cal.is_working_day(sat)
    assert cal.add_working_hours(vn(2025, 11, 28, 16, 0), 2) == vn(2025, 11, 29, 8, 30)
    assert cal.working_hours_between(vn(2025, 11, 28, 17), vn(2025, 12, 1, 7, 30)) == 7.5


def test_configured_extra_day_off_is_skipped() -> None:
    cal = WorkCalendar(WorkCalendarConfig(extra_days_off=[date(2025, 11, 25)]))
    assert not cal.is_working_day(date(2025, 11, 25))
    assert cal.add_working_hours(vn(2025, 11, 24, 16, 0), 2) == vn(2025, 11, 26, 8, 30)


def test_other_zones_in_and_naive_means_utc() -> None:
    start_utc = datetime(2025, 11, 24, 3, 30, tzinfo=UTC)  # 10:30 in Hà Nội
    out = CAL.add_working_hours(start_utc, 2)
    assert out == vn(2025, 11, 24, 14, 30)
    assert out.tzinfo == VN_TZ
    assert CAL.add_working_hours(datetime(2025, 11, 24, 3, 30), 2) == out
    tokyo = timezone(timedelta(hours=9))
    assert CAL.add_working_hours(datetime(2025, 11, 24, 12, 30, tzinfo=tokyo), 2) == out


def test_negative_hours_count_backwards() -> None:
    assert CAL.add_working_hours(vn(2025, 11, 24, 14, 0), -1) == vn(2025, 11, 24, 11, 0)
    assert CAL.add_working_hours(vn(2025, 12, 1, 8, 0), -1) == vn(2025, 11, 28, 16, 30)


def test_working_time_boundaries() -> None:
    assert CAL.is_working_time(vn(2025, 11, 24, 7, 30))
    assert not CAL.is_working_time(vn(2025, 11, 24, 11, 30))
    assert not CAL.is_working_time(vn(2025, 11, 24, 12, 0))
    assert not CAL.is_working_time(vn(2025, 11, 29, 9, 0))  # Saturday


def test_working_hours_between_is_signed() -> None:
    a, b = vn(2025, 11, 28, 16, 0), vn(2025, 12, 1, 10, 30)
    assert CAL.working_hours_between(a, b) == 4
    assert CAL.working_hours_between(b, a) == -4
    assert CAL.working_hours_between(vn(2025, 11, 29, 8), vn(2025, 11, 30, 20)) == 0


def test_working_days_ahead() -> None:
    assert CAL.working_days_ahead(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert CAL.working_days_ahead(date(2026, 2, 14), 0) == date(2026, 2, 23)
    assert CAL.working_days_ahead(date(2026, 2, 23), -1) == date(2026, 2, 13)
    assert CAL.working_days_ahead(date(2025, 11, 24), 5) == date(2025, 12, 1)


def test_invalid_office_hours_rejected() -> None:
    with pytest.raises(ValueError):
        WorkCalendar(WorkCalendarConfig(office_hours=[(time(9), time(8))]))
    with pytest.raises(ValueError):
        WorkCalendar(WorkCalendarConfig(office_hours=[(time(7), time(12)), (time(11), time(17))]))


def test_calendar_without_working_days_raises_instead_of_hanging() -> None:
    cal = WorkCalendar(WorkCalendarConfig(workdays=frozenset(), official_makeup_workdays=False))
    with pytest.raises(ValueError):
        cal.add_working_hours(vn(2025, 11, 24, 8), 1)


# -- property: working_hours_between inverts add_working_hours ------------------------------

_moments = st.datetimes(
    min_value=datetime(2024, 12, 1), max_value=datetime(2027, 1, 31), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(start=_moments, minutes=st.integers(min_value=0, max_value=60 * 200))
def test_between_inverts_add(start: datetime, minutes: int) -> None:
    hours = minutes / 60
    end = CAL.add_working_hours(start, hours)
    assert end >= start
    assert CAL.working_hours_between(start, end) == pytest.approx(hours, abs=1e-6)
    assert CAL.add_working_hours(end, -hours) == CAL.next_working_moment(start)


@settings(max_examples=200, deadline=None)
@given(a=_moments, b=_moments, c=_moments)
def test_between_is_additive(a: datetime, b: datetime, c: datetime) -> None:
    total = CAL.working_hours_between(a, c)
    assert total == pytest.approx(CAL.working_hours_between(a, b) + CAL.working_hours_between(b, c), abs=1e-6)


# -- SLA -----------------------------------------------------------------------------------


def test_deadlines_for_priorities() -> None:
    created = vn(2025, 11, 28, 16, 0)  # Friday
    first, resolution = deadlines(created, Priority.NORMAL, CAL, DEFAULT_SLA_POLICIES)
    assert first == vn(2025, 12, 1, 10, 30)
    assert resolution == vn(2025, 12, 2, 17, 0)  # 1 + 7.5 + 7.5 = 16 h → Tuesday's closing
    first, resolution = deadlines(created, "urgent", CAL)
    assert first == vn(2025, 11, 28, 17, 0)
    assert resolution == vn(2025, 12, 1, 10, 30)


def test_unknown_priority_falls_back_to_normal() -> None:
    created = vn(2025, 11, 24, 8, 0)
    assert deadlines(created, "khong_ro", CAL) == deadlines(created, "normal", CAL)
    with pytest.raises(KeyError):
        deadlines(created, "khong_ro", CAL, {"urgent": SlaPolicy(1, 2)})


@time_machine.travel(datetime(2025, 11, 24, 2, 0, tzinfo=UTC), tick=False)
def test_deadline_from_now_and_vietnamese_format() -> None:
    now = datetime.now(UTC)  # 09:00 Monday in Hà Nội
    _, due = deadlines(now, "normal", CAL)
    assert format_deadline_vi(due) == "10:00 thứ Tư, 26/11/2025"
    assert format_deadline_vi(vn(2025, 11, 24, 16)) == "16:00 thứ Hai, 24/11/2025"
    assert format_deadline_vi(vn(2025, 11, 30, 9, 5)) == "09:05 Chủ nhật, 30/11/2025"
    assert format_deadline_vi(datetime(2025, 11, 29, 1, 0)) == "08:00 thứ Bảy, 29/11/2025"
