"""Case studies: an SME's before/after KPI report, published only with the SME's consent.

Phase III counts published case studies (DOMAIN.md: 10). Results belong to the
enterprise, so publishing rests on a consent record its own users give – who,
when, and the scope: which KPIs may be shown and whether the enterprise may be
named (otherwise only its sector, province and size class). A consent serves
one case study and can be withdrawn until that study is published; after that
the publication is a fact in the log and cannot be undone here.

Only the SME's own users grant, withdraw and publish (a provider that trained it
may report KPIs for it, but not speak for it); the SME's users, auditors and
admins read. The study freezes the figures as they stood (baseline against the
latest follow-up, per KPI in scope with both) and ``case_study.published``
carries them and the consent to the ILO's audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.enrolment import access, events
from services.enrolment.config import EnrolmentPolicy
from services.enrolment.models import CaseStudy, CaseStudyConsent, Sme
from services.enrolment.service import kpis
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.events import publish
from shared.locks import serialise_on
from shared.persistence import unique_violation

_USED = {"consent_id": ["a case study was published under this consent"]}


def grant_consent(db: Database, principal: Principal, policy: EnrolmentPolicy, sme_id: str,
                  data: dict[str, Any]) -> dict[str, Any]:
    """Record the SME's consent to publish a case study of these KPIs."""
    with db.transaction() as session:
        _own_sme(session, principal, sme_id)
        unknown = [code for code in data["kpis"] if policy.kpi(code) is None]
        if unknown:
            raise ValidationFailed("unknown KPI", errors={"kpis": [
                f"not tracked: {', '.join(unknown)} (GET /kpis lists the codes)"]})
        consent = CaseStudyConsent(sme_id=sme_id, granted_by=principal.subject,
                                   kpis=list(dict.fromkeys(data["kpis"])),
                                   name_published=data["name_published"],
                                   statement=data["statement"])
        session.add(consent)
        session.flush()
        return consent_dict(consent, None)


def withdraw_consent(db: Database, principal: Principal, sme_id: str,
                     consent_id: str) -> dict[str, Any]:
    """Withdraw a consent no case study was published under (409 once one was)."""
    with db.transaction() as session:
        _own_sme(session, principal, sme_id)
        serialise_on(session, f"case-study-consent:{consent_id}")
        consent = _consent(session, sme_id, consent_id)
        if _study_of(session, consent.id) is not None:
            raise Conflict("the case study is published; its consent cannot be withdrawn",
                           errors=_USED)
        if consent.withdrawn_at is None:
            consent.withdrawn_at, consent.withdrawn_by = clock.now(), principal.subject
        return consent_dict(consent, None)


def publish_case_study(db: Database, principal: Principal, policy: EnrolmentPolicy,
                       sme_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Publish the SME's before/after KPI figures under a consent it gave."""
    with db.transaction() as session:
        sme = _own_sme(session, principal, sme_id)
        serialise_on(session, f"case-study-consent:{data['consent_id']}")
        consent = session.get(CaseStudyConsent, data["consent_id"])
        if consent is None or consent.sme_id != sme_id:
            raise ValidationFailed("no such consent", errors={
                "consent_id": ["no consent of this SME has this id"]})
        if consent.withdrawn_at is not None:
            raise Conflict("the consent was withdrawn", errors={
                "consent_id": ["withdrawn: the SME must consent again"]})
        if _study_of(session, consent.id) is not None:
            raise Conflict("a case study was published under this consent", errors=_USED)
        figures = _figures(session, policy, sme_id, consent.kpis)
        if not figures:
            raise ValidationFailed("nothing to publish", errors={"consent_id": [
                "no KPI in the consent's scope has both a baseline and a follow-up"]})
        study = CaseStudy(sme_id=sme_id, consent_id=consent.id, title=data["title"],
                          story=data["story"], kpis=figures, published_by=principal.subject)
        session.add(study)
        with unique_violation("a case study was published under this consent", _USED):
            session.flush()
        publish(session, events.CASE_STUDY_PUBLISHED, study.id,
                events.case_study_payload(study, consent, sme))
        return study_dict(study, consent, sme)


def list_consents(db: Database, principal: Principal, sme_id: str) -> list[dict[str, Any]]:
    """The SME's consents, newest first, each with the study published under it (if any)."""
    with db.reading() as session:
        _readable_sme(session, principal, sme_id)
        consents = session.scalars(select(CaseStudyConsent)
                                   .where(CaseStudyConsent.sme_id == sme_id)
                                   .order_by(CaseStudyConsent.granted_at.desc(),
                                             CaseStudyConsent.id)).all()
        return [consent_dict(c, _study_of(session, c.id)) for c in consents]


def list_case_studies(db: Database, principal: Principal, sme_id: str) -> list[dict[str, Any]]:
    """The SME's published case studies, newest first."""
    with db.reading() as session:
        sme = _readable_sme(session, principal, sme_id)
        rows = session.execute(select(CaseStudy, CaseStudyConsent)
                               .join(CaseStudyConsent, CaseStudy.consent_id == CaseStudyConsent.id)
                               .where(CaseStudy.sme_id == sme_id)
                               .order_by(CaseStudy.published_at.desc(), CaseStudy.id)).all()
        return [study_dict(study, consent, sme) for study, consent in rows]


def _own_sme(session: Session, principal: Principal, sme_id: str) -> Sme:
    access.require_sme(principal, sme_id)
    sme = session.get(Sme, sme_id)
    if sme is None:
        raise NotFound("no such SME")
    return sme


def _readable_sme(session: Session, principal: Principal, sme_id: str) -> Sme:
    sme = session.get(Sme, sme_id)
    if sme is None or not (principal.reads_everything or access.acts_for_sme(principal, sme_id)):
        raise NotFound("no such SME")
    return sme


def _consent(session: Session, sme_id: str, consent_id: str) -> CaseStudyConsent:
    consent = session.get(CaseStudyConsent, consent_id)
    if consent is None or consent.sme_id != sme_id:
        raise NotFound("no such consent")
    return consent


def _study_of(session: Session, consent_id: str) -> CaseStudy | None:
    return session.scalar(select(CaseStudy).where(CaseStudy.consent_id == consent_id))


def _figures(session: Session, policy: EnrolmentPolicy, sme_id: str,
             codes: list[str]) -> list[dict[str, Any]]:
    """Per KPI in scope with both: baseline, latest follow-up, change % and improved."""
    current = [r for r in kpis.with_successors(kpis.reports_of(session, sme_id))
               if r["superseded_by"] is None]
    out = []
    for code in codes:
        kpi = policy.kpi(code)
        if kpi is None:
            continue  # no longer tracked: nothing current to show
        summary = kpis.kpi_summary(kpi, current)
        baseline, latest = summary["baseline"], summary["latest_follow_up"]
        if baseline is None or latest is None:
            continue
        out.append({"kpi_code": code, "unit": kpi.unit, "direction": kpi.direction,
                    "baseline": str(baseline["value"]),
                    "baseline_period_end": baseline["period_end"].isoformat(),
                    "latest": str(latest["value"]),
                    "latest_period_end": latest["period_end"].isoformat(),
                    "change_percent": (None if summary["change_percent"] is None
                                       else str(summary["change_percent"])),
                    "improved": summary["improved"]})
    return out


def consent_dict(consent: CaseStudyConsent, study: CaseStudy | None) -> dict[str, Any]:
    """A consent as the API shows it."""
    return {"id": consent.id, "sme_id": consent.sme_id, "granted_by": consent.granted_by,
            "granted_at": consent.granted_at, "kpis": list(consent.kpis),
            "name_published": consent.name_published, "statement": consent.statement,
            "withdrawn_at": consent.withdrawn_at, "withdrawn_by": consent.withdrawn_by,
            "case_study_id": study.id if study else None}


def study_dict(study: CaseStudy, consent: CaseStudyConsent, sme: Sme) -> dict[str, Any]:
    """A published case study as the API shows it."""
    return {"id": study.id, "sme_id": study.sme_id,
            "sme_name": sme.legal_name if consent.name_published else None,
            "title": study.title, "story": study.story,
            "kpis": [{**k, **{name: dt.date.fromisoformat(k[name])
                              for name in ("baseline_period_end", "latest_period_end")}}
                     for k in study.kpis],
            "consent_id": consent.id, "published_by": study.published_by,
            "published_at": study.published_at}
