"""The trainer pages (being built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from services.portal.web.guard import role_page

bp = Blueprint("trainer", __name__, url_prefix="/trainer")


@bp.get("/")
@role_page("trainer")
def home():
    """home."""
    return render_template("workspace.html", heading="home")


@bp.get("/credentials")
@role_page("trainer")
def credentials():
    """credentials."""
    return render_template("workspace.html", heading="credentials")


@bp.get("/recommendations")
@role_page("trainer")
def recommendations():
    """recommendations."""
    return render_template("workspace.html", heading="recommendations")
