"""WSGI entry of the sponsorship app for ``bench/sponsorship.py`` (settings from SCORE_* env).

The bench signs its own tokens: their public keys arrive as ``BENCH_JWKS`` (a JSON
document), as identity's JWKS would in production.
"""

import json
import os

from services.sponsorship import create_app

app = create_app({"jwks": json.loads(os.environ["BENCH_JWKS"])})
