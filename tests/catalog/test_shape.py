"""Catalog has the shape of every service (tests/support/shape.py), and documents its search."""

from services import catalog
from tests.support.shape import ServiceShape


class TestShape(ServiceShape):
    runtime = staticmethod(catalog.runtime)


def test_the_catalog_documents_every_operation_and_every_search_filter(client):
    spec = client.get("/openapi.json").json
    operations = {(method.upper(), path) for path, item in spec["paths"].items()
                  for method in item if method in {"get", "post", "put", "patch"}
                  and not path.startswith(("/healthz", "/readyz", "/metrics"))}
    assert len(operations) == 26
    search = spec["paths"]["/sessions"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {
        "q", "module", "province", "city", "date_from", "date_to", "language", "price_min",
        "price_max", "provider", "has_free_seats", "sort", "limit", "cursor"}
