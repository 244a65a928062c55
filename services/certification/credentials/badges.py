"""Open Badges 3.0 ``OpenBadgeCredential`` JSON for the two kinds of certificate we issue.

Shapes follow the published OB 3.0 JSON schema (VC Data Model 2.0 revision, committed as
``tests/certification/fixtures/ob_v3p0_achievementcredential.schema.json``): ``@context`` is
exactly ``[credentials/v2, ob/v3p0/context-3.0.3.json]`` in that order, ``type`` contains
``VerifiableCredential`` and ``OpenBadgeCredential``, and the validity window is VC 2.0's
``validFrom`` / ``validUntil`` – that schema *requires* ``validFrom`` and no longer knows
VC 1.1's ``issuanceDate``, so the issue's ``validFrom`` and the official schema agree and no
1.1 field is added.

``credentialStatus`` is a W3C ``BitstringStatusListEntry`` (its terms are in the VC 2.0
context). The OB schema's ``CredentialStatus`` requires an ``id`` that the W3C entry makes
optional, so the entry's ``id`` is ``<list URL>#<index>`` – the form of the W3C examples,
and not the list's own URL, which the W3C spec forbids.

The recipient is named the OB 3.0 way, an ``IdentityObject`` of ``identityType`` "name"
(unhashed), beside the subject ``id`` that the JWT's ``sub`` carries.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

from services.certification.credentials.keys import Issuer

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
STATUS_ENTRY_TYPE = "BitstringStatusListEntry"


def urn_uuid(value: uuid.UUID | str | None = None) -> str:
    """``urn:uuid:<uuid>`` for ``value`` (a fresh random one by default)."""
    return f"urn:uuid:{uuid.UUID(str(value)) if value is not None else uuid.uuid4()}"


def xsd_datetime(moment: dt.datetime) -> str:
    """A VC ``dateTimeStamp``: UTC, whole seconds, ``Z`` (naive datetimes are refused: a
    credential's validity must not depend on the server's time zone)."""
    if moment.tzinfo is None:
        raise ValueError("credential times must be timezone-aware")
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclasses.dataclass(frozen=True)
class StatusEntry:
    """Where a credential's status bit lives: ``index`` in the list credential at
    ``list_url``."""

    list_url: str
    index: int
    purpose: str = "revocation"

    def to_json(self) -> dict:
        """The ``BitstringStatusListEntry`` (``statusListIndex`` is a base-10 string)."""
        if self.index < 0:
            raise ValueError("statusListIndex must be >= 0")
        return {"id": f"{self.list_url}#{self.index}", "type": STATUS_ENTRY_TYPE,
                "statusPurpose": self.purpose, "statusListIndex": str(self.index),
                "statusListCredential": self.list_url}


@dataclasses.dataclass(frozen=True)
class Recipient:
    """The person the credential is about. ``id`` must be a URI (``urn:uuid:`` of the account
    by default, see ``for_account``)."""

    id: str
    name: str

    @classmethod
    def for_account(cls, account_id: uuid.UUID | str, name: str) -> Recipient:
        """The recipient identified by a marketplace account id."""
        return cls(urn_uuid(account_id), name)


@dataclasses.dataclass(frozen=True)
class Module:
    """A SCORE training module (``code`` as catalog names it, e.g. ``"M1"``)."""

    code: str
    name: str
    description: str = ""


@dataclasses.dataclass(frozen=True)
class Provider:
    """The training provider that delivered a session."""

    id: str
    name: str


def profile(id_: str, name: str, url: str | None = None) -> dict:
    """An OB 3.0 ``Profile``."""
    document: dict = {"id": id_, "type": ["Profile"], "name": name}
    if url:
        document["url"] = url
    return document


def trainer_certificate(issuer: Issuer, trainer: Recipient, module: Module,
                        status: StatusEntry, *, valid_from: dt.datetime,
                        valid_until: dt.datetime | None = None,
                        criteria: str | None = None, credential_id: str | None = None) -> dict:
    """A SCORE trainer certified to deliver one module."""
    narrative = criteria or (
        f"Met the SCORE Marketplace trainer certification requirements for module "
        f"{module.code} ({module.name}).")
    achievement = {
        "id": f"{issuer.base_url.rstrip('/')}/achievements/trainer/{module.code}",
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": f"SCORE Trainer – {module.name}",
        "description": module.description or (
            f"Certified SCORE trainer for module {module.code}: {module.name}."),
        "criteria": {"narrative": narrative},
        "humanCode": module.code,
        "creator": profile(issuer.did, issuer.name, issuer.base_url),
    }
    return _credential(issuer, trainer, achievement, status, valid_from, valid_until,
                       name=f"SCORE Trainer – {module.name}", credential_id=credential_id)


def participation_certificate(issuer: Issuer, participant: Recipient, module: Module,
                              provider: Provider, status: StatusEntry, *,
                              session_start: dt.datetime, session_end: dt.datetime,
                              valid_from: dt.datetime, valid_until: dt.datetime | None = None,
                              criteria: str | None = None,
                              credential_id: str | None = None) -> dict:
    """An SME participant's certificate for one completed session of a module.

    The provider is the subject's ``source`` ("the organization that assessed the achievement
    on behalf of the issuer"); the session dates are ``activityStartDate`` / ``activityEndDate``
    and are repeated in the human-readable description.
    """
    start, end = xsd_datetime(session_start), xsd_datetime(session_end)
    if session_end < session_start:
        raise ValueError("the session ends before it starts")
    achievement = {
        "id": f"{issuer.base_url.rstrip('/')}/achievements/participation/{module.code}",
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": f"Participation in SCORE module {module.code}: {module.name}",
        "description": (f"Participated in SCORE module {module.code} ({module.name}) "
                        f"delivered by {provider.name} from {session_start.date().isoformat()} "
                        f"to {session_end.date().isoformat()}."),
        "criteria": {"narrative": criteria or (
            f"Took part in a completed SCORE training session of module {module.code}.")},
        "humanCode": module.code,
        "creator": profile(issuer.did, issuer.name, issuer.base_url),
    }
    subject_extra = {"activityStartDate": start, "activityEndDate": end,
                     "source": profile(provider.id, provider.name)}
    return _credential(issuer, participant, achievement, status, valid_from, valid_until,
                       name=f"SCORE participation – {module.name}",
                       credential_id=credential_id, subject_extra=subject_extra)


def _credential(issuer: Issuer, recipient: Recipient, achievement: dict, status: StatusEntry,
                valid_from: dt.datetime, valid_until: dt.datetime | None, *, name: str,
                credential_id: str | None, subject_extra: dict | None = None) -> dict:
    if valid_until is not None and valid_until <= valid_from:
        raise ValueError("validUntil must be after validFrom")
    subject = {
        "id": recipient.id,
        "type": ["AchievementSubject"],
        "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                        "identityHash": recipient.name}],
        "achievement": achievement,
        **(subject_extra or {}),
    }
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id or urn_uuid(),
        "type": list(CREDENTIAL_TYPES),
        "name": name,
        "issuer": profile(issuer.did, issuer.name, issuer.base_url),
        "validFrom": xsd_datetime(valid_from),
        "credentialSubject": subject,
        "credentialStatus": status.to_json(),
    }
    if valid_until is not None:
        credential["validUntil"] = xsd_datetime(valid_until)
    return credential
