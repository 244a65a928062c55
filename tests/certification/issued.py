"""Helpers for tests of issued credentials: a certified trainer, the outbox, the published
list decoded as a verifier would."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import uuid

from sqlalchemy import select

from services.certification.models import ModuleStatus, Trainer
from services.certification.service import issuing
from shared import clock
from shared.events.tables import outbox


def certified_trainer(db, *, module_code: str = "M1", name: str = "Siti Rahma",
                      valid_days: int = 730):
    """A trainer certified for ``module_code`` and the credential issued for it."""
    trainer_id = str(uuid.uuid4())
    with db.transaction() as session:
        trainer = Trainer(id=trainer_id, full_name=name, gender="female", province_code="32",
                          organisation="PT Mitra", modules_of_interest=[module_code],
                          expert_modules=[])
        status = ModuleStatus(trainer_id=trainer_id, module_code=module_code,
                              status="certified", changed_by="admin", changed_at=clock.now(),
                              certified_on=clock.today(),
                              valid_until=clock.today() + dt.timedelta(days=valid_days))
        trainer.modules.append(status)
        session.add(trainer)
        session.flush()
        credential = issuing.on_certified(session, trainer, status, actor="admin")
        session.flush()
        return trainer_id, credential.id, credential.token


def revoke_module(db, trainer_id: str, module_code: str = "M1", reason: str = "misconduct"):
    """The trainer side's revocation hook, as its use case calls it."""
    with db.transaction() as session:
        trainer = session.get(Trainer, trainer_id)
        status = session.get(ModuleStatus, (trainer_id, module_code))
        return [c.id for c in issuing.on_revoked(session, trainer, status, actor="admin",
                                                 reason=reason)]


def outbox_types(db) -> list[str]:
    """Published event types, oldest first, without the ``score.certification.`` prefix."""
    with db.reading() as session:
        payloads = session.scalars(select(outbox.c.payload).order_by(outbox.c.id)).all()
    return [json.loads(raw)["type"].removeprefix("score.certification.").removesuffix(".v1")
            for raw in payloads]


def claims(token: str) -> dict:
    """A JWT's payload, undecoded trust (tests check signatures separately)."""
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def set_bits(list_jwt: str) -> list[int]:
    """The indexes set in a published list JWT's ``encodedList`` (decoded by hand: MSB
    first, gzip, base64url with a ``u`` prefix)."""
    encoded = claims(list_jwt)["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    body = encoded[1:]
    raw = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return [i * 8 + b for i, byte in enumerate(raw) for b in range(8) if byte & (0x80 >> b)]
