"""A trainer's status in one SCORE module, as data (see :mod:`shared.lifecycle`).

The table says what may *ever* happen; whether it may happen *now* is the rule
engine's word (:func:`services.certification.rules.evaluate`). Two moves exist only
because the rules are configuration: ``start_supervised_delivery`` from ``candidate``
(a module whose rules do not require Training of Trainers) and ``certify`` from
``in_supervised_delivery`` (a module whose rules do not require an expert's
recommendation). The use cases allow them only when the assessment says
``eligible_for_certification`` (certify) or at least ``tot_completed`` (delivery).

Revocation has a state of its own, ``revoked``, rather than ending in ``withdrawn``:
withdrawal is a neutral exit (the trainer leaves, from any non-terminal state, a
candidate as well as a certified trainer), revocation is a sanction on a
certification that was granted. Verifiers, auditors and the credential's status
list must tell the two apart, and a revoked trainer must not drift back through
``recertify``. Both are terminal: a trainer who returns starts a new record.
"""

from __future__ import annotations

from shared.lifecycle import Lifecycle

MODULE_STATUS = Lifecycle("module status", "candidate", {
    # Registered for the module; no Training of Trainers (ToT) yet.
    "candidate": {"complete_tot": "tot_completed",
                  "start_supervised_delivery": "in_supervised_delivery",
                  "withdraw": "withdrawn"},
    # Attended the module's ToT; has not delivered under supervision yet.
    "tot_completed": {"start_supervised_delivery": "in_supervised_delivery",
                      "withdraw": "withdrawn"},
    # Delivering under supervision: sessions as lead or co-trainer, consultancy visits,
    # progress reports to an expert trainer. An expert's decline (with a reason) is
    # recorded and leaves the trainer here.
    "in_supervised_delivery": {"recommend": "recommended",
                               "decline": "in_supervised_delivery",
                               "certify": "certified",
                               "withdraw": "withdrawn"},
    # An expert trainer recommended certification; a certifier (platform admin or an
    # ILO-designated certifier) certifies, or declines with a reason: back to delivery.
    "recommended": {"certify": "certified",
                    "decline": "in_supervised_delivery",
                    "withdraw": "withdrawn"},
    # A certified SCORE trainer for the module until the end of the validity period;
    # ``recertify`` inside the recertification window renews it early.
    "certified": {"suspend": "suspended",
                  "expire": "expired",
                  "recertify": "certified",
                  "revoke": "revoked",
                  "withdraw": "withdrawn"},
    # Certification paused with a reason (complaint, audit). The validity clock is not
    # checked while suspended: once reinstated, a past validity expires it at once.
    "suspended": {"reinstate": "certified",
                  "revoke": "revoked",
                  "withdraw": "withdrawn"},
    # The validity period ended without recertification; a certifier may recertify.
    # Revocable: misconduct found later must close the way back.
    "expired": {"recertify": "certified",
                "revoke": "revoked",
                "withdraw": "withdrawn"},
    # Terminal: ``withdrawn`` (left the programme) and ``revoked`` (certification taken
    # away with a reason) have no actions; the table names them as targets only.
})

TERMINAL = frozenset({"withdrawn", "revoked"})
