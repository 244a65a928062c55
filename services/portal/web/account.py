"""Signing in and out, signing up, and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.portal import calls, users
from services.portal.backend import ServiceRefused
from services.portal.forms import Form, idempotency_header
from services.portal.i18n import LANGUAGE_COOKIE, LANGUAGES

bp = Blueprint("account", __name__)

# Roles a person may sign up for; the organisation follows (SME, provider, sponsor).
SIGN_UP_ROLES = ("sme_user", "provider_staff", "sponsor_staff", "trainer")
ONE_YEAR = 365 * 24 * 3600


def safe_next(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site, else ``default`` (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return default
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    form = Form({"next": request.args.get("next", "")})
    if request.method == "POST":
        form = Form.posted()
        email, password = str(form.get("email")).strip(), str(form.get("password"))
        if not email:
            form.error("email", _("Enter your email address."))
        if not password:
            form.error("password", _("Enter your password."))
        if form.ok:
            try:
                user = users.sign_in(email, password)
            except users.SignInFailed as failed:
                form.message = (_("Too many attempts. Please wait a moment and try again.")
                                if failed.reason == "too_many_requests"
                                else _("The email or password is wrong."))
            else:
                return redirect(safe_next(form.get("next"), url_for(user.home)), 303)
        form.values.pop("password", None)
    return render_template("account/login.html", form=form), (200 if form.ok else 400)


@bp.post("/logout")
def logout():
    """Sign out: the sign-in ends at identity too."""
    users.sign_out()
    flash(_("You are signed out."), "success")
    return redirect(url_for("public.search"), 303)


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """Create an account; the organisation is registered after signing in."""
    form = Form({"intended_role": request.args.get("role", "sme_user")})
    if request.method == "POST":
        form = Form.posted()
        if form.get("intended_role") not in SIGN_UP_ROLES:
            form.error("intended_role", _("Choose what you will use the marketplace for."))
        if form.get("password") != form.get("password_again"):
            form.error("password_again", _("The two passwords differ."))
        if form.ok:
            body = {k: str(form.get(k)).strip() for k in ("email", "name", "intended_role")}
            body["password"] = str(form.get("password"))
            try:
                calls.call("POST", "identity", "/users", json=body, headers=idempotency_header())
                users.sign_in(body["email"], body["password"])
            except ServiceRefused as refused:
                form.refused(refused)
            except users.SignInFailed:
                return redirect(url_for("account.login"), 303)
            else:
                flash(_("Welcome! Your account is ready."), "success")
                return redirect(url_for(users.current_user().home), 303)
        form.values.pop("password", None)
        form.values.pop("password_again", None)
    return render_template("account/signup.html", form=form, roles=SIGN_UP_ROLES), \
        (200 if form.ok else 400)


@bp.get("/language/<code>")
def choose_language(code: str):
    """Switch the portal's language (kept in a cookie, also before signing in)."""
    response = redirect(safe_next(request.args.get("next"), url_for("public.search")), 303)
    if code in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=ONE_YEAR, samesite="Lax",
                            httponly=True, secure=request.is_secure)
    return response
