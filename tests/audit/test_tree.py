"""The tree in tiles and the tree job: tiles agree with RFC 9162, heads come as configured."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.audit.ingest import append
from services.audit.log import heads, merkle, store
from services.audit.log.job import HeadPolicy, grow
from services.audit.log.tiles import WIDTH, TileBuilder, locate
from services.audit.models import Entry, Tile, TreeHead
from shared.config import ConfigError, load_settings
from shared.events.tables import outbox
from tests.audit.builders import fill
from tests.audit.logged import published


def levels_of(leaves: list[bytes]) -> list[list[bytes]]:
    """Every complete level of the tree over ``leaves``, computed plainly."""
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([merkle.node_hash(below[i], below[i + 1])
                       for i in range(0, len(below) - 1, 2)])
    return levels


LEAVES = [merkle.leaf_hash(str(i).encode()) for i in range(WIDTH * WIDTH + 300)]
LEVELS = levels_of(LEAVES)


def test_the_builder_root_is_the_rfc_root_across_tile_boundaries():
    builder = TileBuilder()
    sizes = {1, 2, 255, 256, 257, 511, 512, 513, 4097, WIDTH * WIDTH, WIDTH * WIDTH + 300}
    for size, leaf in enumerate(LEAVES, start=1):
        builder.append(leaf)
        if size in sizes:
            assert builder.root() == merkle.root(size, lambda lv, i: LEVELS[lv][i]), size


def test_a_builder_seeded_with_the_stored_edge_grows_as_one_built_at_once():
    whole = TileBuilder()
    whole.extend(LEAVES)
    new, _grown = whole.take_changed()
    for size in (1, 256, 300, WIDTH * WIDTH, 65_800):
        first = TileBuilder()
        first.extend(LEAVES[:size])
        stored, _ = first.take_changed()
        edges = {level: blob for (level, number), blob in stored.items()
                 if number == max(n for lv, n in stored if lv == level) and len(blob) < 32 * WIDTH}
        resumed = TileBuilder(size, edges)
        resumed.extend(LEAVES[size:])
        assert resumed.root() == whole.root()
        added, grown = resumed.take_changed()
        assert {**stored, **added, **grown} == new


def test_every_complete_subtree_is_read_from_one_tile():
    builder = TileBuilder()
    builder.extend(LEAVES)
    tiles, _ = builder.take_changed()
    for level in range(0, 17):
        for index in {0, min(1, len(LEVELS[level]) - 1), len(LEVELS[level]) - 1}:
            tile, offset, count = locate((level, index))
            blob = tiles[tile]
            assert merkle.perfect_root([blob[i * 32:(i + 1) * 32]
                                        for i in range(offset, offset + count)]) \
                == LEVELS[level][index]


@pytest.mark.parametrize("index", [0, 12_345, 500_000, 999_999])
def test_a_proof_at_a_million_entries_reads_a_handful_of_tiles(index):
    for ranges in (merkle.inclusion_ranges(index, 1_000_000),
                   merkle.consistency_ranges(index + 1, 1_000_000)):
        assert len({locate(node)[0] for node in merkle.nodes_of(ranges)}) <= 6


def test_the_job_grows_the_tiles_and_signs_every_n_entries(app, audit_db, clock):
    signer = app.extensions["audit_signer"]
    fill(audit_db, 25)

    assert grow(audit_db, signer, HeadPolicy(entries=10, seconds=60)) == 25

    with audit_db.reading() as session:
        signed = session.scalars(select(TreeHead).order_by(TreeHead.size)).all()
        assert [head.size for head in signed] == [10, 20]
        assert all(heads.signature_holds(head, signer) for head in signed)
        assert store.tree_size(session) == 25
        assert [store.root(session, head.size) for head in signed] == [
            head.root for head in signed]
        events = session.execute(select(outbox.c.type, outbox.c.key)).all()
        assert events == [("score.audit.tree_head.signed.v1", "10"),
                          ("score.audit.tree_head.signed.v1", "20")]


def test_the_job_signs_a_grown_tree_after_the_interval_and_never_an_unchanged_one(
        app, audit_db, clock):
    signer, policy = app.extensions["audit_signer"], HeadPolicy(entries=1000, seconds=1.0)
    assert grow(audit_db, signer, policy) == 0
    fill(audit_db, 3)
    grow(audit_db, signer, policy)  # the first head comes at once
    fill(audit_db, 2)
    grow(audit_db, signer, policy)
    clock.advance(seconds=0.5)
    grow(audit_db, signer, policy)
    clock.advance(seconds=0.5)
    grow(audit_db, signer, policy)
    clock.advance(seconds=5)
    grow(audit_db, signer, policy)

    with audit_db.reading() as session:
        assert session.scalars(select(TreeHead.size).order_by(TreeHead.size)).all() == [3, 5]


def test_heads_coming_back_through_the_bus_alone_never_time_a_new_head(app, audit_db, clock):
    signer, policy = app.extensions["audit_signer"], HeadPolicy(entries=1000, seconds=1.0)
    fill(audit_db, 3)
    grow(audit_db, signer, policy)
    for _ in range(3):  # an idle market: only the last head's event is logged each time
        log_own_heads(audit_db)
        clock.advance(seconds=5)
        grow(audit_db, signer, policy)
    fill(audit_db, 1)
    clock.advance(seconds=5)
    grow(audit_db, signer, policy)

    with audit_db.reading() as session:
        assert session.scalars(select(TreeHead.size).order_by(TreeHead.size)).all() == [3, 5]


def log_own_heads(db) -> None:
    """The audit's own published events not logged yet, appended as the ingest would."""
    records = published(db)
    with db.transaction() as session:
        logged = session.scalar(select(func.count()).select_from(Entry)
                                .where(Entry.type == "score.audit.tree_head.signed.v1"))
        append(session, records[logged:])


def test_a_round_appends_a_bounded_batch(app, audit_db, clock):
    signer = app.extensions["audit_signer"]
    fill(audit_db, 300)
    policy = HeadPolicy(entries=100, seconds=60)
    assert [grow(audit_db, signer, policy, batch=128) for _ in range(4)] == [128, 128, 44, 0]
    with audit_db.reading() as session:
        assert session.scalars(select(TreeHead.size)).all() == [100, 200, 300]
        assert session.scalar(select(func.count()).select_from(Tile)) == 3  # 2 leaf tiles, 1 up


def test_head_settings_are_read_and_refused_when_unusable(tmp_path):
    settings = load_settings("audit", {"data_dir": str(tmp_path), "head_every_entries": "50",
                                       "head_every_seconds": "0.5"})
    assert HeadPolicy.from_settings(settings) == HeadPolicy(50, 0.5)
    assert HeadPolicy.from_settings(load_settings("audit", {"data_dir": str(tmp_path)})) \
        == HeadPolicy(1000, 1.0)
    for bad in ({"head_every_entries": "0"}, {"head_every_seconds": "soon"}):
        with pytest.raises(ConfigError):
            HeadPolicy.from_settings(load_settings("audit", {"data_dir": str(tmp_path), **bad}))
