"""``score audit verify`` on SQLite: a sound log passes; tampering is named at its first index."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from services.audit.log.job import HeadPolicy, grow
from services.audit.log.merkle import leaf_hash
from services.audit.log.signer import HeadKey, Signer
from services.audit.log.tiles import TileBuilder
from services.audit.log.verify import verify
from services.audit.models import Entry, Tile, TreeHead
from shared import cli
from tests.audit.builders import fill


@pytest.fixture
def signed(app, audit_db, clock):
    """300 entries (two leaf tiles), heads at 100, 200 and 300, and 5 entries not yet in."""
    fill(audit_db, 305)
    grow(audit_db, app.extensions["audit_signer"], HeadPolicy(entries=100, seconds=60),
         batch=300)
    return audit_db


def test_a_sound_log_verifies(app, signed):
    report = verify(signed, app.extensions["audit_signer"])
    assert report.ok, report.problems
    assert (report.entries, report.tree_size, report.heads, report.pending) == (300, 300, 3, 5)


def test_an_edited_entry_is_named_by_its_index(app, signed):
    with signed.transaction() as session:
        session.execute(update(Entry).where(Entry.seq == 170).values(event=b'{"forged": 1}'))
    problems = verify(signed, app.extensions["audit_signer"]).problems
    assert problems == ["entry 170: its bytes do not hash to the leaf logged at index 170 "
                        "(edited, inserted or moved)"]


@pytest.mark.parametrize(("column", "value"), [("providerid", "p-2"), ("providerid", None),
                                               ("type", "score.catalog.session.cancelled.v1")])
def test_an_edited_copied_column_is_named_by_its_index(app, signed, column, value):
    # The event's bytes still hash right; the column decides who reads the entry.
    with signed.transaction() as session:
        session.execute(update(Entry).where(Entry.seq == 12).values({column: value}))
    assert verify(signed, app.extensions["audit_signer"]).problems == [
        f"entry 12: its {column} column does not say what the logged event says (edited; "
        "it decides who may read it)"]


def test_a_deleted_entry_is_named_by_its_index(app, signed):
    with signed.transaction() as session:
        session.execute(delete(Entry).where(Entry.seq == 42))
    assert verify(signed, app.extensions["audit_signer"]).problems[0] == (
        "entry 42: missing (deleted: the next stored entry is 43)")


def test_rewritten_tiles_are_caught_by_the_first_head_they_contradict(app, signed):
    with signed.transaction() as session:
        session.execute(update(Entry).where(Entry.seq == 150).values(event=b"forged"))
        events = session.scalars(select(Entry.event).where(Entry.seq < 300)
                                 .order_by(Entry.seq)).all()
        builder = TileBuilder()
        builder.extend(leaf_hash(event) for event in events)
        new, _ = builder.take_changed()
        for (level, number), blob in new.items():
            session.execute(update(Tile).where(Tile.level == level, Tile.number == number)
                            .values(hashes=blob))
    problems = verify(signed, app.extensions["audit_signer"]).problems
    assert problems == ["entry 150: its bytes are not a CloudEvent (every logged entry is one: "
                        "replaced)",
                        "tree head at size 200: its root does not match the tiles (the tiles "
                        "were rewritten)",
                        "tree head at size 300: its root does not match the tiles (the tiles "
                        "were rewritten)"]


def test_heads_need_a_published_key_and_a_valid_signature(app, signed):
    with signed.transaction() as session:
        session.execute(update(TreeHead).where(TreeHead.size == 200)
                        .values(signature=bytes(64)))
    problems = verify(signed, app.extensions["audit_signer"]).problems
    assert problems == ["tree head at size 200: its signature does not hold"]
    stranger = Signer(HeadKey.generate())
    assert verify(signed, stranger).problems[0].startswith(
        "tree head at size 100: signed by an unknown key")


def test_the_cli_mounts_the_command_and_exits_non_zero_on_tampering(
        app, signed, monkeypatch, tmp_path, capsys):
    settings = app.extensions["score_settings"]
    monkeypatch.setenv("SCORE_AUDIT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SCORE_AUDIT_DATA_DIR", settings.data_dir)
    assert cli.main(["audit", "verify"]) == 0
    assert capsys.readouterr().out.startswith("OK: 300 entries checked")
    with signed.transaction() as session:
        session.execute(update(Entry).where(Entry.seq == 7).values(event=b"x"))
    assert cli.main(["audit", "verify"]) == 1
    assert capsys.readouterr().out.startswith("FAILED: entry 7: ")
