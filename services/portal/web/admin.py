"""The platform_admin pages (being built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from services.portal.web.guard import role_page

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@role_page("platform_admin")
def home():
    """home."""
    return render_template("workspace.html", heading="home")
