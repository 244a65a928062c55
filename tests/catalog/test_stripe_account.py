"""A provider's Stripe connected account: set by a platform admin, carried in provider.updated."""

from __future__ import annotations

import pytest

from tests.catalog.conftest import assert_problem, outbox_types
from tests.catalog.test_events import last_event

URL = "/providers/{}/stripe-account"


def test_an_admin_sets_the_account_and_provider_updated_carries_it(client, build, db, admin,
                                                                   staff, auditor):
    provider = build.provider()

    r = client.put(URL.format(provider.id), json={"stripe_account_id": "acct_1Nv0FGQ9RKHgCVdK"},
                   headers=admin)

    assert r.status_code == 200, r.json
    assert r.json == {"provider_id": provider.id, "stripe_account_id": "acct_1Nv0FGQ9RKHgCVdK"}
    event = last_event(db, "score.catalog.provider.updated.v1")
    assert event.data["stripe_account_id"] == "acct_1Nv0FGQ9RKHgCVdK"
    assert event.data["changed_by"] == "admin-1"
    for headers in (staff(provider.id), auditor):
        assert client.get(URL.format(provider.id), headers=headers).json[
            "stripe_account_id"] == "acct_1Nv0FGQ9RKHgCVdK"


def test_setting_the_same_account_again_announces_nothing_and_null_clears_it(client, build, db,
                                                                            admin):
    provider = build.provider()
    client.put(URL.format(provider.id), json={"stripe_account_id": "acct_A1"}, headers=admin)
    before = len(outbox_types(db))

    assert client.put(URL.format(provider.id), json={"stripe_account_id": "acct_A1"},
                      headers=admin).status_code == 200
    assert len(outbox_types(db)) == before

    r = client.put(URL.format(provider.id), json={"stripe_account_id": None}, headers=admin)
    assert r.json["stripe_account_id"] is None
    assert last_event(db, "score.catalog.provider.updated.v1").data["stripe_account_id"] is None


@pytest.mark.parametrize("value", ["acct_", "acct-123", "ACCT_123", "acct_12 3", "cus_123", 42])
def test_anything_but_an_acct_id_is_a_422_naming_the_field(client, build, admin, value):
    provider = build.provider()
    r = client.put(URL.format(provider.id), json={"stripe_account_id": value}, headers=admin)
    assert_problem(r, 422, "stripe_account_id")


def test_only_a_platform_admin_sets_it_and_foreign_staff_do_not_see_it(client, build, staff,
                                                                       auditor, auth):
    provider, other = build.provider(), build.provider()
    body = {"stripe_account_id": "acct_A1"}

    assert client.put(URL.format(provider.id), json=body,
                      headers=staff(provider.id)).status_code == 403
    assert client.put(URL.format(provider.id), json=body, headers=auditor).status_code == 403
    assert client.get(URL.format(provider.id), headers=staff(other.id)).status_code == 404
    assert client.get(URL.format(provider.id),
                      headers=auth("sme_user", "sme-1", "sme")).status_code == 403
    assert client.put(URL.format("nope"), json=body,
                      headers=auth("platform_admin")).status_code == 404
