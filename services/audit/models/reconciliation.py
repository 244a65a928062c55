"""Reconciliation runs and the differences each found between the log and the services.

A run compares what the log says about each entity (its projection) with what
the service that owns the entity answers over its API. Every difference is
kept, named by service, endpoint, entity and field, with the last logged event
about that entity – the lead an auditor follows. Rows are written once, when
the run completes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.audit.models.base import Base
from shared.db import UtcDateTime


class ReconciliationRun(Base):
    """One comparison of the log's projections with every service's own state."""

    __tablename__ = "reconciliation_runs"
    __table_args__ = (Index("ix_reconciliation_runs_created_at_id", "created_at", "id"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # "schedule" (the periodic job or its one-off CLI round) or "admin" (POST).
    trigger: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[str | None] = mapped_column(String(64))
    # When the run started (the log was read first, then the services).
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    # The log as compared: entries 0..log_size-1.
    log_size: Mapped[int] = mapped_column(BigInteger)
    entities: Mapped[int] = mapped_column(Integer)
    differences: Mapped[int] = mapped_column(Integer)
    # Services that could not be read, {service: reason}: their entities were not compared.
    unread: Mapped[dict[str, str]] = mapped_column(JSON)


class Difference(Base):
    """One field of one entity on which the log and its service disagree."""

    __tablename__ = "reconciliation_differences"
    __table_args__ = (Index("ix_reconciliation_differences_run_id_id", "run_id", "id"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("reconciliation_runs.id"))
    service: Mapped[str] = mapped_column(String(32))
    endpoint: Mapped[str] = mapped_column(String(200))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(64))
    # The values as text (null: the side has no such entity or no such value).
    log_value: Mapped[str | None] = mapped_column(String(200))
    service_value: Mapped[str | None] = mapped_column(String(200))
    # The last logged event about the entity (null: the log has none).
    last_seq: Mapped[int | None] = mapped_column(BigInteger)
    last_event_id: Mapped[str | None] = mapped_column(String(200))
