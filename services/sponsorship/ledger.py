"""Fund ledgers: balances computed from transactions, spending serialised by a row lock.

The rules (openedx-ledger's): a fund's balance is never stored, only computed
from its append-only :class:`FundTransaction` rows; each row has an idempotency
key made of business facts, unique per fund, so applying the same fact twice
returns the first row instead of writing a second; a correction is a new row.

Effects on the balance available to new reservations::

    available = deposits + adjustments − reservations + releases + reversals

(a ``commit`` moves a reserved amount to spent: it changes ``reserved`` and
``committed`` but not ``available``). Only rows that *lower* ``available``
(reservations, negative adjustments) can overspend a fund, so those are written
only under :func:`lock_funds` – ``SELECT … FOR UPDATE`` on the fund rows, always
in id order so two spenders never deadlock – after reading the balance in the
same transaction. Rows that raise it need no lock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from sqlalchemy import case, func, insert, literal, select
from sqlalchemy.orm import Session

from services.sponsorship.models import Fund, FundTransaction
from shared import clock
from shared.errors import Conflict

T = FundTransaction

# Sign of each kind on the available balance (adjustments carry their own sign).
AVAILABLE_SIGN = {"deposit": 1, "adjustment": 1, "reservation": -1, "commit": 0,
                  "release": 1, "reversal": 1}


@dataclasses.dataclass(frozen=True)
class Balance:
    """A fund's figures, in its unit (rupiah or seats)."""

    deposited: int = 0
    adjusted: int = 0
    reserved: int = 0
    committed: int = 0

    @property
    def available(self) -> int:
        """What new reservations may still take."""
        return self.deposited + self.adjusted - self.reserved - self.committed


class InsufficientFunds(Conflict):
    """A movement would take a fund below zero."""


def lock_funds(session: Session, fund_ids: Iterable[str]) -> dict[str, Fund]:
    """The funds, locked ``FOR UPDATE`` in id order (the one lock order of every spender)."""
    ids = sorted(set(fund_ids))
    if not ids:
        return {}
    # NO KEY UPDATE: it serialises spenders all the same, but leaves the key-share lock
    # free that a release or commit takes on the fund when its ledger row references it.
    funds = session.scalars(select(Fund).where(Fund.id.in_(ids)).order_by(Fund.id)
                            .with_for_update(key_share=True)
                            .execution_options(populate_existing=True))
    return {fund.id: fund for fund in funds}


def _sum(kind: str):
    return func.coalesce(func.sum(case((T.kind == kind, T.amount), else_=0)), 0)


def balances(session: Session, fund_ids: Iterable[str]) -> dict[str, Balance]:
    """Each fund's balance, from its transactions, in one query."""
    ids = list(set(fund_ids))
    found = {fund_id: Balance() for fund_id in ids}
    if not ids:
        return found
    rows = session.execute(select(
        T.fund_id, _sum("deposit"), _sum("adjustment"), _sum("reservation"), _sum("release"),
        _sum("commit"), _sum("reversal")).where(T.fund_id.in_(ids)).group_by(T.fund_id))
    for fund_id, deposit, adjustment, reservation, release, commit, reversal in rows:
        # Reserved: held and not yet released or committed; committed: not reversed.
        found[fund_id] = Balance(deposited=int(deposit), adjusted=int(adjustment),
                                 reserved=int(reservation - release - commit),
                                 committed=int(commit - reversal))
    return found


def balance(session: Session, fund_id: str) -> Balance:
    """One fund's balance."""
    return balances(session, [fund_id])[fund_id]


def append(session: Session, fund_id: str, kind: str, amount: int, key: str, *, actor: str,
           reservation_id: str | None = None, sme_id: str | None = None,
           reason: str | None = None) -> FundTransaction:
    """Write one ledger row, or return the row already written for ``key``.

    A row that lowers the available balance must be written under :func:`lock_funds`
    and is refused (409) if it would take the fund below zero.
    """
    existing = session.scalar(select(T).where(T.fund_id == fund_id, T.idempotency_key == key))
    if existing is not None:
        if (existing.kind, existing.amount) != (kind, amount):
            raise Conflict(f"ledger key {key!r} was used for another movement",
                           errors={"idempotency_key": ["already used"]})
        return existing
    effect = AVAILABLE_SIGN[kind] * amount
    if effect < 0:
        available = balance(session, fund_id).available
        if available + effect < 0:
            raise InsufficientFunds(
                f"the fund has {available} available, {-effect} asked",
                errors={"amount": [f"at most {available} available"]})
    row = T(fund_id=fund_id, kind=kind, amount=amount, idempotency_key=key,
            reservation_id=reservation_id, sme_id=sme_id, reason=reason, created_by=actor)
    session.add(row)
    session.flush()
    return row


@dataclasses.dataclass(frozen=True)
class Take:
    """A reservation row to write if the fund still has ``units`` available."""

    fund_id: str
    units: int
    key: str
    reservation_id: str
    sme_id: str
    actor: str


# A row's effect on the available balance, as SQL (AVAILABLE_SIGN); no IN lists, so the
# statement also runs on shared.driver's quick reads, which bind plain values only.
AVAILABLE_EFFECT = case((T.kind == "reservation", -T.amount), (T.kind == "commit", 0),
                        else_=T.amount)


def available_of(fund_id):
    """The fund's available balance as a scalar subquery (``fund_id``: a value or a column)."""
    return (select(func.coalesce(func.sum(AVAILABLE_EFFECT), 0)).where(T.fund_id == fund_id)
            .scalar_subquery())


def take(session: Session, takes: list[Take], *, locked: bool = False) -> bool:
    """Write each reservation row only if its fund still has the units; False if one had not.

    Locks the funds (unless the caller did) and writes each row with one
    ``INSERT … SELECT … WHERE available >= units``: a statement begun after the lock
    was granted sees every spender that held it before, so the check is exact and
    the lock is held for these statements and the commit only. On False the caller
    must roll back: rows written for earlier takes of the list are still there.
    """
    if not locked:
        lock_funds(session, [t.fund_id for t in takes])
    for t in takes:
        values = select(literal(t.fund_id), literal("reservation"), literal(t.units),
                        literal(t.key), literal(t.reservation_id), literal(t.sme_id),
                        literal(t.actor), literal(clock.now(), T.created_at.type)).where(
            available_of(t.fund_id) >= t.units)
        written = session.execute(insert(T).from_select(
            ["fund_id", "kind", "amount", "idempotency_key", "reservation_id", "sme_id",
             "created_by", "created_at"], values).returning(T.id)).first()
        if written is None:
            return False
    return True
