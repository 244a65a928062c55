"""Ground truth: a seeded random market through the services, logged, gives its own figures.

The market (tests/audit/market.py) is driven through the services' use cases; its
published events go into the audit log as the ingest would (tests/audit/logged.py).
Each indicator the audit computes from the log must equal the same figure computed
directly from what the generator decided – the two share no code.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest

from services.audit.indicators.periods import quarter_of
from shared import clock
from tests.audit.logged import log_events
from tests.audit.market import Market, Truth

SEED = 20260401


def share(part, whole) -> str | None:
    if not whole:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return format(value.normalize(), "f")


def expected(truth: Truth, province: str | None = None) -> dict[str, str | None]:
    """Every indicator, computed from the generator's own record."""
    sessions = [s for s in truth.sessions if province in (None, s["province"])]
    teams = [(s, t) for s in sessions for t in s["teams"]]
    trained = [(s, t) for s, t in teams if any(t["completed"])]
    direct = {t["sme"] for s, t in trained if s["ilo"]}
    indirect = {t["sme"] for s, t in trained if not s["ilo"]} - direct
    done = [m for _, t in teams for m, ok in zip(t["members"], t["completed"], strict=True)
            if ok]
    managers = sum(1 for m in done if m["role"] == "manager")
    women = sum(1 for m in done if m["gender"] == "female")
    paid = sum(t["paid"] for _, t in teams)
    sponsored = sum(t["sponsored"] for _, t in teams)
    cost = sum(s["cost"] for s in sessions)
    money = {kind: 0 for kind in ("ministry", "donor", "lead_buyer", "association", "other")}
    for _, t in teams:
        if t["sponsor"]:
            money[truth.sponsors[t["sponsor"]]] += t["sponsored"]
    lead_buyers = {t["sponsor"] for _, t in teams
                   if t["sponsor"] and truth.sponsors[t["sponsor"]] == "lead_buyer"}
    trainers = [t for t in truth.trainers if province in (None, t["province"])]
    certified = [t for t in trainers if t["certified"]]
    figures = {
        "providers_independent": len({s["provider"] for s in sessions if not s["ilo"]
                                      and truth.providers[s["provider"]] == "approved"}),
        "sessions_delivered_direct": sum(1 for s in sessions if s["ilo"]),
        "sessions_delivered_independent": sum(1 for s in sessions if not s["ilo"]),
        "smes_trained_direct": len(direct), "smes_trained_indirect": len(indirect),
        "participants": len(done), "participants_managers": managers,
        "participants_workers": len(done) - managers,
        "participants_women_share": share(women, len(done)),
        "delivered_sme_payments": paid, "delivered_sponsor_commitments": sponsored,
        "delivered_cost_estimates": cost, "cost_recovery_percent": share(paid + sponsored, cost),
        **{f"sponsor_money_{kind}": amount for kind, amount in money.items()},
        "lead_buyer_collaborations": len(lead_buyers),
        "case_studies_published": sum(1 for p in truth.case_studies
                                      if province in (None, p)),
    }
    figures.update({
        "trainers": len(trainers),
        "trainers_women_share": share(sum(t["gender"] == "female" for t in trainers),
                                      len(trainers)),
        "trainers_certified": len(certified),
        "trainers_certified_women_share": share(
            sum(t["gender"] == "female" for t in certified), len(certified))})
    return {code: None if value is None else str(value) for code, value in figures.items()}


@pytest.fixture
def market(tmp_path, app_config, auth):
    built = Market(tmp_path, app_config, auth)
    built.generate(random.Random(SEED))
    yield built
    built.close()


def test_the_log_gives_the_indicators_and_productivity_the_market_made(market, audit_db, client,
                                                                        auth):
    """One market for both views: building it is most of the test's time."""
    log_events(audit_db, *market.db.values())
    indicators_match(market, client, auth)
    productivity_matches(market, client, auth)


def indicators_match(market, client, auth) -> None:
    headers = auth("ilo_auditor")
    quarter = quarter_of(clock.now())  # events carry the time they were published
    for province in (None, "32", "33", "35"):
        query = f"?period={quarter}" + (f"&province={province}" if province else "")
        response = client.get(f"/indicators{query}", headers=headers)
        assert response.status_code == 200, response.json
        found = {row["code"]: row["value"] for row in response.json["items"]}
        want = expected(market.truth, province)
        assert {code: found[code] for code in want} == want, province
    # the market is varied enough for each figure to mean something
    overall = expected(market.truth)
    assert all(overall[code] not in ("0", None) for code in (
        "providers_independent", "sessions_delivered_direct", "smes_trained_indirect",
        "trainers_certified", "sponsor_money_lead_buyer", "case_studies_published"))


def productivity_matches(market, client, auth) -> None:
    cells: dict[tuple[str, str], list[Decimal]] = {}
    for sme in market.truth.kpis:
        if sme["follow_up"] is not None:
            change = Decimal(sme["follow_up"] - sme["baseline"]) * 100 / sme["baseline"]
            cells.setdefault(("C", sme["province"]), []).append(change)
    response = client.get("/productivity?kpi=productivity", headers=auth("ilo_auditor"))
    found = {(c["sector"], c["province"]): c for c in response.json["cells"]}
    assert set(found) == set(cells)
    for key, changes in cells.items():
        if len(changes) < 5:
            assert found[key]["suppressed"] and found[key]["enterprises"] is None
        else:
            mean = (sum(changes) / len(changes)).quantize(Decimal("0.1"), ROUND_HALF_UP)
            assert (found[key]["enterprises"], Decimal(found[key]["mean_change_percent"])) == (
                len(changes), mean)
            assert found[key]["improved"] == sum(1 for c in changes if c > 0)
    assert any(not c["suppressed"] for c in found.values())
