"""The matching policy: worked examples of each clause, then properties over random
offers (Hypothesis) – never more than the price or a fund has, never an ineligible
offer, the same plan for the same input, and a non-stackable offer always alone."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.sponsorship import matching, rules
from services.sponsorship.matching import Candidate
from services.sponsorship.rules import Facts, Reason, Team
from services.sponsorship.service import quotes
from services.sponsorship.service.quote_reads import FundFacts, Offered

TODAY = dt.date(2026, 6, 15)
SOON, LATER, LATEST = dt.date(2026, 7, 1), dt.date(2026, 12, 31), dt.date(2027, 6, 30)
PRICE = 2_500_000  # per participant
# Bounded for CI: the whole file runs in a few seconds.
FAST = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
# A quote's plan builds models and loads rules per example: fewer, as broad.
PLANS = settings(FAST, max_examples=50)


def cand(offer_id: str, *, per: int = PRICE, participants: int = 4, fund: str | None = None,
         available: int = 10**9, unit: str = "IDR", until: dt.date = LATER,
         stackable: bool = False, seats_left: int | None = None,
         amount_left: int | None = None) -> Candidate:
    """A candidate as a quote makes it (through ``matching.candidate``)."""
    made = matching.candidate(
        offer_id=offer_id, fund_id=fund or f"fund-{offer_id}", sponsor_id="sponsor",
        stackable=stackable, unit=unit, fund_valid_until=until, fund_available=available,
        per_participant=per, participants=participants, sme_seats_left=seats_left,
        sme_amount_left=amount_left)
    assert isinstance(made, Candidate), made
    return made


def paid(plan: matching.Plan) -> dict[str, int]:
    return {line.offer_id: line.amount for line in plan.lines}


def left_out(plan: matching.Plan) -> dict[str, str]:
    return {offer_id: reason.code for offer_id, reason in plan.left_out}


# -- the policy, worked examples ---------------------------------------------------------

def test_a_stack_that_covers_more_beats_a_non_stackable_offer():
    price = 4 * PRICE  # 10 M
    plan = matching.match(price, [cand("alone", per=1_500_000),  # 6 M
                                  cand("s1", per=1_000_000, stackable=True),  # 4 M
                                  cand("s2", per=750_000, stackable=True)])  # 3 M
    assert paid(plan) == {"s1": 4_000_000, "s2": 3_000_000}
    assert (plan.sponsor_share, plan.sme_share) == (7_000_000, 3_000_000)
    assert left_out(plan) == {"alone": "REASON_NOT_STACKABLE"}


def test_a_non_stackable_offer_that_covers_more_is_used_alone():
    plan = matching.match(4 * PRICE, [cand("alone", per=2_000_000),  # 8 M
                                      cand("s1", per=1_000_000, stackable=True),
                                      cand("s2", per=750_000, stackable=True)])
    assert paid(plan) == {"alone": 8_000_000}
    assert left_out(plan) == {"s1": "REASON_NOT_STACKABLE", "s2": "REASON_NOT_STACKABLE"}


def test_on_a_tie_the_offer_whose_fund_expires_first_pays():
    plan = matching.match(4 * PRICE, [cand("a-later", until=LATER), cand("b-soon", until=SOON),
                                      cand("c-latest", until=LATEST)])
    assert paid(plan) == {"b-soon": 10_000_000}
    assert left_out(plan) == {"a-later": "REASON_PRICE_FULLY_COVERED",
                              "c-latest": "REASON_PRICE_FULLY_COVERED"}


def test_in_a_stack_the_fund_expiring_first_pays_first_and_never_beyond_the_price():
    plan = matching.match(4 * PRICE, [cand("later", per=2_000_000, until=LATER, stackable=True),
                                      cand("soon", per=2_000_000, until=SOON, stackable=True)])
    assert [line.offer_id for line in plan.lines] == ["soon", "later"]
    assert paid(plan) == {"soon": 8_000_000, "later": 2_000_000}
    assert plan.sme_share == 0


def test_an_idr_fund_pays_only_what_it_has_left():
    made = cand("a", available=3_000_000)
    assert (made.max_amount, made.max_participants) == (3_000_000, 4)
    plan = matching.match(4 * PRICE, [made])
    ((line),) = plan.lines
    assert (line.amount, line.units, line.participants) == (3_000_000, 3_000_000, 2)
    exhausted = matching.candidate(
        offer_id="b", fund_id="f", sponsor_id="s", stackable=False, unit="IDR",
        fund_valid_until=LATER, fund_available=0, per_participant=PRICE, participants=4,
        sme_seats_left=None, sme_amount_left=None)
    assert exhausted == Reason("REASON_FUND_EXHAUSTED", exhausted.detail)


def test_a_seats_fund_covers_whole_participants_and_takes_seats_not_rupiah():
    plan = matching.match(4 * PRICE, [cand("seats", unit="seats", available=3)])
    (line,) = plan.lines
    assert (line.amount, line.participants, line.units) == (3 * PRICE, 3, 3)
    assert plan.sme_share == PRICE


def test_two_offers_sharing_one_fund_never_take_more_than_it_has():
    shared = {"fund": "one", "available": 5_000_000, "stackable": True}
    plan = matching.match(4 * PRICE, [cand("a", per=1_000_000, **shared),
                                      cand("b", per=1_000_000, **shared)])
    assert sum(line.units for line in plan.lines) == 5_000_000
    assert paid(plan) == {"a": 4_000_000, "b": 1_000_000}

    seats = {"fund": "seats", "unit": "seats", "available": 3, "stackable": True}
    plan = matching.match(4 * PRICE, [cand("c", per=1_000_000, **seats),
                                      cand("d", per=1_000_000, **seats)])
    assert sum(line.units for line in plan.lines) == 3


def test_the_smes_cap_limits_participants_or_rupiah():
    by_seats = cand("a", seats_left=2)
    assert (by_seats.max_participants, by_seats.max_amount) == (2, 2 * PRICE)
    by_amount = cand("b", amount_left=3_000_000)
    assert by_amount.max_amount == 3_000_000
    (line,) = matching.match(4 * PRICE, [by_amount]).lines
    assert (line.amount, line.participants) == (3_000_000, 2)


def test_offers_sharing_a_fund_together_keep_the_smes_cap_on_that_fund():
    fund = FundFacts(id="fund-1", unit="IDR", valid_from=dt.date(2026, 1, 1), valid_until=LATER)
    capped = rules.load_rules({"share_percent": 50, "sme_cap": {"seats": 2}})
    offered = [Offered(offer_id=f"offer-{n}", sponsor_id="sponsor-1", title=f"Offer {n}",
                       stackable=True, rules=capped, fund=fund, sponsor_name="Sponsor",
                       available=10**9) for n in (1, 2)]
    team = Team(participants=4, managers=1, workers=3, women=2, men=2)
    the_facts = Facts(sme_id="sme-1", sme_province="32", sme_kbli="13111",
                      sme_size_class="small", session_province="32", module_code="M1",
                      provider_id="prov-1", ilo_supervised=True, price_per_participant=PRICE,
                      team=team, today=TODAY)

    plan, _declined = quotes._plan(the_facts, offered, {fund.id: 10**9}, {})

    # The fund gives this SME at most 2 participants, however many of its offers apply.
    assert sum(line.participants for line in plan.lines) == 2
    assert plan.sponsor_share == 2 * PRICE // 2


def test_nothing_to_match_is_a_plan_where_the_sme_pays_everything():
    plan = matching.match(4 * PRICE, [])
    assert (plan.lines, plan.sponsor_share, plan.sme_share) == ((), 0, 4 * PRICE)
    nothing = matching.candidate(
        offer_id="a", fund_id="f", sponsor_id="s", stackable=False, unit="IDR",
        fund_valid_until=LATER, fund_available=10, per_participant=0, participants=4,
        sme_seats_left=None, sme_amount_left=None)
    assert isinstance(nothing, Reason) and nothing.code == "REASON_NOTHING_TO_PAY"


# -- properties of match() ---------------------------------------------------------------

FUNDS = st.fixed_dictionaries({
    "unit": st.sampled_from(["IDR", "seats"]),
    "until": st.sampled_from([SOON, LATER, LATEST]),
    "idr": st.integers(0, 40_000_000), "seats": st.integers(0, 12)})


@st.composite
def candidates(draw) -> list[Candidate]:
    """Up to six eligible offers over up to three funds (offers often share a fund)."""
    funds = draw(st.lists(FUNDS, min_size=1, max_size=3))
    participants = draw(st.integers(1, 10))
    found = []
    for n in range(draw(st.integers(0, 6))):
        f = draw(st.integers(0, len(funds) - 1))
        fund = funds[f]
        made = matching.candidate(
            offer_id=f"offer-{n}", fund_id=f"fund-{f}", sponsor_id=f"sponsor-{f}",
            stackable=draw(st.booleans()), unit=fund["unit"], fund_valid_until=fund["until"],
            fund_available=fund["idr"] if fund["unit"] == "IDR" else fund["seats"],
            per_participant=draw(st.integers(0, 3_000_000)), participants=participants,
            sme_seats_left=draw(st.none() | st.integers(1, 10)),
            sme_amount_left=draw(st.none() | st.integers(1, 20_000_000)))
        if isinstance(made, Candidate):
            found.append(made)
    return found


PRICES = st.integers(0, 30_000_000)


@FAST
@given(price=PRICES, offered=candidates())
def test_a_plan_never_pays_more_than_the_price_an_offer_or_a_fund_allows(price, offered):
    plan = matching.match(price, offered)
    by_id = {c.offer_id: c for c in offered}

    assert 0 <= plan.sponsor_share <= price
    assert plan.sme_share == price - plan.sponsor_share
    for line in plan.lines:
        offer = by_id[line.offer_id]  # only offers it was given
        assert 0 < line.amount <= offer.max_amount
        assert 0 < line.participants <= offer.max_participants
        assert line.units == (line.amount if offer.unit == "IDR" else line.participants)
        assert line.fund_id == offer.fund_id
    taken = Counter()
    for line in plan.lines:
        taken[line.fund_id] += line.units
    for fund_id, units in taken.items():
        assert units <= next(c.fund_available for c in offered if c.fund_id == fund_id)


@FAST
@given(price=PRICES, offered=candidates())
def test_a_non_stackable_offer_pays_alone_and_every_other_offer_is_explained(price, offered):
    plan = matching.match(price, offered)
    stackable = {c.offer_id: c.stackable for c in offered}
    chosen = [line.offer_id for line in plan.lines]

    assert len(chosen) == len(set(chosen))
    if any(not stackable[offer_id] for offer_id in chosen):
        assert len(chosen) == 1
    explained = {offer_id for offer_id, _reason in plan.left_out}
    assert explained.isdisjoint(chosen)
    if price > 0:
        assert explained | set(chosen) == set(stackable)


@FAST
@given(price=PRICES, offered=candidates(), data=st.data())
def test_the_same_offers_in_any_order_give_the_same_plan(price, offered, data):
    shuffled = data.draw(st.permutations(offered))
    assert matching.match(price, offered) == matching.match(price, list(offered))
    assert matching.match(price, shuffled) == matching.match(price, offered)


@FAST
@given(price=PRICES, offered=candidates())
def test_the_plan_covers_at_least_what_any_non_stackable_offer_would_alone(price, offered):
    plan = matching.match(price, offered)
    for offer in offered:
        if not offer.stackable:  # each is an option of its own; the best option wins
            assert plan.sponsor_share >= min(price, offer.max_amount)


# -- properties of a quote's plan (quotes._plan: rules, caps, balances, matching) ---------

PROVINCES = ["31", "32", "33"]


def _codes(choices):
    return st.lists(st.sampled_from(choices), min_size=1, max_size=len(choices), unique=True)


RULES = st.fixed_dictionaries({}, optional={
    "sme_provinces": _codes(PROVINCES), "session_provinces": _codes(PROVINCES),
    "kbli_prefixes": _codes(["1", "13", "131", "46"]), "size_classes": _codes(["micro", "small"]),
    "modules": _codes(["M1", "M2"]), "providers": _codes(["prov-1", "prov-2"]),
    "smes": _codes(["sme-1", "sme-2"]), "ilo_supervised_only": st.booleans(),
    "share_percent": st.integers(1, 100), "cap_per_participant": st.integers(1, 4_000_000),
    "sme_cap": st.one_of(st.builds(lambda n: {"seats": n}, st.integers(1, 8)),
                         st.builds(lambda n: {"amount": n}, st.integers(1, 15_000_000))),
    "min_women_percent": st.integers(1, 100), "min_managers": st.integers(1, 3),
    "min_workers": st.integers(1, 6),
    "valid_from": st.sampled_from(["2026-01-01", "2026-06-15", "2026-06-16"]),
    "valid_until": st.sampled_from(["2026-06-14", "2026-06-15", "2026-12-31"]),
}).filter(lambda r: r.get("valid_from", "") <= r.get("valid_until", "9")).map(rules.load_rules)


@st.composite
def facts(draw) -> Facts:
    participants = draw(st.integers(1, 8))
    managers, women = draw(st.integers(0, participants)), draw(st.integers(0, participants))
    return Facts(
        sme_id=draw(st.sampled_from(["sme-1", "sme-2"])),
        sme_province=draw(st.sampled_from(PROVINCES)),
        sme_kbli=draw(st.sampled_from(["13111", "46100", "10792"])),
        sme_size_class=draw(st.sampled_from(["micro", "small", "medium"])),
        session_province=draw(st.sampled_from(PROVINCES)),
        module_code=draw(st.sampled_from(["M1", "M2", "M3"])),
        provider_id=draw(st.sampled_from(["prov-1", "prov-2"])),
        ilo_supervised=draw(st.booleans()),
        price_per_participant=draw(st.sampled_from([0, 1_000_000, 2_500_000, 3_333_333])),
        team=Team(participants, managers, participants - managers, women, participants - women),
        today=TODAY)


@st.composite
def market(draw):
    """Published offers over up to three funds, their balances and the SME's usage."""
    funds = []
    for n in range(draw(st.integers(1, 2))):
        unit = draw(st.sampled_from(["IDR", "seats"]))
        start = draw(st.sampled_from([dt.date(2026, 1, 1), dt.date(2026, 7, 1)]))
        funds.append((FundFacts(id=f"fund-{n}", unit=unit, valid_from=start,
                                valid_until=draw(st.sampled_from([SOON, LATER]))),
                      f"sponsor-{n}",
                      draw(st.integers(0, 30_000_000 if unit == "IDR" else 12))))
    offered = []
    for n in range(draw(st.integers(0, 5))):
        fund, sponsor_id, available = funds[draw(st.integers(0, len(funds) - 1))]
        offered.append(Offered(offer_id=f"offer-{n}", sponsor_id=sponsor_id,
                               title=f"Offer {n}", stackable=draw(st.booleans()),
                               rules=draw(RULES), fund=fund,
                               sponsor_name=f"Sponsor {sponsor_id}", available=available))
    balances = {fund.id: available for fund, _s, available in funds}
    usage = {fund.id: (draw(st.integers(0, 8)), draw(st.integers(0, 15_000_000)))
             for fund, _s, _a in funds if draw(st.booleans())}
    return offered, balances, usage


@PLANS
@given(the_facts=facts(), the_market=market())
def test_a_quote_applies_only_offers_whose_every_rule_holds(the_facts, the_market):
    offered, balances, usage = the_market
    plan, declined = quotes._plan(the_facts, offered, balances, usage)
    by_id = {o.offer_id: o for o in offered}

    assert plan.price == the_facts.price_per_participant * the_facts.team.participants
    assert 0 <= plan.sponsor_share <= plan.price
    for line in plan.lines:
        o = by_id[line.offer_id]
        seats, amount = usage.get(o.fund.id, (0, 0))
        used = dataclasses.replace(the_facts, sme_seats_used=seats, sme_amount_used=amount)
        assert rules.refusals(o.rules, used) == []
        assert o.fund.valid_on(TODAY)
        assert line.offer_id not in declined
        assert line.amount <= line.participants * rules.share_per_participant(
            o.rules, the_facts.price_per_participant)
    # Every offer is either applied or declined with at least one coded reason.
    assert set(declined) | {line.offer_id for line in plan.lines} == set(by_id)
    assert all(reasons and all(r.code.startswith("REASON_") for r in reasons)
               for reasons in declined.values())


@PLANS
@given(the_facts=facts(), the_market=market())
def test_a_quote_keeps_each_fund_and_each_smes_cap(the_facts, the_market):
    offered, balances, usage = the_market
    plan, _declined = quotes._plan(the_facts, offered, balances, usage)
    by_id = {o.offer_id: o for o in offered}

    took_units, took_seats, took_amount = Counter(), Counter(), Counter()
    for line in plan.lines:
        took_units[line.fund_id] += line.units
        took_seats[line.fund_id] += line.participants
        took_amount[line.fund_id] += line.amount
    for fund_id, units in took_units.items():
        assert units <= balances[fund_id]
    for line in plan.lines:
        cap = by_id[line.offer_id].rules.get("sme_cap", {})
        seats, amount = usage.get(line.fund_id, (0, 0))
        # What the SME holds from the fund after this quote stays within every applied cap.
        assert seats + took_seats[line.fund_id] <= cap.get("seats", 10**9)
        assert amount + took_amount[line.fund_id] <= cap.get("amount", 10**15)


@PLANS
@given(the_facts=facts(), the_market=market(), data=st.data())
def test_a_quote_is_the_same_for_the_same_market_in_any_order(the_facts, the_market, data):
    offered, balances, usage = the_market
    shuffled = data.draw(st.permutations(offered))
    assert quotes._plan(the_facts, offered, balances, usage) == quotes._plan(
        the_facts, shuffled, balances, usage)
