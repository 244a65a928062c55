"""The OpenAPI document builds and describes every operation."""

METHODS = {"get", "post", "put", "patch", "delete"}


def test_the_openapi_document_builds_with_a_summary_for_every_operation(client):
    response = client.get("/openapi.json")

    assert response.status_code == 200
    operations = [op for path in response.json["paths"].values()
                  for method, op in path.items() if method in METHODS]
    assert len(operations) >= 14
    assert all(op.get("summary") and "\n" not in op["summary"] for op in operations)


def test_the_oauth_endpoints_document_form_bodies_only(client):
    spec = client.get("/openapi.json").json

    for path in ("/oauth/token", "/oauth/revoke", "/auth/logout"):
        content = spec["paths"][path]["post"]["requestBody"]["content"]
        assert set(content) == {"application/x-www-form-urlencoded"}, path


def test_each_grant_documents_the_parameters_it_requires(client):
    spec = client.get("/openapi.json").json
    body = spec["paths"]["/oauth/token"]["post"]["requestBody"]["content"][
        "application/x-www-form-urlencoded"]["schema"]
    schemas = spec["components"]["schemas"]

    grants = {schemas[ref["$ref"].rsplit("/", 1)[1]]["properties"]["grant_type"]["enum"][0]:
              set(schemas[ref["$ref"].rsplit("/", 1)[1]]["required"]) for ref in body["oneOf"]}

    assert body["discriminator"]["propertyName"] == "grant_type"
    assert grants == {"password": {"grant_type", "username", "password"},
                      "refresh_token": {"grant_type", "refresh_token"},
                      "client_credentials": {"grant_type", "client_id", "client_secret"}}


def test_json_token_requests_are_still_accepted_though_undocumented(client, register):
    register()

    response = client.post("/oauth/token", json={"grant_type": "password",
                                                 "username": "siti@example.id",
                                                 "password": "correct horse battery"})

    assert response.status_code == 200 and response.json["access_token"]


def test_the_password_policy_is_in_the_document(client):
    spec = client.get("/openapi.json").json

    password = spec["components"]["schemas"]["RegistrationIn"]["properties"]["password"]

    assert (password["minLength"], password["maxLength"]) == (10, 1024)
    assert "email" in password["description"]


def test_protected_operations_declare_bearer_auth(client):
    spec = client.get("/openapi.json").json

    assert spec["paths"]["/me"]["get"]["security"] == [{"bearerAuth": []}]
    assert "security" not in spec["paths"]["/oauth/token"]["post"]
