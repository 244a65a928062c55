"""Portal starts, answers its health checks and documents its API."""


def test_the_service_is_alive_and_ready(client):
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.get_json()


def test_the_openapi_document_names_the_service(client):
    response = client.get("/openapi.json")

    assert response.status_code == 200
    assert response.json["info"]["title"] == "SCORE Marketplace – Portal"
