"""The tiles in the database: the tree's size and right edge, any node, proofs.

A proof names the complete subtrees it needs before anything is read
(:func:`services.audit.log.merkle.nodes_of`), so one query fetches the few
tiles that hold them – a handful of rows whatever the log's size.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from services.audit.log import merkle
from services.audit.log.tiles import WIDTH, TileBuilder, TileId, edge_tiles, locate, node_from_tile
from services.audit.models import Tile


def tree_size(session: Session) -> int:
    """How many leaves the tiles hold."""
    last = session.execute(select(Tile.number, func.length(Tile.hashes))
                           .where(Tile.level == 0).order_by(Tile.number.desc()).limit(1)).first()
    return 0 if last is None else last[0] * WIDTH + last[1] // merkle.HASH_SIZE


def read_tiles(session: Session, tiles: Iterable[TileId]) -> dict[TileId, bytes]:
    """The stored bytes of ``tiles`` (absent ones left out), in one query."""
    wanted = sorted(set(tiles))
    if not wanted:
        return {}
    rows = session.execute(select(Tile.level, Tile.number, Tile.hashes)
                           .where(tuple_(Tile.level, Tile.number).in_(wanted)))
    return {(level, number): hashes for level, number, hashes in rows}


def load_builder(session: Session) -> TileBuilder:
    """The tree's right edge as stored, ready to grow."""
    size = tree_size(session)
    edges = read_tiles(session, edge_tiles(size))
    return TileBuilder(size, {level: blob for (level, _number), blob in edges.items()})


def save(session: Session, builder: TileBuilder) -> None:
    """Write the tiles ``builder`` created or grew since it was loaded or last saved."""
    new, grown = builder.take_changed()
    if new:
        session.execute(insert(Tile), [{"level": level, "number": number, "hashes": blob}
                                       for (level, number), blob in new.items()])
    if grown:
        session.execute(update(Tile), [{"level": level, "number": number, "hashes": blob}
                                       for (level, number), blob in grown.items()])


def hash_reader(session: Session, nodes: Iterable[merkle.Node]) -> merkle.HashAt:
    """A hash accessor for ``nodes`` (complete subtrees), reading their tiles at once."""
    tiles = read_tiles(session, (locate(node)[0] for node in nodes))

    def hash_at(level: int, index: int) -> bytes:
        tile, offset, count = locate((level, index))
        if tile not in tiles:
            raise LookupError(f"no tile holds node ({level}, {index}) yet")
        return node_from_tile(tiles[tile], offset, count)

    return hash_at


def _hashes(session: Session, ranges: list[merkle.Range]) -> list[bytes]:
    hash_at = hash_reader(session, merkle.nodes_of(ranges))
    return [merkle.range_hash(start, end, hash_at) for start, end in ranges]


def root(session: Session, size: int) -> bytes:
    """MTH of the first ``size`` leaves, from the tiles."""
    return _hashes(session, [(0, size)])[0] if size else merkle.EMPTY_ROOT


def inclusion_proof(session: Session, index: int, size: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves (size <= tree size)."""
    return _hashes(session, merkle.inclusion_ranges(index, size))


def consistency_proof(session: Session, first: int, second: int) -> list[bytes]:
    """The proof that the tree of ``second`` leaves extends the one of ``first``."""
    return _hashes(session, merkle.consistency_ranges(first, second))
