"""Fund use cases: open, deposit, adjust, close; balances and the ledger, read by their sponsor.

Deposits and adjustments name the business fact behind them (``reference``: a
budget document, a transfer, an audit finding), which becomes the ledger row's
idempotency key (``deposit:<reference>``), so a form sent twice books once. A
negative adjustment lowers what is available: it runs under the fund's row lock
and is refused (409) if it would take the balance below zero.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.sponsorship import access, events, ledger
from services.sponsorship.models import Fund, FundTransaction, Sponsor
from shared.auth import Principal
from shared.db import Database
from shared.errors import Conflict
from shared.events import EventType, publish
from shared.pages import encode_token, newest_first
from shared.persistence import load


@dataclasses.dataclass(frozen=True)
class FundView:
    """A fund with its computed balance."""

    fund: Fund
    balance: ledger.Balance

    def __getattr__(self, name: str) -> Any:
        return getattr(self.fund, name)


def create_fund(db: Database, principal: Principal, sponsor_id: str,
                data: dict[str, Any]) -> FundView:
    """Open a fund for an approved sponsor (its staff), with an optional first deposit."""
    access.ensure_staff_of(principal, sponsor_id, "fund")
    data = dict(data)
    first = data.pop("initial_deposit", None)
    with db.transaction() as session:
        sponsor = load(session, Sponsor, sponsor_id)
        if sponsor.status != "approved":
            raise Conflict("the sponsor is not approved yet",
                           errors={"sponsor_id": [f"sponsor is {sponsor.status}"]})
        fund = Fund(**data, sponsor_id=sponsor_id, created_by=principal.subject)
        session.add(fund)
        session.flush()
        publish(session, events.FUND_CREATED, fund.id,
                events.fund_payload(fund, ledger.Balance(), principal.subject))
        if first:
            _book(session, fund, "deposit", first["amount"], f"deposit:{first['reference']}",
                  principal, first.get("reason"), events.FUND_DEPOSITED)
        return FundView(fund, ledger.balance(session, fund.id))


def deposit(db: Database, principal: Principal, fund_id: str,
            data: dict[str, Any]) -> tuple[FundView, bool]:
    """Add money or seats (its sponsor's staff); True when booked now, False when already."""
    return _move(db, principal, fund_id, "deposit", data["amount"],
                 f"deposit:{data['reference']}", data.get("reason"), events.FUND_DEPOSITED)


def adjust_fund(db: Database, principal: Principal, fund_id: str,
                data: dict[str, Any]) -> tuple[FundView, bool]:
    """Book a correction with a reason, up or down (never below zero available)."""
    return _move(db, principal, fund_id, "adjustment", data["amount"],
                 f"adjustment:{data['reference']}", data["reason"], events.FUND_ADJUSTED)


def _move(db: Database, principal: Principal, fund_id: str, kind: str, amount: int, key: str,
          reason: str | None, event: EventType) -> tuple[FundView, bool]:
    with db.transaction() as session:
        fund = _own_fund(session, principal, fund_id, lock=True)
        if fund.status != "open":
            raise Conflict("the fund is closed", errors={"status": ["fund is closed"]})
        booked = _book(session, fund, kind, amount, key, principal, reason, event)
        return FundView(fund, ledger.balance(session, fund.id)), booked


def _book(session: Session, fund: Fund, kind: str, amount: int, key: str,
          principal: Principal, reason: str | None, event: EventType) -> bool:
    """Book one row and announce it; False (nothing new) when ``key`` was booked before."""
    before = session.scalar(select(FundTransaction.id).where(
        FundTransaction.fund_id == fund.id, FundTransaction.idempotency_key == key))
    row = ledger.append(session, fund.id, kind, amount, key, actor=principal.subject,
                        reason=reason)
    if before is None:  # a repeated fact is neither booked nor announced again
        publish(session, event, fund.id, {
            **events.fund_payload(fund, ledger.balance(session, fund.id), principal.subject),
            "movement": events.movement(row)})
    return before is None


def close_fund(db: Database, principal: Principal, fund_id: str, reason: str) -> FundView:
    """Stop new reservations (its sponsor's staff); reserved money can still be committed."""
    with db.transaction() as session:
        fund = _own_fund(session, principal, fund_id, lock=True)
        fund.close(reason)
        session.flush()
        balance = ledger.balance(session, fund.id)
        publish(session, events.FUND_CLOSED, fund.id,
                events.fund_payload(fund, balance, principal.subject))
        return FundView(fund, balance)


def _own_fund(session: Session, principal: Principal, fund_id: str, *, lock: bool) -> Fund:
    fund = load(session, Fund, fund_id, lock=lock)
    access.ensure_staff_of(principal, fund.sponsor_id, "fund")
    return fund


def get_fund(db: Database, principal: Principal | None, fund_id: str) -> FundView:
    """A fund and its balance (its sponsor's staff, auditors, admins)."""
    with db.reading() as session:
        fund = load(session, Fund, fund_id)
        access.ensure_reads_sponsor(principal, fund.sponsor_id, "fund")
        return FundView(fund, ledger.balance(session, fund.id))


def list_funds(db: Database, principal: Principal | None, sponsor_id: str,
               args: dict[str, Any]) -> dict[str, Any]:
    """A sponsor's funds, newest first, with balances."""
    access.ensure_reads_sponsor(principal, sponsor_id)
    query = select(Fund).where(Fund.sponsor_id == sponsor_id)
    if args.get("status"):
        query = query.where(Fund.status == args["status"])
    with db.reading() as session:
        page = newest_first(session, query, Fund, args)
        found = ledger.balances(session, [fund.id for fund in page["items"]])
        page["items"] = [FundView(fund, found[fund.id]) for fund in page["items"]]
        return page


def list_transactions(db: Database, principal: Principal | None, fund_id: str,
                      args: dict[str, Any]) -> dict[str, Any]:
    """A fund's ledger, newest row first (keyset on the row id)."""
    limit = args.get("limit", 50)
    with db.reading() as session:
        fund = load(session, Fund, fund_id)
        access.ensure_reads_sponsor(principal, fund.sponsor_id, "fund")
        query = select(FundTransaction).where(FundTransaction.fund_id == fund_id)
        if args.get("kind"):
            query = query.where(FundTransaction.kind == args["kind"])
        if args.get("cursor") is not None:
            query = query.where(FundTransaction.id < args["cursor"])
        rows = list(session.scalars(query.order_by(FundTransaction.id.desc()).limit(limit + 1)))
    next_cursor = encode_token([rows[limit - 1].id]) if len(rows) > limit else None
    return {"items": rows[:limit], "next_cursor": next_cursor, "limit": limit}

