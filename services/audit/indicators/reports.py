"""The read use cases behind ``/indicators`` and ``/productivity``: who sees which slice.

Both read the projection "as of" a sequence number (the log's last entry when
none is given) and say which entry that was, so a figure can be reproduced and
checked against the log. A provider's staff see their own provider's slice of
the indicators; the national productivity view is the Ministry's and the
ILO's (enterprises, not providers: no provider slice is meaningful there).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.audit.access import provider_slice
from services.audit.indicators import figures, productivity
from services.audit.indicators.checkpoints import state_as_of
from services.audit.indicators.periods import SliceFilter, slice_key
from shared.auth import Principal
from shared.db import Database
from shared.errors import Forbidden


def indicators(db: Database, principal: Principal, targets: dict[str, Decimal],
               args: dict[str, Any]) -> dict[str, Any]:
    """Every indicator for the filters in ``args``, against the targets."""
    provider = provider_slice(principal)
    with db.reading() as session:
        state = state_as_of(session, args.get("as_of"))
    where = SliceFilter(args.get("period"), args.get("province"), provider)
    return {"as_of": state["next"] - 1 if state["next"] else None,
            "period": where.period, "province": where.province, "provider_id": provider,
            "items": figures.indicators(state, targets, where)}


def breakdown(db: Database, principal: Principal, targets: dict[str, Decimal],
              args: dict[str, Any]) -> dict[str, Any]:
    """Every indicator per province or per quarter (``args["by"]``) from one replay.

    The groups are the provinces (BPS codes) or quarters the log has facts for, within
    the other filter (a province's quarters; a period's provinces), in code order.
    """
    provider = provider_slice(principal)
    with db.reading() as session:
        state = state_as_of(session, args.get("as_of"))
    by, period, province = args["by"], args.get("period"), args.get("province")
    within = SliceFilter(period, province, provider)
    groups = []
    for key in _present(state, 0 if by == "period" else 1, within):
        where = (SliceFilter(key, province, provider) if by == "period"
                 else SliceFilter(period, key, provider))
        groups.append({"key": key, "items": figures.indicators(state, targets, where)})
    return {"as_of": state["next"] - 1 if state["next"] else None, "by": by,
            "period": period, "province": province, "provider_id": provider,
            "groups": groups}


def _present(state: dict[str, Any], part: int, within: SliceFilter) -> list[str]:
    """The quarters (``part`` 0) or provinces (1) of every slice key in ``within``."""
    keys: set[str] = set()
    for name in ("smes", "participants", "sponsor_money", "case_studies"):
        keys.update(state[name])
    for record in state["sessions"].values():
        if record["delivered"]:
            keys.add(slice_key(record["delivered"], record["province"], record["provider"]))
    for trainer in state["trainers"].values():
        for period in (trainer["registered"], trainer["certified"]):
            if period:
                keys.add(slice_key(period, trainer["province"], trainer["provider"]))
    return sorted({key.split("|")[part] for key in keys if within.matches(key)} - {""})


def national_productivity(db: Database, principal: Principal,
                          args: dict[str, Any]) -> dict[str, Any]:
    """KPI changes by KBLI sector and province, small cells suppressed."""
    if not principal.reads_everything:
        raise Forbidden("the national productivity view is the ILO's and the Ministry's")
    with db.reading() as session:
        state = state_as_of(session, args.get("as_of"))
    found = productivity.view(state, sector=args.get("sector"), province=args.get("province"),
                              kpi=args.get("kpi"))
    return {"as_of": state["next"] - 1 if state["next"] else None, **found}
