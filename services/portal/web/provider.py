"""The provider_staff pages (being built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from services.portal.web.guard import role_page

bp = Blueprint("provider", __name__, url_prefix="/provider")


@bp.get("/")
@role_page("provider_staff")
def home():
    """home."""
    return render_template("workspace.html", heading="home")


@bp.get("/courses")
@role_page("provider_staff")
def courses():
    """courses."""
    return render_template("workspace.html", heading="courses")


@bp.get("/sessions")
@role_page("provider_staff")
def sessions():
    """sessions."""
    return render_template("workspace.html", heading="sessions")


@bp.get("/payments")
@role_page("provider_staff")
def payments():
    """payments."""
    return render_template("workspace.html", heading="payments")


@bp.get("/revenue")
@role_page("provider_staff")
def revenue():
    """revenue."""
    return render_template("workspace.html", heading="revenue")
