"""The ilo_auditor pages (being built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from services.portal.web.guard import role_page

bp = Blueprint("ilo", __name__, url_prefix="/ilo")


@bp.get("/dashboard")
@role_page("ilo_auditor")
def dashboard():
    """dashboard."""
    return render_template("workspace.html", heading="dashboard")


@bp.get("/feed")
@role_page("ilo_auditor")
def feed():
    """feed."""
    return render_template("workspace.html", heading="feed")


@bp.get("/log")
@role_page("ilo_auditor")
def log():
    """log."""
    return render_template("workspace.html", heading="log")
