"""The baseline of ``bench/catalog_search.py``: a bare Flask app with one JSON endpoint."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/bare")
def bare():
    """The smallest useful JSON response."""
    return jsonify({"items": [], "next_cursor": None, "limit": 20})
