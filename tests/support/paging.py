"""Read a whole paged list through the API, following ``next_cursor`` to the end."""

from __future__ import annotations


def every_item(client, path: str, headers: dict, **query) -> list[dict]:
    """Every item of the list at ``path`` (pages of 100 unless ``limit`` says otherwise).

    For tests whose module-scoped app keeps growing (write cells of a matrix add
    rows): the row looked for may be past the first page, depending on test order.
    """
    query = {"limit": 100, **query}
    items: list[dict] = []
    while True:
        response = client.get(path, query_string=query, headers=headers)
        assert response.status_code == 200, response.get_json()
        page = response.get_json()
        items += page["items"]
        if not page.get("next_cursor"):
            return items
        query["cursor"] = page["next_cursor"]
