"""Issued credentials and the status lists that say whether each is revoked.

A credential's signed JWT is kept as issued (it is what holders present); its
revocation lives in a Bitstring Status List at ``(status_list_id, status_index)``,
a random free index handed out once and never reused (``next_index`` counts the
indexes used; see :mod:`services.certification.service.credentials`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.certification.models.base import Base, new_id, utcnow
from shared.db import UtcDateTime

CREDENTIAL_KINDS = ("trainer", "participation")


class StatusList(Base):
    """A published Bitstring Status List (revocation) and the next free index in it."""

    __tablename__ = "status_lists"
    __table_args__ = (CheckConstraint("next_index >= 0 AND next_index <= size", name="index"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    purpose: Mapped[str] = mapped_column(String(20), default="revocation")
    size: Mapped[int] = mapped_column(Integer)
    next_index: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped with each bit flipped (under this row's lock): caches of the decoded list in
    # every process compare it, and the published list's ETag and validFrom derive from it
    # (``revised_at``), so each worker signs the very same bytes for a revision.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    revised_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Credential(Base):
    """An Open Badges 3.0 credential as issued (JWT-VC), and its revocation."""

    __tablename__ = "credentials"
    __table_args__ = (
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in CREDENTIAL_KINDS)})",
                        name="kind"),
        UniqueConstraint("status_list_id", "status_index", name="uq_credentials_status_slot"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(15))
    # A trainer's credential names the trainer; a participation certificate the enrolment
    # and the participant (enrolment's ids: certification keeps no personal register).
    trainer_id: Mapped[str | None] = mapped_column(ForeignKey("trainers.id"), index=True)
    enrolment_id: Mapped[str | None] = mapped_column(String(36), index=True)
    participant_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    # The participant's enterprise (enrolment's id), so that its users can list them.
    sme_id: Mapped[str | None] = mapped_column(String(36), index=True)
    module_code: Mapped[str] = mapped_column(String(4))
    subject_name: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    status_list_id: Mapped[str] = mapped_column(ForeignKey("status_lists.id"))
    status_index: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(Text)
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    revoked_by: Mapped[str | None] = mapped_column(String(64))
