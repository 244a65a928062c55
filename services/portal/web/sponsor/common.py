"""The sponsor_staff pages (being built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from services.portal.web.guard import role_page

bp = Blueprint("sponsor", __name__, url_prefix="/sponsor")


@bp.get("/")
@role_page("sponsor_staff")
def home():
    """home."""
    return render_template("workspace.html", heading="home")


@bp.get("/offers")
@role_page("sponsor_staff")
def offers():
    """offers."""
    return render_template("workspace.html", heading="offers")


@bp.get("/report")
@role_page("sponsor_staff")
def report():
    """report."""
    return render_template("workspace.html", heading="report")
