"""Clients generated from the OpenAPI documents work: the README's flows, through them.

openapi-python-client (pinned in pyproject.toml) generates a package per service
from the document the service serves; the flows then run through those packages
only, against the real apps (in process, over httpx's WSGI transport).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from shared.runtime import load_runtime
from tests.catalog.builders import Builder, days, npwp
from tests.support.apps import service_app

ADMIN = ("admin@score.example", "score-admin-2026")
PASSWORD = "score-demo-2026"


def generate_client(document: dict, package: str, directory: Path) -> ModuleType:
    """Generate ``package`` from ``document`` into ``directory`` and import it."""
    (directory / f"{package}.json").write_text(json.dumps(document))
    (directory / "config.yaml").write_text("post_hooks: []\n")  # no formatting: speed
    subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--meta", "none",
         "--path", str(directory / f"{package}.json"), "--output-path",
         str(directory / package), "--config", str(directory / "config.yaml")],
        check=True, capture_output=True, text=True, timeout=120)
    sys.path.insert(0, str(directory))
    try:
        generated = importlib.import_module(package)
    finally:
        sys.path.remove(str(directory))
    importlib.import_module(f"{package}.api")  # submodules import through the package's path
    importlib.import_module(f"{package}.models")
    return generated


@pytest.fixture(scope="module")
def apps(tmp_path_factory, signing_key):
    """identity (with a bootstrap admin) and catalog, trusting each other's tokens."""
    built = {
        "identity": service_app(load_runtime("identity"), tmp_path_factory.mktemp("identity"),
                                signing_key, bootstrap_admin_email=ADMIN[0],
                                bootstrap_admin_password=ADMIN[1]),
        "catalog": service_app(load_runtime("catalog"), tmp_path_factory.mktemp("catalog"),
                               signing_key),
    }
    yield built
    for app in built.values():
        app.extensions["score_db"].dispose()


@pytest.fixture(scope="module")
def generated(apps, tmp_path_factory) -> dict[str, ModuleType]:
    """A client package per service, generated from the document it serves."""
    directory = tmp_path_factory.mktemp("clients")
    return {name: generate_client(app.test_client().get("/openapi.json").json,
                                  f"{name}_client", directory)
            for name, app in apps.items()}


class Clients:
    """Generated clients of one service, anonymous or with a bearer token."""

    def __init__(self, package: ModuleType, app) -> None:
        self.package, self.app = package, app

    def _transport(self) -> dict:
        return {"transport": httpx.WSGITransport(app=self.app)}

    def anonymous(self):
        return self.package.Client(base_url="http://service.test", httpx_args=self._transport(),
                                   raise_on_unexpected_status=True)

    def bearer(self, token: str):
        return self.package.AuthenticatedClient(
            base_url="http://service.test", token=token, httpx_args=self._transport(),
            raise_on_unexpected_status=True)


def api(package: ModuleType, module: str) -> ModuleType:
    """``package.api.<tag>.<module>``, whatever tag the operation is filed under."""
    for info in pkgutil.walk_packages(package.api.__path__, f"{package.__name__}.api."):
        if info.name.endswith(f".{module}"):
            return importlib.import_module(info.name)
    raise LookupError(module)


@pytest.mark.parametrize("service", ["identity", "catalog"])
def test_every_generated_module_imports(generated, service):
    package = generated[service]
    modules = [info.name for info in pkgutil.walk_packages(package.api.__path__,
                                                            f"{package.__name__}.api.")]

    for name in modules:
        importlib.import_module(name)
    assert len(modules) >= 10


def test_the_readme_flows_run_through_the_generated_clients(generated, apps):
    identity = Clients(generated["identity"], apps["identity"])
    catalog = Clients(generated["catalog"], apps["catalog"])
    im, cm = generated["identity"].models, generated["catalog"].models

    def login(username, password, org_id=None):
        body = im.PasswordGrantIn(grant_type=im.PasswordGrantInGrantType.PASSWORD,
                                  username=username, password=password,
                                  **({"org_id": org_id} if org_id else {}))
        tokens = api(generated["identity"], "post_token").sync(client=identity.anonymous(),
                                                                body=body)
        assert isinstance(tokens, im.TokenOut), tokens
        return tokens

    # Sign up as provider staff, log in (password grant), register a provider.
    user = api(generated["identity"], "post_users").sync(
        client=identity.anonymous(), body=im.RegistrationIn(
            email="staff@bedo.example", name="Staff BEDO", password=PASSWORD,
            intended_role=im.RegistrationInIntendedRole.PROVIDER_STAFF))
    assert user.created_at.tzinfo is not None
    staff = catalog.bearer(login("staff@bedo.example", PASSWORD).access_token)
    provider = api(generated["catalog"], "post_providers").sync(client=staff, body=cm.ProviderIn(
        legal_name="Business Environment Development Organization", npwp=npwp(),
        contact_name="Siti Rahayu", email="info@bedo.example", phone="+62 21 555 0101",
        address="Jl. Sudirman 1, Jakarta Pusat", provinces_served=["31", "ID-JB"]))
    assert provider.status == "pending"

    # The platform admin approves it and makes the registrant its staff.
    admin_token = login(*ADMIN).access_token
    approved = api(generated["catalog"], "post_approve_provider").sync(
        provider_id=provider.id, client=catalog.bearer(admin_token), body=cm.ApproveIn())
    assert approved.status == "approved" and approved.approved_at.tzinfo is not None
    api(generated["identity"], "post_user_memberships").sync(
        user_id=user.id, client=identity.bearer(admin_token), body=im.MembershipIn(
            org_type=im.MembershipInOrgType.PROVIDER, org_id=provider.id,
            role=im.MembershipInRole.PROVIDER_STAFF))

    # Log in for the provider and see the token's organisation (/me).
    tokens = login("staff@bedo.example", PASSWORD, org_id=provider.id)
    me = api(generated["identity"], "get_me").sync(client=identity.bearer(tokens.access_token))
    assert (me.role, me.org, me.org_type) == ("provider_staff", provider.id, "provider")

    # List a course of module M1 and a session in Jawa Barat, and publish both; its lead,
    # trainer-1, is a trainer certification registered and certified in M1 (as its
    # events would have told the catalog).
    Builder(apps["catalog"].extensions["score_db"]).trainer("trainer-1", modules=("M1",))
    staff = catalog.bearer(tokens.access_token)
    course = api(generated["catalog"], "post_provider_courses").sync(
        provider_id=provider.id, client=staff, body=cm.CourseIn(
            module_code="M1", title_id="Kerja Sama di Tempat Kerja",
            title_en="Workplace Cooperation", description_id="Lokakarya dua hari tentang "
            "kerja sama.", description_en="A two-day workshop on cooperation.",
            language=cm.CourseInLanguage.ID, classroom_days=2, consultancy_visits=3,
            price_per_participant=2_500_000))
    api(generated["catalog"], "post_publish_course").sync(course_id=course.id, client=staff)
    session = api(generated["catalog"], "post_provider_sessions").sync(
        provider_id=provider.id, client=staff, body=cm.SessionIn(
            course_id=course.id, start_date=days(30), end_date=days(31),
            enrolment_deadline=days(23), venue_address="Jl. Asia Afrika 8", city="Bandung",
            province_code="32", capacity=20, estimated_delivery_cost=45_000_000,
            trainers=[cm.TrainerIn(trainer_id="trainer-1", role=cm.TrainerInRole.LEAD)]))
    api(generated["catalog"], "post_publish_session").sync(session_id=session.id, client=staff)

    # Public search: module M1 in Jawa Barat (BPS 32), cheapest first.
    page = api(generated["catalog"], "get_sessions").sync(
        client=catalog.anonymous(), module="M1", province="32", limit=5,
        sort=generated["catalog"].models.GetSessionsSort.PRICE)
    assert [s.id for s in page.items] == [session.id]
    found = api(generated["catalog"], "get_session_item").sync(session_id=session.id,
                                                               client=catalog.anonymous())
    assert found.price_per_participant == 2_500_000
    assert found.published_at.utcoffset() == dt.timedelta(0)

    # Revoke the first sign-in's token (RFC 7009: 200 whatever it was).
    revoked = api(generated["identity"], "post_revoke").sync_detailed(
        client=identity.anonymous(), body=im.RevokeIn(token=login(*ADMIN).refresh_token))
    assert revoked.status_code == 200

    # Refresh the sign-in, then end it: the refresh token stops working.
    refreshed = api(generated["identity"], "post_token").sync(
        client=identity.anonymous(), body=im.RefreshGrantIn(
            grant_type=im.RefreshGrantInGrantType.REFRESH_TOKEN,
            refresh_token=tokens.refresh_token))
    api(generated["identity"], "post_logout").sync_detailed(
        client=identity.anonymous(), body=im.LogoutIn(refresh_token=refreshed.refresh_token))
    refused = api(generated["identity"], "post_token").sync(
        client=identity.anonymous(), body=im.RefreshGrantIn(
            grant_type=im.RefreshGrantInGrantType.REFRESH_TOKEN,
            refresh_token=refreshed.refresh_token))
    assert isinstance(refused, im.Problem) and refused.error == "invalid_grant"
    assert api(generated["identity"], "get_jwks").sync(client=identity.anonymous()).keys
