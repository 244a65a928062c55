"""The baselines of ``bench/catalog_search.py``: a bare Flask app with two JSON endpoints.

``/bare`` returns the smallest useful JSON (the ratio's baseline); ``/bare-page``
serialises, per request, a page of 20 session-shaped items of the same size as
a search result, to show what the payload alone costs; ``/bare-bytes`` sends that
page encoded once, as a cache hit would.
"""

import json
import threading

from flask import Flask, Response, jsonify

app = Flask(__name__)

_ITEM = {
    "id": "0b7d4a6e-3f1c-4e0a-9d7e-5c2b1a0f9e8d", "status": "published",
    "course": {"id": "5f1e2d3c-4b5a-4697-8877-665544332211", "module_code": "M1",
               "title_id": "SCORE M1: Kerja Sama di Tempat Kerja (7)",
               "title_en": "SCORE M1: Workplace Cooperation (7)", "language": "id",
               "classroom_days": 2, "consultancy_visits": 3,
               "max_participants_per_enterprise": 4},
    "provider": {"id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                 "legal_name": "Lembaga Pelatihan 7"},
    "start_date": "2027-03-01", "end_date": "2027-03-02", "enrolment_deadline": "2027-02-22",
    "venue_address": "Aula", "city": "Kota 32-1", "province_code": "32", "capacity": 20,
    "seats_taken": 7, "seats_free": 13, "is_full": False, "price_per_participant": 2_500_000,
    "ilo_supervised": True, "estimated_delivery_cost": 40_000_000, "cancel_reason": None,
}


@app.get("/bare")
def bare():
    """The smallest useful JSON response."""
    return jsonify({"items": [], "next_cursor": None, "limit": 20})


@app.get("/bare-page")
def bare_page():
    """A search-sized JSON page, built and serialised per request."""
    return jsonify({"items": [dict(_ITEM) for _ in range(20)], "next_cursor": "x" * 80,
                    "limit": 20})


_PAGE = json.dumps({"items": [_ITEM] * 20, "next_cursor": "x" * 80, "limit": 20},
                   separators=(",", ":")).encode()


@app.get("/bare-bytes")
def bare_bytes():
    """A search-sized JSON page encoded once: what serving a cached page costs bare Flask."""
    return Response(_PAGE, mimetype="application/json")


_WRITES: dict = {}
_FIRST_WRITE = threading.Lock()  # one engine per process, not one per thread


@app.get("/bare-write")
def bare_write():
    """One row inserted and committed in PostgreSQL per request, answered with a tiny JSON:
    the floor of any endpoint that writes (``bench/enrolment.py`` shows it for reference;
    the database is ``BENCH_WRITE_URL``, its table ``bench_writes`` made by the bench)."""
    with _FIRST_WRITE:
        _prepare_writes()
    with _WRITES["engine"].begin() as connection:
        row_id = connection.execute(_WRITES["insert"], {"b": "x" * 200}).scalar()
    return jsonify({"id": row_id})


def _prepare_writes() -> None:
    if "engine" not in _WRITES:
        import os

        from sqlalchemy import create_engine, text

        _WRITES["insert"] = text("INSERT INTO bench_writes (body) VALUES (:b) RETURNING id")
        _WRITES["engine"] = create_engine(os.environ["BENCH_WRITE_URL"], pool_size=8)
