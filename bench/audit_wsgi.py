"""WSGI entry of the audit app for ``bench/audit.py`` (settings from SCORE_* env).

Token verification keys arrive as ``BENCH_JWKS``, as in the other benches.
"""

import json
import os

from services.audit import create_app

app = create_app({"jwks": json.loads(os.environ["BENCH_JWKS"])})
