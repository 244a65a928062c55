"""What is reconciled: each entity kind, how the log projects it, how its service states it.

A kind names the owning service, the list endpoint it is read from (with the
``service`` role), the events that project it and the metrics compared – only
metrics both sides state exactly. Entities that have no event yet (a draft
offer, course or session) are not asked for: the log cannot know them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from services.audit.reconciliation.projection import FundLedgers, Projector, Snapshots

FUND_METRICS = ("status", "deposited", "adjusted", "reserved", "committed")


class Reader(Protocol):
    """One service's API as the reconciler reads it (:mod:`.client`)."""

    def items(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict]:
        """Every item of a list endpoint, through all its pages."""
        ...


@dataclasses.dataclass(frozen=True)
class Kind:
    """An entity kind: its service, endpoint, projector, reader and compared metrics."""

    service: str
    entity: str
    endpoint: str
    metrics: tuple[str, ...]
    projector: Callable[[], Projector]
    # The service's entities, {id: {metric: value}}, read through its API.
    observe: Callable[[Reader, dict[str, dict]], dict[str, dict[str, Any]]]


def _prefix(prefix: str) -> Callable[[str], bool]:
    return lambda event_type: event_type.startswith(prefix)


def _by_status(path: str, statuses: tuple[str, ...], metrics: tuple[str, ...]):
    """A list endpoint filtered by ``status``, read once per status the log can know."""
    def observe(reader: Reader, _seen: dict[str, dict]) -> dict[str, dict[str, Any]]:
        found = {}
        for status in statuses:
            for item in reader.items(path, {"status": status}):
                found[item["id"]] = {name: item.get(name) for name in metrics}
        return found
    return observe


def _enrolments(reader: Reader, _seen: dict[str, dict]) -> dict[str, dict[str, Any]]:
    # Starting a payment publishes no event (awaiting_payment); a failed payment
    # returns the enrolment to held with payment.failed. The log states "held".
    return {item["id"]: {"status": "held" if item["status"] == "awaiting_payment"
                         else item["status"]}
            for item in reader.items("/enrolments")}


def _funds(reader: Reader, seen: dict[str, dict]) -> dict[str, dict[str, Any]]:
    # Funds are listed per sponsor: every sponsor sponsorship has, whatever its status.
    found = {}
    for sponsor_id in seen.get("sponsor", {}):
        for item in reader.items(f"/sponsors/{sponsor_id}/funds"):
            balance = item.get("balance") or {}
            found[item["id"]] = {"status": item.get("status"),
                                 **{name: balance.get(name) for name in FUND_METRICS[1:]}}
    return found


def _module_statuses(reader: Reader, _seen: dict[str, dict]) -> dict[str, dict[str, Any]]:
    return {f"{trainer['id']}/{module['module_code']}": {"status": module["status"]}
            for trainer in reader.items("/trainers")
            for module in trainer.get("modules") or ()}


def _key(*names: str) -> Callable[[dict], str]:
    return lambda data: "/".join(str(data[name]) for name in names)


STATUS = ("status",)
KINDS: tuple[Kind, ...] = (
    Kind("catalog", "provider", "/providers", STATUS,
         lambda: Snapshots(_prefix("score.catalog.provider."), _key("provider_id"), STATUS),
         _by_status("/providers", ("pending", "approved", "suspended"), STATUS)),
    Kind("enrolment", "enrolment", "/enrolments", STATUS,
         lambda: Snapshots(_prefix("score.enrolment.enrolment."), _key("enrolment_id"),
                           STATUS),
         _enrolments),
    Kind("sponsorship", "sponsor", "/sponsors", STATUS,
         lambda: Snapshots(_prefix("score.sponsorship.sponsor."), _key("sponsor_id"), STATUS),
         _by_status("/sponsors", ("pending", "approved", "suspended"), STATUS)),
    # Draft offers publish nothing: only published and withdrawn ones are the log's.
    Kind("sponsorship", "offer", "/offers", STATUS,
         lambda: Snapshots(_prefix("score.sponsorship.offer."), _key("offer_id"), STATUS),
         _by_status("/offers", ("published", "withdrawn"), STATUS)),
    Kind("sponsorship", "fund", "/sponsors/{sponsor_id}/funds", FUND_METRICS,
         FundLedgers, _funds),
    Kind("certification", "module_status", "/trainers", STATUS,
         lambda: Snapshots(_prefix("score.certification.module_status.changed."),
                           _key("trainer_id", "module_code"), STATUS),
         _module_statuses),
)
SERVICES = tuple(dict.fromkeys(kind.service for kind in KINDS))
