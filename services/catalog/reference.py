"""SCORE modules and Indonesian provinces: read-only reference data.

The rows are seeded by migration (``migrations/versions/*_reference_data.py``
holds the frozen data) and never change while a process runs, so the code sets
used to validate input are cached per database.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.catalog.models import Module, Province
from shared.db import Database
from shared.errors import ValidationFailed


@dataclasses.dataclass(frozen=True)
class Codes:
    """Known module codes, and province BPS codes by BPS or ISO code."""

    modules: frozenset[str]
    provinces: dict[str, str]
    province_names: dict[str, str]

    def province(self, code: str) -> str | None:
        """The BPS code for a BPS (``32``) or ISO (``ID-JB``) code, else ``None``."""
        return self.provinces.get(code.strip().upper())


_cache: dict[str, Codes] = {}
_lock = threading.Lock()


def codes(db: Database) -> Codes:
    """The reference code sets of ``db`` (loaded once per process)."""
    found = _cache.get(db.url)
    if found is None:
        with _lock, db.reading() as session:
            modules = frozenset(session.scalars(select(Module.code)))
            provinces: dict[str, str] = {}
            names: dict[str, str] = {}
            for p in session.scalars(select(Province)):
                provinces[p.bps_code] = provinces[p.iso_code.upper()] = p.bps_code
                names[p.bps_code] = p.name
            found = _cache[db.url] = Codes(modules, provinces, names)
    return found


def list_modules(db: Database) -> list[Module]:
    """All SCORE modules in order."""
    with db.reading() as session:
        return list(session.scalars(select(Module).order_by(Module.number)))


def list_provinces(db: Database) -> list[Province]:
    """All 38 provinces by BPS code."""
    with db.reading() as session:
        return list(session.scalars(select(Province).order_by(Province.bps_code)))


def require_module(session: Session, code: str, field: str = "module_code") -> Module:
    """The module ``code``, or a 422 naming ``field``."""
    module = session.get(Module, code)
    if module is None:
        raise ValidationFailed("unknown SCORE module", errors={field: [f"unknown module {code!r}"]})
    return module


def require_provinces(session: Session, codes_: Iterable[str], field: str) -> list[Province]:
    """Provinces for BPS or ISO codes, or a 422 naming ``field`` and the unknown codes."""
    wanted = list(dict.fromkeys(c.strip().upper() for c in codes_))
    rows = session.scalars(select(Province).where(
        (Province.bps_code.in_(wanted)) | (Province.iso_code.in_(wanted)))).all()
    known = {p.bps_code for p in rows} | {p.iso_code for p in rows}
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise ValidationFailed("unknown province", errors={
            field: [f"unknown province code {c!r} (use a BPS code such as '32' or ISO 'ID-JB')"
                    for c in unknown]})
    return sorted({p.bps_code: p for p in rows}.values(), key=lambda p: p.bps_code)
