"""The sme_user pages (being built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from services.portal.web.guard import role_page

bp = Blueprint("sme", __name__, url_prefix="/sme")


@bp.get("/")
@role_page("sme_user")
def home():
    """home."""
    return render_template("workspace.html", heading="home")


@bp.get("/enrolments")
@role_page("sme_user")
def enrolments():
    """enrolments."""
    return render_template("workspace.html", heading="enrolments")


@bp.get("/kpis")
@role_page("sme_user")
def kpis():
    """kpis."""
    return render_template("workspace.html", heading="kpis")


@bp.get("/certificates")
@role_page("sme_user")
def certificates():
    """certificates."""
    return render_template("workspace.html", heading="certificates")


@bp.get("/enrol/<session_id>")
@role_page("sme_user")
def enrol(session_id: str):
    """enrol."""
    return render_template("workspace.html", heading="enrol")
