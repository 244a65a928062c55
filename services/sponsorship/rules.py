"""Offer eligibility rules: declarative data, a schema, and coded reasons.

An offer's ``rules`` is a JSON object validated by :class:`OfferRules`; every key
is optional and an absent key does not restrict. :func:`refusals` tests the rules
against a quote's :class:`Facts` and returns one :class:`Reason` per failed rule
(all of them, not only the first), so a quote explains itself to the SME.
:func:`share_per_participant` says what the offer pays per participant.

The rules are pure: the per-SME caps need what the SME already used from the
offer's fund in its period, which the caller reads (under the fund's lock) and
passes in :class:`Facts`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.fields import StrictBoolean
from shared.indonesia import PROVINCES

PROVINCE_CODES = tuple(bps for bps, _iso, _name in PROVINCES)
MODULE_CODES = ("M1", "M2", "M3", "M4", "M5")
SIZE_CLASSES = ("micro", "small", "medium", "large")
MAX_IDR = 10**12  # a trillion rupiah: beyond any SCORE budget, inside BIGINT


@dataclasses.dataclass(frozen=True)
class Reason:
    """Why an offer does not apply: a stable code and words for people."""

    code: str
    detail: str


@dataclasses.dataclass(frozen=True)
class Team:
    """The team being enrolled: how many, and its mix."""

    participants: int
    managers: int
    workers: int
    women: int
    men: int


@dataclasses.dataclass(frozen=True)
class Facts:
    """Everything the rules test: the SME, the session, the team, the day, the usage."""

    sme_id: str
    sme_province: str
    sme_kbli: str
    sme_size_class: str
    session_province: str
    module_code: str
    provider_id: str
    ilo_supervised: bool
    price_per_participant: int
    team: Team
    today: dt.date
    # What this SME already holds or used from the offer's fund in the fund's period.
    sme_seats_used: int = 0
    sme_amount_used: int = 0


def _codes(choices: tuple[str, ...], description: str) -> fields.List:
    return fields.List(fields.String(validate=validate.OneOf(choices)),
                       validate=validate.Length(min=1, max=len(choices)),
                       metadata={"description": description})


def _ids(description: str) -> fields.List:
    return fields.List(fields.String(validate=validate.Length(1, 36)),
                       validate=validate.Length(min=1, max=1000),
                       metadata={"description": description})


class SmeCap(Schema):
    """The most one SME may get from the offer's fund in the fund's validity period."""

    seats = fields.Integer(strict=True, validate=validate.Range(1, 10_000),
                           metadata={"description": "participants covered"})
    amount = fields.Integer(strict=True, validate=validate.Range(1, MAX_IDR),
                            metadata={"description": "rupiah paid"})

    @validates_schema
    def _one(self, data: dict, **_: Any) -> None:
        if len(data) != 1:
            raise ValidationError("give exactly one of seats or amount", "_schema")


class OfferRules(Schema):
    """The rules of an offer (all optional; an absent rule does not restrict)."""

    sme_provinces = _codes(PROVINCE_CODES, "the SME is in one of these provinces (BPS codes)")
    session_provinces = _codes(PROVINCE_CODES,
                               "the session takes place in one of these provinces")
    kbli_prefixes = fields.List(
        fields.String(validate=validate.Regexp(r"^[0-9]{1,5}$")),
        validate=validate.Length(min=1, max=100),
        metadata={"description": "the SME's KBLI code starts with one of these"})
    size_classes = _codes(SIZE_CLASSES, "the SME's size class (BPS bands)")
    modules = _codes(MODULE_CODES, "the session teaches one of these SCORE modules")
    providers = _ids("the session's provider is one of these")
    smes = _ids("only these SMEs (e.g. a lead buyer's suppliers)")
    ilo_supervised_only = StrictBoolean(
        metadata={"description": "only sessions the ILO supervises"})
    share_percent = fields.Integer(
        strict=True, validate=validate.Range(1, 100),
        metadata={"description": "percent of the price paid per participant (default 100)"})
    cap_per_participant = fields.Integer(
        strict=True, validate=validate.Range(1, MAX_IDR),
        metadata={"description": "at most this many rupiah per participant"})
    sme_cap = fields.Nested(SmeCap)
    min_women_percent = fields.Integer(
        strict=True, validate=validate.Range(1, 100),
        metadata={"description": "women are at least this percent of the team"})
    min_managers = fields.Integer(strict=True, validate=validate.Range(1, 100))
    min_workers = fields.Integer(strict=True, validate=validate.Range(1, 100))
    valid_from = fields.Date(metadata={"description": "quotes from this day (Jakarta)"})
    valid_until = fields.Date(metadata={"description": "quotes until this day (Jakarta)"})

    @validates_schema
    def _window(self, data: dict, **_: Any) -> None:
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and start > end:
            raise ValidationError("must not be before valid_from", "valid_until")


RULES_SCHEMA = OfferRules()


def load_rules(raw: dict[str, Any]) -> dict[str, Any]:
    """Validated rules (``ValidationError`` names the bad keys)."""
    return RULES_SCHEMA.load(raw)


def dump_rules(rules: dict[str, Any]) -> dict[str, Any]:
    """Rules as JSON data (dates as ISO strings) for storage and events."""
    return RULES_SCHEMA.dump(rules)


def _membership(rules, key, value, code, what) -> Reason | None:
    allowed = rules.get(key)
    if allowed is not None and value not in allowed:
        return Reason(code, f"{what} {value} is not among {', '.join(allowed)}")
    return None


def refusals(rules: dict[str, Any], facts: Facts) -> list[Reason]:
    """Every rule of ``rules`` (loaded) that ``facts`` fail, in a stable order."""
    found: list[Reason | None] = [
        _window(rules, facts.today),
        _membership(rules, "sme_provinces", facts.sme_province,
                    "REASON_SME_PROVINCE_NOT_COVERED", "the SME's province"),
        _membership(rules, "session_provinces", facts.session_province,
                    "REASON_SESSION_PROVINCE_NOT_COVERED", "the session's province"),
        _kbli(rules, facts.sme_kbli),
        _membership(rules, "size_classes", facts.sme_size_class,
                    "REASON_SIZE_CLASS_NOT_COVERED", "size class"),
        _membership(rules, "modules", facts.module_code,
                    "REASON_MODULE_NOT_COVERED", "module"),
        _membership(rules, "providers", facts.provider_id,
                    "REASON_PROVIDER_NOT_COVERED", "provider"),
        _listed(rules, facts.sme_id),
        _supervised(rules, facts.ilo_supervised),
        _women(rules, facts.team),
        _minimum(rules, "min_managers", facts.team.managers, "REASON_TOO_FEW_MANAGERS",
                 "managers"),
        _minimum(rules, "min_workers", facts.team.workers, "REASON_TOO_FEW_WORKERS",
                 "workers"),
        _cap_left(rules, facts),
        _priced(facts),
    ]
    return [reason for reason in found if reason is not None]


def _window(rules, today: dt.date) -> Reason | None:
    if rules.get("valid_from") and today < rules["valid_from"]:
        return Reason("REASON_OFFER_NOT_YET_VALID",
                      f"the offer applies from {rules['valid_from'].isoformat()}")
    if rules.get("valid_until") and today > rules["valid_until"]:
        return Reason("REASON_OFFER_EXPIRED",
                      f"the offer ended on {rules['valid_until'].isoformat()}")
    return None


def _kbli(rules, kbli: str) -> Reason | None:
    prefixes = rules.get("kbli_prefixes")
    if prefixes is not None and not any(kbli.startswith(p) for p in prefixes):
        return Reason("REASON_KBLI_NOT_COVERED",
                      f"KBLI {kbli} starts with none of {', '.join(prefixes)}")
    return None


def _listed(rules, sme_id: str) -> Reason | None:
    if rules.get("smes") is not None and sme_id not in rules["smes"]:
        return Reason("REASON_SME_NOT_LISTED", "the offer is for a list of SMEs only")
    return None


def _supervised(rules, supervised: bool) -> Reason | None:
    if rules.get("ilo_supervised_only") and not supervised:
        return Reason("REASON_NOT_ILO_SUPERVISED", "only for sessions the ILO supervises")
    return None


def _women(rules, team: Team) -> Reason | None:
    minimum = rules.get("min_women_percent")
    # Integer arithmetic: 1 woman in 3 is 33.3 %, below a 34 % minimum, above 33 %.
    if minimum is not None and team.women * 100 < minimum * team.participants:
        share = team.women * 100 // max(team.participants, 1)
        return Reason("REASON_WOMEN_SHARE_BELOW_MIN",
                      f"women are {share}% of the team; the offer asks at least {minimum}%")
    return None


def _minimum(rules, key, value, code, what) -> Reason | None:
    minimum = rules.get(key)
    if minimum is not None and value < minimum:
        return Reason(code, f"the team has {value} {what}; the offer asks at least {minimum}")
    return None


def _cap_left(rules, facts: Facts) -> Reason | None:
    cap = rules.get("sme_cap")
    if cap is None:
        return None
    if "seats" in cap and facts.sme_seats_used >= cap["seats"]:
        return Reason("REASON_SME_CAP_REACHED",
                      f"the SME already has {facts.sme_seats_used} of {cap['seats']} seats")
    if "amount" in cap and facts.sme_amount_used >= cap["amount"]:
        return Reason("REASON_SME_CAP_REACHED",
                      f"the SME already has IDR {facts.sme_amount_used} of {cap['amount']}")
    return None


def _priced(facts: Facts) -> Reason | None:
    if facts.price_per_participant <= 0:
        return Reason("REASON_FREE_SESSION", "the session is free: there is nothing to fund")
    return None


def share_per_participant(rules: dict[str, Any], price_per_participant: int) -> int:
    """Rupiah the offer pays per participant: its percent of the price, capped (floor)."""
    share = price_per_participant * rules.get("share_percent", 100) // 100
    cap = rules.get("cap_per_participant")
    return min(share, cap) if cap is not None else share


def sme_cap_left(rules: dict[str, Any], facts: Facts) -> tuple[int | None, int | None]:
    """(participants, rupiah) the SME may still get from the offer; None: no cap."""
    cap = rules.get("sme_cap") or {}
    seats = cap["seats"] - facts.sme_seats_used if "seats" in cap else None
    amount = cap["amount"] - facts.sme_amount_used if "amount" in cap else None
    return seats, amount
