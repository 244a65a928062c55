"""The baseline of ``bench/sponsorship.py``: bare Flask answering a quote-sized JSON.

``POST /bare-quote`` reads the JSON body and answers, serialised per request, the
preview the service gave for the bench's market (``BENCH_QUOTE_JSON``, captured
by the bench before this app starts) – the same bytes on the wire both ways, so
the ratio measures what the service adds. ``/bare`` and the others of
``bench/bare_wsgi.py`` stay available on the same app.
"""

import copy
import json
import os

from flask import jsonify, request

from bench.bare_wsgi import app

_QUOTE = json.loads(os.environ["BENCH_QUOTE_JSON"])


@app.post("/bare-quote")
def bare_quote():
    """The request parsed, a quote-sized answer built and serialised."""
    request.get_json()
    return jsonify(copy.deepcopy(_QUOTE))
