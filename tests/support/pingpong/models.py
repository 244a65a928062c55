"""Pings (tenant-owned rows) and applied pongs."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the test service."""


class Ping(Base):
    """A note owned by one organisation."""

    __tablename__ = "pings"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[str] = mapped_column(String(36), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(String(200))


class Pong(Base):
    """One application of a ping event (duplicates would show as extra rows)."""

    __tablename__ = "pongs"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), index=True)
    key: Mapped[str] = mapped_column(String(40), index=True)
    seq: Mapped[int] = mapped_column(Integer)
