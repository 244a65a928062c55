"""WSGI entry of the catalog app for ``bench/catalog_search.py`` (settings from SCORE_* env)."""

from services.catalog import create_app

app = create_app()
