"""Demo seeds run dependencies first, each getting what its dependencies provided."""

from __future__ import annotations

import pytest

from shared.config import load_settings
from shared.seeding import SeedContext, SeedResult, seed_all
from tests.support import pingpong
from tests.support.runtimes import bare_runtime


@pytest.fixture
def settings_for(tmp_path):
    return lambda name: load_settings(name, {"data_dir": str(tmp_path), "env": "test"},
                                      environ={})


def seeded(name: str, depends_on: tuple[str, ...], seed):
    return bare_runtime(name, depends_on=depends_on, migrations=pingpong.MIGRATIONS, seed=seed)


def test_a_seed_gets_what_its_dependencies_provided_and_progress_is_shown(settings_for):
    seen: dict[str, object] = {}

    def users(db, context: SeedContext) -> SeedResult:
        return SeedResult(created={"accounts": 3}, provides={"staff": {"bedo": "u-1"}},
                          notes=("client demo-reader, secret s3cret",))

    def providers(db, context: SeedContext) -> SeedResult:
        seen["staff"] = context.provided("users")["staff"]
        seen["database"] = db.url
        return SeedResult(created={"providers": 8, "courses": 0})

    lines: list[str] = []
    results = seed_all([seeded("users", (), users), seeded("providers", ("users",), providers)],
                       progress=lines.append, settings_for=settings_for)

    assert seen["staff"] == {"bedo": "u-1"}
    assert str(seen["database"]).endswith("/providers.db")
    assert results["providers"].created == {"providers": 8, "courses": 0}
    assert [line.split(" (")[0] for line in lines] == [
        "  seeding users ...", "  seeded users: 3 accounts",
        "    client demo-reader, secret s3cret",
        "  seeding providers ...", "  seeded providers: 8 providers"]


def test_a_seed_cannot_read_a_service_it_does_not_depend_on(settings_for):
    def nosy(db, context: SeedContext) -> SeedResult:
        context.provided("users")
        return SeedResult()

    empty = seeded("users", (), lambda db, context: SeedResult())
    with pytest.raises(KeyError, match="add it to the runtime's depends_on"):
        seed_all([empty, seeded("nosy", (), nosy)], progress=lambda line: None,
                 settings_for=settings_for)


def test_a_seed_that_created_nothing_says_so():
    assert SeedResult(created={"providers": 0}).summary() == "nothing new"
