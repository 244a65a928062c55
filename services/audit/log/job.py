"""The tree job: follows the entries table into the tiles and signs tree heads.

Each round reads the entries beyond the tree's size in ``seq`` order (at most
``BATCH``), hashes them into the tiles and signs a head when the tree has grown
by ``SCORE_AUDIT_HEAD_EVERY_ENTRIES`` (default 1000) since the last head – at
exactly that size, so at full speed heads come at every multiple – or when it
has grown at all and ``SCORE_AUDIT_HEAD_EVERY_SECONDS`` (default 1.0) have
passed since the last head. A tree that did not grow gets no new head – nor one
that grew only by the log's own ``tree_head.signed`` events: each head's event
comes back through the bus as an entry, and timing a head on it would sign one
every T seconds forever on an idle market (it is covered by the next head).

Tiles, heads and their events are written in one transaction per round, so a
head never names a size the tiles do not hold. Ingest keeps ``seq`` dense; a
gap (which it never leaves) stops the tree at the gap rather than skip a leaf,
and is logged: ``score audit verify`` names it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from sqlalchemy import exists, select

from services.audit.events import TREE_HEAD_SIGNED
from services.audit.log import heads, store
from services.audit.log.merkle import leaf_hash
from services.audit.log.signer import Signer, load_signer
from services.audit.models import Entry
from shared import clock
from shared.config import ConfigError, Settings
from shared.db import Database
from shared.jobs import Job, JobContext, PeriodicJob

log = logging.getLogger(__name__)

BATCH = 10_000
# Heads are due within a second; polling faster than that costs two small queries a round.
INTERVAL_S = 0.2


@dataclasses.dataclass(frozen=True)
class HeadPolicy:
    """When the tree job signs: every ``entries`` new entries or ``seconds`` after the last."""

    entries: int = 1000
    seconds: float = 1.0

    @classmethod
    def from_settings(cls, settings: Settings) -> HeadPolicy:
        """``SCORE_AUDIT_HEAD_EVERY_ENTRIES`` and ``..._SECONDS``; refuses unusable values."""
        try:
            entries = int(settings.get("head_every_entries", cls.entries))
            seconds = float(settings.get("head_every_seconds", cls.seconds))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"audit head settings: {exc}") from exc
        if entries < 1 or not seconds > 0:
            raise ConfigError("SCORE_AUDIT_HEAD_EVERY_ENTRIES must be >= 1 and "
                              "SCORE_AUDIT_HEAD_EVERY_SECONDS > 0")
        return cls(entries, seconds)


def grow(db: Database, signer: Signer, policy: HeadPolicy, batch: int = BATCH) -> int:
    """One round: append up to ``batch`` entries to the tree, signing heads as due.

    Returns how many entries were appended.
    """
    with db.transaction() as session:
        builder = store.load_builder(session)
        last = heads.latest(session)
        signed_size = last.size if last else 0
        signed_at = last.signed_at if last else None
        rows = session.execute(select(Entry.seq, Entry.event).where(Entry.seq >= builder.size)
                               .order_by(Entry.seq).limit(batch))
        start = builder.size
        for seq, event in rows:
            if seq != builder.size:
                log.error("the entries have a gap: the tree waits at the missing seq",
                          extra={"missing_seq": builder.size, "next_seq": seq})
                break
            builder.append(leaf_hash(event))
            if builder.size - signed_size >= policy.entries:
                head = heads.sign(session, signer, builder.size, builder.root())
                signed_size, signed_at = head.size, head.signed_at
        if builder.size > signed_size and (
                signed_at is None
                or clock.now() - signed_at >= dt.timedelta(seconds=policy.seconds)) \
                and _market_moved(session, signed_size, builder.size):
            heads.sign(session, signer, builder.size, builder.root())
        store.save(session, builder)
        return builder.size - start


def _market_moved(session, first: int, end: int) -> bool:
    """Entries ``first..end-1`` hold something other than the log's own head events."""
    return bool(session.scalar(select(exists().where(
        Entry.seq >= first, Entry.seq < end, Entry.type != TREE_HEAD_SIGNED.type))))


def build_tree_job(context: JobContext) -> PeriodicJob:
    """The tree job of a service process (``score job audit tree``)."""
    signer = load_signer(context.settings)
    policy = HeadPolicy.from_settings(context.settings)
    return PeriodicJob(context.db, "audit", "tree", lambda: grow(context.db, signer, policy),
                       interval_s=min(INTERVAL_S, policy.seconds), batch=BATCH,
                       heartbeat=context.heartbeat)


TREE_JOB = Job("tree", build_tree_job,
               "appends new entries to the Merkle tree's tiles and signs tree heads")
