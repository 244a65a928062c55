"""Audit's background jobs (``ServiceRuntime.jobs``): ``score job audit <name>``.

- ``ingest``: every ``score.*`` topic's records appended to the log;
- ``tree``: new entries hashed into the Merkle tree's tiles, heads signed;
- ``indicator-checkpoints``: the Phase III projection's state stored every N entries;
- ``reconcile``: the log's projections compared with each service's own state.
"""

from __future__ import annotations

from services.audit.indicators.checkpoints import CHECKPOINT_JOB
from services.audit.ingest.job import INGEST_JOB
from services.audit.log.job import TREE_JOB
from services.audit.reconciliation import JOB as RECONCILE_JOB

JOBS = (INGEST_JOB, TREE_JOB, CHECKPOINT_JOB, RECONCILE_JOB)
