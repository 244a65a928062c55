"""WSGI entry of the certification app for ``bench/certification.py`` (settings from SCORE_*
env, the issuer key among them).

Verification is public, so no request carries a token; the app still needs keys to verify
tokens with, which arrive as ``BENCH_JWKS`` as in the other benches.
"""

import json
import os

from services.certification import create_app

app = create_app({"jwks": json.loads(os.environ["BENCH_JWKS"])})
