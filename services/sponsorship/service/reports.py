"""Reports for sponsors: what their money bought, and their funds over time.

What a report counts:

- A reservation belongs to the day it was made (the SME's checkout), in Jakarta.
  ``from``/``to`` are inclusive Jakarta dates, turned here into UTC instants, so
  the database compares plain timestamps: no date functions, the same SQL on
  SQLite and PostgreSQL.
- *Bought* is what committed reservations pay; reserved ones are *pending*,
  reversed ones are counted apart (the money went back); released ones bought
  nothing and never show.
- A sponsor's figures come from its own lines of each reservation: a team two
  sponsors share shows in both reports, each with its own amount and seats
  (participants its lines pay for, never more than the team). Team figures
  (participants, women, men, completions) are the whole team's, once per report:
  reservations keep the team mix, not which people a line paid for.
- Every figure is a ``GROUP BY`` in the database over one subquery of the
  sponsor's shares per reservation; Python only names and orders the rows.

The timeline (:func:`timeline`) reads the ledger instead: balances at a past
moment are sums of the append-only rows written up to it (:mod:`..ledger`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Select, and_, case, distinct, func, literal, select
from sqlalchemy.orm import Session

from services.sponsorship import access, ledger
from services.sponsorship.models import (
    Fund,
    FundTransaction,
    Reservation,
    ReservationLine,
    Sponsor,
)
from shared import clock
from shared.auth import Principal
from shared.db import Database, UtcDateTime
from shared.errors import DomainError, NotFound
from shared.indonesia import PROVINCES

# The measures of every report row, in the order of the CSV columns.
MEASURES = ("committed_amount", "teams", "smes", "seats", "participants", "women", "men",
            "women_share_percent", "completed_teams", "completed_participants",
            "pending_teams", "pending_seats", "pending_amount", "reversed_teams",
            "reversed_amount")
BREAKDOWNS = {"by_province": Reservation.sme_province_code, "by_module": Reservation.module_code,
              "by_provider": Reservation.provider_id, "by_size_class": Reservation.sme_size_class}
TIMELINE_COLUMNS = ("period", "start", "end", "fund_id", "fund_name", "unit", "commitments",
                    "reversals", "committed", "available")
# The longest timeline: ten years of months, five of weeks.
MAX_PERIODS = {"month": 120, "week": 260}
COUNTED = ("committed", "reserved", "reversed")  # released reservations bought nothing
_PROVINCE_NAMES = {bps: name for bps, _iso, name in PROVINCES}


class InvalidParameters(DomainError):
    """A query parameter the schema cannot judge alone (400, like the schema's errors)."""

    status, title, type_slug = 400, "Invalid request parameters", "invalid-request-parameters"


@dataclasses.dataclass(frozen=True)
class Scope:
    """Whose money a report follows: one sponsor (or the market: None), maybe one fund."""

    sponsor_id: str | None
    fund_id: str | None
    funds: tuple[Fund, ...]


def report(db: Database, principal: Principal, sponsor_id: str | None,
           args: dict[str, Any]) -> dict[str, Any]:
    """Totals and breakdowns of what the sponsor's (or the market's) money bought."""
    with db.reading() as session:
        scope = _scope(session, principal, sponsor_id, args.get("fund_id"))
        start, end = report_window(args, scope.funds, clock.today())
        shares = _shares(scope, _instant(start), _end_of(end))
        (totals,) = session.execute(_measures(shares)).all()
        out: dict[str, Any] = {"sponsor_id": sponsor_id, "fund_id": scope.fund_id,
                               "start": start, "end": end, "currency": "IDR",
                               "totals": _row(totals)}
        for name, column in BREAKDOWNS.items():
            rows = session.execute(_measures(shares).add_columns(column.label("key"))
                                   .group_by(column).order_by(column))
            out[name] = [{"key": row.key, "name": _name(name, row.key), **_row(row)}
                         for row in rows]
        return out


def report_window(args: dict[str, Any], funds: tuple[Fund, ...],
                  today: dt.date) -> tuple[dt.date, dt.date]:
    """``from``/``to``, each defaulting to the funds' validity span (no funds: this year).

    Funds pay only inside their validity, so the span holds every reservation they
    made. A bound given alone widens the default rather than crossing it.
    """
    if funds:
        first = min(f.valid_from for f in funds)
        last = max(f.valid_until for f in funds)
    else:
        first, last = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    start, end = args.get("start"), args.get("end")
    if start is None:
        start = first if end is None else min(first, end)
    if end is None:
        end = max(last, start)
    return start, end


def _scope(session: Session, principal: Principal, sponsor_id: str | None,
           fund_id: str | None) -> Scope:
    """The funds the caller may report on (a sponsor's: its readers; all: auditors, admins)."""
    query = select(Fund).order_by(Fund.name, Fund.id)
    if sponsor_id is not None:
        access.ensure_reads_sponsor(principal, sponsor_id)
        if session.get(Sponsor, sponsor_id) is None:
            raise NotFound("no such sponsor")
        query = query.where(Fund.sponsor_id == sponsor_id)
    elif not principal.reads_everything:
        raise NotFound("no such report")
    if fund_id is not None:
        query = query.where(Fund.id == fund_id)
    funds = tuple(session.scalars(query))
    if fund_id is not None and not funds:
        # The same answer whether the fund is another sponsor's or no one's.
        whose = "of this sponsor" if sponsor_id is not None else "in the market"
        raise InvalidParameters("no such fund in this report",
                                errors={"fund_id": [f"no such fund {whose}"]})
    return Scope(sponsor_id, fund_id, funds)


def _instant(day: dt.date) -> dt.datetime:
    """Midnight in Jakarta at the start of ``day``, in UTC (clamped at the calendar's start)."""
    if day == dt.date.min:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return dt.datetime.combine(day, dt.time(0), clock.WIB).astimezone(dt.UTC)


def _end_of(day: dt.date) -> dt.datetime:
    """Midnight in Jakarta at the end of ``day``, in UTC: the window's excluded end."""
    if day == dt.date.max:
        return dt.datetime.max.replace(tzinfo=dt.UTC)
    return _instant(day + dt.timedelta(days=1))


def _shares(scope: Scope, start: dt.datetime, end: dt.datetime):
    """Per reservation made in [start, end): the amount and seats of the scope's lines."""
    line, res = ReservationLine, Reservation
    query = (select(line.reservation_id.label("reservation_id"),
                    func.sum(line.amount).label("amount"),
                    func.sum(line.participants).label("seats"))
             .join(res, res.id == line.reservation_id)
             .where(res.status.in_(COUNTED), res.created_at >= start, res.created_at < end)
             .group_by(line.reservation_id))
    if scope.sponsor_id is not None:
        query = query.where(line.sponsor_id == scope.sponsor_id)
    if scope.fund_id is not None:
        query = query.where(line.fund_id == scope.fund_id)
    return query.subquery("shares")


def _measures(shares) -> Select:
    """Every measure over the shares, by the reservation's state (one pass, no loops)."""
    res = Reservation
    committed, pending = res.status == "committed", res.status == "reserved"
    reversed_ = res.status == "reversed"
    done = and_(committed, res.completed.is_(True))
    # Two lines of one sponsor may pay for the same people: seats never exceed the team.
    seats = case((shares.c.seats > res.participants, res.participants), else_=shares.c.seats)

    def total(condition, value):
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    return (select(
        total(committed, shares.c.amount).label("committed_amount"),
        total(committed, 1).label("teams"),
        func.count(distinct(case((committed, res.sme_id)))).label("smes"),
        total(committed, seats).label("seats"),
        total(committed, res.participants).label("participants"),
        total(committed, res.women).label("women"),
        total(committed, res.men).label("men"),
        total(done, 1).label("completed_teams"),
        total(done, res.participants).label("completed_participants"),
        total(pending, 1).label("pending_teams"),
        total(pending, seats).label("pending_seats"),
        total(pending, shares.c.amount).label("pending_amount"),
        total(reversed_, 1).label("reversed_teams"),
        total(reversed_, shares.c.amount).label("reversed_amount"))
        .select_from(shares).join(res, res.id == shares.c.reservation_id))


def _row(row) -> dict[str, Any]:
    # PostgreSQL sums BIGINTs as NUMERIC: every figure back to int.
    out: dict[str, Any] = {name: int(getattr(row, name)) for name in MEASURES
                           if name != "women_share_percent"}
    out["women_share_percent"] = percent(out["women"], out["participants"])
    return out


def percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent, one decimal, halves up (None when ``whole`` is 0)."""
    if whole <= 0:
        return None
    tenths = (part * 1000 * 2 + whole) // (whole * 2)
    return tenths / 10


def _name(breakdown: str, key: str) -> str | None:
    return _PROVINCE_NAMES.get(key) if breakdown == "by_province" else None


# -- the timeline --------------------------------------------------------------------------

def timeline(db: Database, principal: Principal, sponsor_id: str | None,
             args: dict[str, Any]) -> dict[str, Any]:
    """Per period and fund: commitments, reversals, committed and available at its end."""
    interval = args.get("interval", "month")
    with db.reading() as session:
        scope = _scope(session, principal, sponsor_id, args.get("fund_id"))
        start, end = timeline_window(args, scope.funds, clock.today(), interval)
        periods = _periods(start, end, interval)
        sums = _ledger_sums(session, [f.id for f in scope.funds],
                            [_instant(first) for _label, first, _last in periods],
                            _end_of(end))
    return {"sponsor_id": sponsor_id, "fund_id": scope.fund_id, "interval": interval,
            "start": start, "end": end, "items": _items(scope.funds, periods, sums)}


def timeline_window(args: dict[str, Any], funds: tuple[Fund, ...], today: dt.date,
                    interval: str) -> tuple[dt.date, dt.date]:
    """``from`` defaults to the first fund's opening (no funds: 1 January), ``to`` to today.

    A defaulted ``from`` keeps the latest :data:`MAX_PERIODS`; given ones beyond are 400.
    """
    start, end = args.get("start"), args.get("end")
    if end is None:
        end = today if start is None else max(today, start)
    if start is None:
        opened = [f.created_at.astimezone(clock.WIB).date() for f in funds]
        start = min([*opened, end]) if opened else min(dt.date(today.year, 1, 1), end)
        earliest = _period_start(end, interval, back=MAX_PERIODS[interval] - 1)
        start = max(start, earliest)
    elif len(_periods(start, end, interval)) > MAX_PERIODS[interval]:
        raise InvalidParameters("the window is too long for one timeline", errors={
            "from": [f"at most {MAX_PERIODS[interval]} {interval}s; narrow from/to"]})
    return start, end


def _period_start(day: dt.date, interval: str, back: int = 0) -> dt.date:
    """The first day of the month (or ISO week) of ``day``, ``back`` periods earlier."""
    if interval == "week":
        monday = day.toordinal() - day.weekday()
        return dt.date.fromordinal(max(monday - 7 * back, 1))
    months = max(day.year * 12 + day.month - 1 - back, 12)  # never before year 1
    return dt.date(months // 12, months % 12 + 1, 1)


def _following(first: dt.date, interval: str) -> dt.date | None:
    """The first day of the next period (None past the calendar's end)."""
    try:
        if interval == "week":
            return first + dt.timedelta(weeks=1)
        return dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    except (OverflowError, ValueError):
        return None


def _label(first: dt.date, interval: str) -> str:
    if interval == "week":
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{first.year:04d}-{first.month:02d}"


def _periods(start: dt.date, end: dt.date, interval: str) -> list[tuple[str, dt.date, dt.date]]:
    """(label, first day, last day) of each period in [start, end], cut to the window.

    Stops one period past :data:`MAX_PERIODS`: such a window is refused anyway.
    """
    found: list[tuple[str, dt.date, dt.date]] = []
    first: dt.date | None = _period_start(start, interval)
    while first is not None and first <= end and len(found) <= MAX_PERIODS[interval]:
        following = _following(first, interval)
        last = dt.date.max if following is None else following - dt.timedelta(days=1)
        found.append((_label(first, interval), max(first, start), min(last, end)))
        first = following
    return found


@dataclasses.dataclass
class _Sums:
    """A fund's ledger before the window, and per period inside it (in the fund's unit)."""

    available: dict[int, int] = dataclasses.field(default_factory=lambda: defaultdict(int))
    commits: dict[int, int] = dataclasses.field(default_factory=lambda: defaultdict(int))
    reversals: dict[int, int] = dataclasses.field(default_factory=lambda: defaultdict(int))


def _ledger_sums(session: Session, fund_ids: list[str], starts: list[dt.datetime],
                 end: dt.datetime) -> dict[str, _Sums]:
    """One ``GROUP BY`` over the ledger rows before ``end``: per fund, kind and period.

    The period index is a ``CASE`` over the periods' first instants (−1: before the
    window), portable where date functions are not; it is grouped in an outer query
    so PostgreSQL sees one expression, not two differently bound copies.
    """
    found: dict[str, _Sums] = {fund_id: _Sums() for fund_id in fund_ids}
    if not fund_ids:
        return found
    row = FundTransaction
    bounds = [(row.created_at < literal(instant, UtcDateTime()), index - 1)
              for index, instant in enumerate(starts)]
    index = case(*bounds, else_=len(starts) - 1)
    rows = (select(row.fund_id, row.kind, row.amount, index.label("period"))
            .where(row.fund_id.in_(fund_ids), row.created_at < end).subquery("rows"))
    grouped = (select(rows.c.fund_id, rows.c.kind, rows.c.period, func.sum(rows.c.amount))
               .group_by(rows.c.fund_id, rows.c.kind, rows.c.period))
    for fund_id, kind, period, amount in session.execute(grouped):
        sums, amount = found[fund_id], int(amount)
        sums.available[period] += ledger.AVAILABLE_SIGN[kind] * amount
        if kind == "commit":
            sums.commits[period] += amount
        elif kind == "reversal":
            sums.reversals[period] += amount
    return found


def _items(funds: tuple[Fund, ...], periods: list[tuple[str, dt.date, dt.date]],
           sums: dict[str, _Sums]) -> list[dict[str, Any]]:
    """Running figures per fund, one row per period it existed at the end of."""
    items = []
    running = {f.id: (sums[f.id].available[-1], sums[f.id].commits[-1]
                      - sums[f.id].reversals[-1]) for f in funds}
    for index, (label, first, last) in enumerate(periods):
        period_end = _end_of(last)
        for fund in funds:
            fund_sums = sums[fund.id]
            available, committed = running[fund.id]
            commits, reversals = fund_sums.commits[index], fund_sums.reversals[index]
            available += fund_sums.available[index]
            committed += commits - reversals
            running[fund.id] = (available, committed)
            if fund.created_at >= period_end:
                continue  # the fund did not exist yet
            items.append({"period": label, "start": first, "end": last, "fund_id": fund.id,
                          "fund_name": fund.name, "unit": fund.unit, "commitments": commits,
                          "reversals": reversals, "committed": committed,
                          "available": available})
    return items
