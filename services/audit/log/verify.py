"""``score audit verify``: recompute the log from its entries and check it against itself.

Three records must agree: the entries (the events, verbatim), the leaf-hash
tiles (an authenticated copy: the signed roots are computed from them) and the
signed heads. The verifier streams the entries in ``seq`` order beside the
level-0 tiles and

- recomputes each entry's leaf hash and compares it with the tile's at that
  index: an edited entry differs at its own index, a deleted one leaves a gap
  at its index, an inserted or swapped one differs at the first displaced index;
- rebuilds the tree from the tiles' leaf hashes and, at each signed size,
  compares the rebuilt root with the head's, after checking the head's
  signature: if the tiles themselves were rewritten (to match edited entries),
  the first head whose root no longer matches is named; the stored upper tiles
  are compared with the rebuilt ones too, since proofs are read from them.

Problems are reported in the order of the log (the first bad index first).
Entries beyond the tree's size are not in any head yet, only counted.
"""

from __future__ import annotations

import dataclasses
import time

import orjson
from sqlalchemy import Connection, func, select

from services.audit.log import heads as head_rules
from services.audit.log import store
from services.audit.log.merkle import HASH_SIZE, leaf_hash
from services.audit.log.signer import Signer, load_signer
from services.audit.log.tiles import WIDTH, TileBuilder
from services.audit.models import Entry, Tile, TreeHead
from shared.commands import Command, CommandContext
from shared.db import Database
from shared.events.envelope import EventEnvelope, MalformedEvent

STREAM_ROWS = 5_000  # rows per fetch of a server-side cursor
MAX_PROBLEMS = 20  # enough to see a pattern; the count says how many more


@dataclasses.dataclass
class Report:
    """What the verifier found."""

    tree_size: int = 0
    entries: int = 0
    heads: int = 0
    pending: int = 0  # entries not in the tree yet
    problems: list[str] = dataclasses.field(default_factory=list)
    more_problems: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the log is consistent with itself and its signatures."""
        return not self.problems

    def problem(self, text: str) -> None:
        """Note a problem (the first ``MAX_PROBLEMS`` are kept, the rest counted)."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)
        else:
            self.more_problems += 1

    def lines(self) -> list[str]:
        """The report as text, the first bad index first."""
        rate = self.entries / self.seconds if self.seconds else 0.0
        summary = (f"{self.entries} entries checked against a tree of {self.tree_size} leaves "
                   f"and {self.heads} signed heads in {self.seconds:.2f} s "
                   f"({rate:,.0f} entries/s); {self.pending} entries not in the tree yet")
        if self.ok:
            return [f"OK: {summary}"]
        more = [f"... and {self.more_problems} more problems"] if self.more_problems else []
        return [f"FAILED: {self.problems[0]}", *(f"  {p}" for p in self.problems[1:]),
                *more, summary]


def verify(db: Database, signer: Signer) -> Report:
    """Check every entry, tile and signed head of the log in ``db``."""
    started = time.perf_counter()
    report = Report()
    with db.engine.connect() as connection:
        report.tree_size = size = _tree_size(connection)
        signed = _heads(connection, signer, size, report)
        upper = {(level, number): blob for level, number, blob in connection.execute(
            select(Tile.level, Tile.number, Tile.hashes).where(Tile.level > 0))}
        leaves = _leaf_hashes(connection, size)
        builder = TileBuilder()
        due = iter(signed)
        next_head = next(due, None)
        expected = 0

        def take(index: int) -> bytes | None:
            """The tiles' leaf hash at ``index``, added to the rebuilt tree (and heads checked)."""
            nonlocal next_head
            stored = next(leaves, None)
            if stored is None:
                return None
            builder.append(stored)
            if builder.size % WIDTH == 0:
                _compare_upper(builder, upper, report)
            while next_head is not None and next_head.size == builder.size:
                if builder.root() != next_head.root:
                    report.problem(f"tree head at size {next_head.size}: its root does not "
                                   "match the tiles (the tiles were rewritten)")
                next_head = next(due, None)
            return stored

        entries = connection.execution_options(yield_per=STREAM_ROWS).execute(
            select(Entry.seq, Entry.event, *COPIED).where(Entry.seq < size)
            .order_by(Entry.seq))
        for seq, event, *columns in entries:
            copied = tuple(columns)
            while expected < seq:
                report.problem(f"entry {expected}: missing (deleted: the next stored entry is "
                               f"{seq})")
                take(expected)
                expected += 1
            stored = take(seq)
            if stored is None:
                report.problem(f"entry {seq}: no leaf hash in the tiles (tiles truncated)")
            elif leaf_hash(event) != stored:
                report.problem(f"entry {seq}: its bytes do not hash to the leaf logged at "
                               f"index {seq} (edited, inserted or moved)")
            elif (wrong := _copies_wrong(event, copied)) is not None:
                report.problem(f"entry {seq}: {wrong}")
            report.entries += 1
            expected = seq + 1
        while expected < size:
            report.problem(f"entry {expected}: missing (deleted: no stored entry follows)")
            take(expected)
            expected += 1
        _compare_upper(builder, upper, report, final=True)
        report.pending = connection.scalar(
            select(func.count()).select_from(Entry).where(Entry.seq >= size)) or 0
    report.seconds = time.perf_counter() - started
    return report


# The entry's columns copied from its event's attributes at ingest, for filtering – and,
# providerid, for who may read it: an edit there changes no hash, so it is compared here.
# (Not ``time``: parsing every event's time would cost the verifier a fifth of its pace,
# and an edited time only moves an entry in or out of a time filter's window.)
COPIED = (Entry.event_id, Entry.type, Entry.source, Entry.subject, Entry.providerid)


def _copies_wrong(event: bytes, copied: tuple) -> str | None:
    """What is wrong with the copied columns of ``event``'s entry (None: they agree)."""
    try:
        attributes = orjson.loads(event)
        get = attributes.get
        # One tuple comparison: this runs for every entry of the log.
        stated = (get("id"), get("type"), get("source"), get("subject"), get("providerid"))
    except (orjson.JSONDecodeError, AttributeError):
        # What orjson cannot read the ingest read with the CloudEvents SDK: so does this.
        try:
            envelope = EventEnvelope.from_bytes(event)
        except MalformedEvent:
            return "its bytes are not a CloudEvent (every logged entry is one: replaced)"
        stated = (envelope.id, envelope.type, envelope.source, envelope.subject,
                  envelope.providerid)
    if stated == copied:
        return None
    column = next(c for c, logged, value in zip(COPIED, stated, copied, strict=True)
                  if logged != value)
    return (f"its {column.key} column does not say what the logged event says "
            "(edited; it decides who may read it)")


def _tree_size(connection: Connection) -> int:
    from sqlalchemy.orm import Session

    with Session(bind=connection) as session:
        return store.tree_size(session)


def _heads(connection: Connection, signer: Signer, size: int, report: Report) -> list:
    """The signed heads the tiles can be checked against (signatures checked here)."""
    usable = []
    for head in connection.execute(select(TreeHead).order_by(TreeHead.size)):
        report.heads += 1
        if head.key_id not in signer.keys:
            report.problem(f"tree head at size {head.size}: signed by an unknown key "
                           f"{head.key_id}")
        elif not signer.keys[head.key_id].verifies(
                head_rules.signed_bytes(head.size, head.root, head.signed_at), head.signature):
            report.problem(f"tree head at size {head.size}: its signature does not hold")
        elif head.size > size:
            report.problem(f"tree head at size {head.size}: the tiles hold only {size} leaves")
        else:
            usable.append(head)
    return usable


def _leaf_hashes(connection: Connection, size: int):
    """The level-0 tiles' hashes in order, tile by tile, up to ``size``."""
    rows = connection.execution_options(yield_per=256).execute(
        select(Tile.number, Tile.hashes).where(Tile.level == 0).order_by(Tile.number))
    produced = 0
    for number, blob in rows:
        if number * WIDTH != produced:
            return  # a missing tile: the leaves stop here, the entries say which index
        for offset in range(0, len(blob), HASH_SIZE):
            if produced == size:
                return
            yield blob[offset:offset + HASH_SIZE]
            produced += 1


def _compare_upper(builder: TileBuilder, upper: dict, report: Report, final=False) -> None:
    """Compare the upper tiles the rebuilt tree completed (and, at the end, its partial
    right edge) with the stored ones."""
    new, grown = builder.take_changed()
    rebuilt = {tile: blob for tile, blob in {**new, **grown}.items()
               if tile[0] > 0 and len(blob) == WIDTH * HASH_SIZE}
    if final:
        rebuilt.update({(level, builder.counts[level] // WIDTH): b"".join(edge)
                        for level, edge in enumerate(builder.edges) if level > 0 and edge})
    for (level, number), blob in sorted(rebuilt.items()):
        if upper.get((level, number)) != blob:
            report.problem(f"tile {level}/{number}: its hashes do not match the leaves below "
                           "it (proofs read from it would not verify)")


def run_verify(context: CommandContext, _args) -> int:
    """``score audit verify``: 0 when the log holds together, 1 naming the first bad index."""
    report = verify(context.db, load_signer(context.settings))
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


VERIFY = Command("verify", run_verify,
                 "recompute the log from its entries; check the leaf-hash tiles, the tree and "
                 "every signed head (exit 1 naming the first bad index)")
