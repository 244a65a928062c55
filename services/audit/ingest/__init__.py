"""Ingest: records from the bus become log entries, each event once, in the audit's order."""

from services.audit.ingest.append import Appended, append

__all__ = ["Appended", "append"]
