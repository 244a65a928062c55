"""Audit's tables: the log's entries and what is derived from them.

The entries are the record; everything else (the Merkle tree's tiles, signed
tree heads, projections) can be rebuilt from them and is checked against them.
"""

from services.audit.models.base import Base
from services.audit.models.checkpoints import IndicatorCheckpoint
from services.audit.models.entries import Counter, Entry, Reject
from services.audit.models.log import Tile, TreeHead
from services.audit.models.reconciliation import Difference, ReconciliationRun

__all__ = ["Base", "Counter", "Difference", "Entry", "IndicatorCheckpoint", "ReconciliationRun",
           "Reject", "Tile", "TreeHead"]
