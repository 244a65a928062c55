"""The demo's sponsors, their funds and their offers (data for :mod:`.seed`).

Four sponsors of four kinds, whose offers together use every rule of
:class:`~services.sponsorship.rules.OfferRules`:

- **Kemnaker** (the Ministry of Manpower, ``ministry``) pays half the fee, capped,
  for sessions held in Java's industrial provinces, and most of the safety module
  (M5) for manufacturers;
- a **development agency** (``donor``) pays for teams in which women are at least
  half, outside Greater Jakarta, during a campaign window;
- a **footwear and apparel brand** (``lead_buyer``) pays its suppliers' teams in
  full (enrolment's demo textile, batik and garment SMEs);
- **Better Work Indonesia** (``association``) pays seats in sessions the ILO
  supervises, by the providers delivering them.

The Ministry and Better Work are real; the agency and the brand are invented.
Contacts use ``.example`` domains and 555 numbers. Rules naming other services'
ids (SMEs, providers) or dates are built from what the seed knows when it runs
(:class:`Known`); an offer whose ids are not known yet is left for a later start.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

# Provinces (BPS): Java's industrial belt, and where the demo SMEs are outside Greater Jakarta.
JAVA = ["31", "32", "33", "34", "35", "36"]
OUTSIDE_JABODETABEK = ["12", "21", "33", "34", "35", "51", "52"]
# KBLI 2020 manufacturing divisions of the demo's enterprises: food, textiles, apparel,
# leather and footwear, wood, metal products, furniture, other manufacturing (jewellery).
MANUFACTURING = ["10", "13", "14", "15", "16", "25", "31", "32"]
# The lead buyer's suppliers among enrolment's demo SMEs (keys of enrolment's seed_data).
SUPPLIERS = ("tenun", "batik", "garmen")


@dataclasses.dataclass(frozen=True)
class Known:
    """What rules may name: the day, enrolment's demo SMEs, catalog's providers."""

    today: dt.date
    smes: Mapping[str, str]  # enrolment's key → SME id
    supervising_providers: tuple[str, ...]  # providers of ILO-supervised sessions


@dataclasses.dataclass(frozen=True)
class DemoSponsor:
    """A sponsor as its staff registers it (``staff_email``: identity's demo account)."""

    key: str
    staff_email: str
    name: str
    kind: str
    contact_name: str
    contact_phone: str

    def registration(self) -> dict[str, Any]:
        """The body ``POST /sponsors`` would take."""
        return {"name": self.name, "kind": self.kind, "contact_name": self.contact_name,
                "contact_email": self.staff_email, "contact_phone": self.contact_phone}


@dataclasses.dataclass(frozen=True)
class DemoFund:
    """A fund and its deposits (the first is booked with the fund)."""

    sponsor: str
    name: str
    unit: str
    deposits: tuple[tuple[int, str, str], ...]  # amount, reference, reason

    def opening(self, today: dt.date) -> dict[str, Any]:
        """The body ``POST /sponsors/<id>/funds`` would take: valid for about a year."""
        amount, reference, reason = self.deposits[0]
        return {"name": self.name, "unit": self.unit,
                "valid_from": (today - dt.timedelta(days=90)).isoformat(),
                "valid_until": (today + dt.timedelta(days=365)).isoformat(),
                "initial_deposit": {"amount": amount, "reference": reference,
                                    "reason": reason}}


@dataclasses.dataclass(frozen=True)
class DemoOffer:
    """An offer on a fund; ``rules`` builds its rules, or None while they name unknown ids."""

    fund: str
    title: str
    description: str
    stackable: bool
    rules: Callable[[Known], dict[str, Any] | None]

    def body(self, known: Known) -> dict[str, Any] | None:
        """The body ``POST /funds/<id>/offers`` would take (None: not yet)."""
        rules = self.rules(known)
        if rules is None:
            return None
        return {"title": self.title, "description": self.description,
                "stackable": self.stackable, "rules": rules}


SPONSORS = [
    DemoSponsor("kemnaker", "sponsor@kemnaker.example",
                "Kementerian Ketenagakerjaan (Kemnaker)", "ministry", "Kemnaker Sponsor Desk",
                "+62 21 555 0101"),
    DemoSponsor("nordic", "grants@nordic-partnership.example",
                "Nordic Partnership for Decent Work", "donor", "Astrid Lund",
                "+62 21 555 0102"),
    DemoSponsor("garuda", "sourcing@garuda-footwear.example",
                "Garuda Footwear & Apparel Group", "lead_buyer", "Hendra Wijaya",
                "+62 21 555 0103"),
    DemoSponsor("betterwork", "sponsor@betterwork-id.example", "Better Work Indonesia",
                "association", "Better Work Indonesia Desk", "+62 21 555 0104"),
]

FUNDS = [
    DemoFund("kemnaker", "Dana Pelatihan SCORE Kemnaker", "IDR", (
        (1_500_000_000, "DIPA-KEMNAKER-SCORE-01", "DIPA allocation for SCORE training"),
        (500_000_000, "DIPA-KEMNAKER-SCORE-02", "budget revision (APBN-P)"))),
    DemoFund("nordic", "Women at Work Fund", "IDR", (
        (750_000_000, "NPDW-GRANT-ID-01", "first tranche of the grant"),)),
    DemoFund("garuda", "Garuda Supplier Development Programme", "IDR", (
        (400_000_000, "GARUDA-PO-SCORE-01", "supplier programme budget"),)),
    DemoFund("betterwork", "Better Work SCORE Seats", "seats", (
        (40, "BWI-SEATS-01", "seats for factories in the Better Work programme"),)),
]


def _kemnaker_java(_: Known) -> dict[str, Any]:
    return {"session_provinces": JAVA, "size_classes": ["micro", "small", "medium"],
            "share_percent": 50, "cap_per_participant": 1_250_000,
            "sme_cap": {"amount": 10_000_000}}


def _kemnaker_safety(_: Known) -> dict[str, Any]:
    return {"modules": ["M5"], "kbli_prefixes": MANUFACTURING, "min_workers": 2,
            "share_percent": 80, "sme_cap": {"seats": 4}}


def _women_led(known: Known) -> dict[str, Any]:
    return {"min_women_percent": 50, "min_managers": 1, "sme_provinces": OUTSIDE_JABODETABEK,
            "share_percent": 30,
            "valid_from": (known.today - dt.timedelta(days=30)).isoformat(),
            "valid_until": (known.today + dt.timedelta(days=240)).isoformat()}


def _suppliers(known: Known) -> dict[str, Any] | None:
    smes = [known.smes[key] for key in SUPPLIERS if key in known.smes]
    if not smes:
        return None  # an offer for "only these SMEs" with none listed would mean nothing
    return {"smes": smes, "min_managers": 1, "share_percent": 100,
            "cap_per_participant": 2_500_000}


def _supervised(known: Known) -> dict[str, Any] | None:
    if not known.supervising_providers:
        return None
    return {"ilo_supervised_only": True, "providers": list(known.supervising_providers)}


OFFERS = [
    DemoOffer("Dana Pelatihan SCORE Kemnaker", "Kemnaker: half the fee in Java's industrial "
              "provinces", "Kemnaker pays 50% of the fee (at most IDR 1.25 million per "
              "participant, IDR 10 million per enterprise) for sessions held in Java.",
              True, _kemnaker_java),
    DemoOffer("Dana Pelatihan SCORE Kemnaker", "Kemnaker: safety and health (M5) for "
              "manufacturers", "80% of module M5 for manufacturing enterprises sending at "
              "least two workers; up to four participants per enterprise.",
              False, _kemnaker_safety),
    DemoOffer("Women at Work Fund", "Women-led teams outside Greater Jakarta",
              "30% of the fee for teams at least half women, with a manager, during the "
              "campaign.", True, _women_led),
    DemoOffer("Garuda Supplier Development Programme", "Garuda suppliers: SCORE paid in full",
              "The full fee (at most IDR 2.5 million per participant) for Garuda's listed "
              "suppliers' teams with a manager.", False, _suppliers),
    DemoOffer("Better Work SCORE Seats", "Better Work: seats in ILO-supervised sessions",
              "Free seats in sessions the ILO supervises, by Better Work's partner providers.",
              False, _supervised),
]
