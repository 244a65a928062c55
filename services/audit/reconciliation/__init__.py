"""Reconciliation: does every service's own state match what the log says happened?

    kinds.py       what is compared: entity kinds, their events, endpoints and metrics
    projection.py  the log's projections: each entity's latest state, from its events
    compare.py     the comparison rules: every difference, by entity and field
    client.py      the services' APIs over HTTP: a service token, timeouts, every page
    settings.py    SCORE_AUDIT_<SERVICE>_URL, CLIENT_ID/SECRET, RECONCILE_INTERVAL_S
    run.py         the use case: project, read, compare, store, publish

:class:`Reconciler` holds a process's settings and HTTP session; the app keeps
one (``app.extensions["audit_reconciler"]``), the job builds its own, tests
inject one whose session serves the services' apps in-process.
"""

from __future__ import annotations

import datetime as dt

import requests

from services.audit.reconciliation.client import ClientCredentials, ReadFailed, ServiceReader
from services.audit.reconciliation.kinds import SERVICES
from services.audit.reconciliation.run import SCHEDULE, Sources, reconcile
from services.audit.reconciliation.settings import (
    TOKEN_ISSUER,
    ReconcileSettings,
    load_reconcile_settings,
)
from shared import clock
from shared.config import Settings
from shared.jobs import Job, JobContext, PeriodicJob

__all__ = ["JOB", "SERVICES", "Reconciler", "build"]

# How often the job looks whether a scheduled run is due (and beats its heartbeat).
LOOK_EVERY_S = 30.0


class Reconciler:
    """Opens the services' readers for a run: one token, one reader per configured service."""

    def __init__(self, config: ReconcileSettings, http: requests.Session | None = None) -> None:
        self.config = config
        self.http = http or requests.Session()

    def sources(self) -> Sources:
        """Readers for every service with a URL; the others, and all without a token, unread."""
        unread = {name: "not_configured" for name in SERVICES if name not in self.config.urls}
        identity = self.config.urls.get(TOKEN_ISSUER)
        if identity is None:
            return Sources({}, {name: "no_token" for name in SERVICES})
        try:
            authorization = ClientCredentials(self.http, identity, self.config.client_id,
                                              self.config.client_secret,
                                              self.config.timeout_s).authorization()
        except ReadFailed:
            return Sources({}, {name: "no_token" for name in SERVICES})
        readers = {name: ServiceReader(self.http, self.config.urls[name], authorization,
                                       self.config.timeout_s)
                   for name in SERVICES if name not in unread}
        return Sources(readers, unread)


def build(settings: Settings) -> Reconciler:
    """The reconciler of a process with ``settings`` (:class:`ConfigError` when unusable)."""
    return Reconciler(load_reconcile_settings(settings, SERVICES))


def _scheduled_run(context: JobContext) -> PeriodicJob:
    reconciler = build(context.settings)
    interval = dt.timedelta(seconds=reconciler.config.interval_s)
    due = [clock.now()]  # a new process (and `score job audit reconcile --once`) runs at once

    def tick() -> int:
        # The loop looks every LOOK_EVERY_S (its heartbeat stays fresh for the liveness
        # probe) and runs when an interval has passed since this process's last run.
        if clock.now() < due[0]:
            return 0
        reconcile(context.db, reconciler.sources, SCHEDULE)
        due[0] = clock.now() + interval
        return 1

    return PeriodicJob(context.db, "audit", "reconcile", tick,
                       interval_s=min(LOOK_EVERY_S, reconciler.config.interval_s),
                       heartbeat=context.heartbeat)


JOB = Job("reconcile", _scheduled_run,
          "compares the log's projections with every service's state "
          "(SCORE_AUDIT_RECONCILE_INTERVAL_S, default hourly)")
