"""The baseline of ``bench/certification.py``: bare Flask doing a bare JOSE verify.

``POST /bare-verify`` reads ``{"token": ...}`` and checks its EdDSA signature with PyJWT
against the issuer's public key (``BENCH_ISSUER_JWK``, the JWK the service publishes),
answering the verified claims – no status list, no validity window, no framework around
it: what verifying costs at its barest. ``/bare`` of ``bench/bare_wsgi.py`` is the
readiness probe.
"""

import json
import os

import jwt
from flask import jsonify, request

from bench.bare_wsgi import app

_KEY = jwt.PyJWK(json.loads(os.environ["BENCH_ISSUER_JWK"]), algorithm="EdDSA").key


@app.post("/bare-verify")
def bare_verify():
    """The token's signature checked; its claims answered."""
    token = request.get_json()["token"]
    try:
        claims = jwt.decode(token, _KEY, algorithms=["EdDSA"],
                            options={"verify_exp": False, "verify_nbf": False})
    except jwt.InvalidTokenError:
        return jsonify({"valid": False}), 200
    return jsonify({"valid": True, "credential": claims})
