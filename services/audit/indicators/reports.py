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
from services.audit.indicators.periods import SliceFilter
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
