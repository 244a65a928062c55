"""The OpenAPI document builds and describes every operation."""

METHODS = {"get", "post", "put", "patch", "delete"}


def test_the_openapi_document_builds_with_a_summary_for_every_operation(client):
    response = client.get("/openapi.json")

    assert response.status_code == 200
    operations = [op for path in response.json["paths"].values()
                  for method, op in path.items() if method in METHODS]
    assert len(operations) >= 14
    assert all(op.get("summary") and "\n" not in op["summary"] for op in operations)


def test_the_token_endpoint_documents_form_and_json_bodies(client):
    spec = client.get("/openapi.json").json

    content = spec["paths"]["/oauth/token"]["post"]["requestBody"]["content"]

    assert set(content) == {"application/x-www-form-urlencoded", "application/json"}
    assert "TokenRequest" in spec["components"]["schemas"]


def test_protected_operations_declare_bearer_auth(client):
    spec = client.get("/openapi.json").json

    assert spec["paths"]["/me"]["get"]["security"] == [{"bearerAuth": []}]
    assert "security" not in spec["paths"]["/oauth/token"]["post"]
