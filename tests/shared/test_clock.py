"""One clock per process: UTC timestamps, Jakarta dates, replaceable in tests."""

from __future__ import annotations

import datetime as dt

from shared import clock
from tests.support.clock import FakeClock


def test_today_is_the_date_in_jakarta_not_in_greenwich():
    evening_in_london = dt.datetime(2026, 12, 31, 18, 0, tzinfo=dt.UTC)

    with clock.use(FakeClock(evening_in_london)):
        assert clock.today() == dt.date(2027, 1, 1)
        assert clock.now() == evening_in_london and clock.now().tzinfo == dt.UTC


def test_an_installed_clock_reaches_every_caller_until_the_block_ends():
    fake = FakeClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    with clock.use(fake):
        fake.advance(days=1)
        assert clock.now() == dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    assert abs(clock.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)


def test_a_clock_in_another_zone_still_gives_utc():
    jakarta_noon = dt.datetime(2026, 6, 1, 12, 0, tzinfo=clock.WIB)

    with clock.use(FakeClock(jakarta_noon)):
        assert clock.now() == dt.datetime(2026, 6, 1, 5, 0, tzinfo=dt.UTC)
        assert clock.now().utcoffset() == dt.timedelta(0)


def test_a_replayed_day_is_today_inside_the_block_and_its_moments_keep_their_order():
    with clock.replaying(dt.date(2026, 3, 2)):
        first, second = clock.now(), clock.now()
        assert clock.today() == dt.date(2026, 3, 2) and first < second
        assert first.astimezone(clock.WIB).hour == 9
    assert clock.today() != dt.date(2026, 3, 2)
