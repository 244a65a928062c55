"""Schemas of the log's API: signed tree heads, inclusion and consistency proofs.

Every hash, signature and entry is base64 (RFC 4648 §4, padded); every hash is
SHA-256 as RFC 9162 §2.1 defines leaves (``0x00 || entry``) and nodes
(``0x01 || left || right``). A head's signature is Ed25519 over the four lines
``score-audit-tree-head/v1``, ``<size>``, ``<root base64>``, ``<timestamp>``,
each ending in LF (:mod:`services.audit.log.heads`), by the key ``key_id`` of
``GET /log/jwks.json``.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from shared.pages import PageArgs, decode_token, page_of

BASE64 = {"pattern": r"^[A-Za-z0-9+/]*={0,2}$", "contentEncoding": "base64"}
# Sizes and sequence numbers are 64-bit in the database.
MAX_SIZE = 2**63 - 1


class TreeHeadOut(Schema):
    """A signed tree head: the log's first ``size`` entries have Merkle root ``root``."""

    size = fields.Integer(metadata={"description": "how many entries (leaves 0..size-1)"})
    root = fields.String(metadata={**BASE64, "description": "RFC 9162 MTH of the entries"})
    signed_at = fields.DateTime(metadata={"description": "when it was signed (UTC)"})
    timestamp = fields.Integer(metadata={
        "description": "signed_at as milliseconds since the Unix epoch: the signed line"})
    key_id = fields.String(metadata={"description": "kid of the signing key in the JWKS"})
    signature = fields.String(metadata={**BASE64, "description": (
        "Ed25519 over 'score-audit-tree-head/v1\\n<size>\\n<root>\\n<timestamp>\\n'")})


TreeHeadPage = page_of(TreeHeadOut, "TreeHeadPage", "Signed tree heads, largest first.")


class HeadPageArgs(PageArgs):
    """Page size and the cursor from the previous page (errors → 400): heads by size."""

    @staticmethod
    def decode_cursor(token: str) -> int:
        """The size the previous page ended at."""
        (size,) = decode_token(token, 1)
        if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= MAX_SIZE:
            raise ValueError("not a valid cursor")
        return size


class InclusionArgs(Schema):
    """Which tree to prove the entry in (errors → 400)."""

    class Meta:
        unknown = RAISE

    size = fields.Integer(validate=validate.Range(1, MAX_SIZE), metadata={
        "description": "a signed tree size (default: the latest signed head's); a size no "
                       "head was signed at is 404, one that does not cover the entry 409"})


class ConsistencyArgs(Schema):
    """The two signed tree sizes (errors → 400)."""

    class Meta:
        unknown = RAISE

    first = fields.Integer(required=True, validate=validate.Range(1, MAX_SIZE),
                           metadata={"description": "the older signed size"})
    second = fields.Integer(required=True, validate=validate.Range(1, MAX_SIZE), metadata={
        "description": "the newer signed size, not below first (400 otherwise)"})


class InclusionOut(Schema):
    """Everything a client needs to check an entry is in the log, by itself."""

    seq = fields.Integer(metadata={"description": "the entry's leaf index"})
    event_id = fields.String()
    entry = fields.String(metadata={**BASE64, "description": (
        "the logged CloudEvent's bytes, verbatim: its leaf hash is SHA-256(0x00 || entry)")})
    proof = fields.List(fields.String(metadata=BASE64), metadata={
        "description": "RFC 9162 inclusion proof (audit path) of leaf seq, bottom first"})
    head = fields.Nested(TreeHeadOut, metadata={"description": "the tree proved into"})


class ConsistencyOut(Schema):
    """A proof that the newer signed tree extends the older one."""

    first = fields.Nested(TreeHeadOut)
    second = fields.Nested(TreeHeadOut)
    proof = fields.List(fields.String(metadata=BASE64), metadata={
        "description": "RFC 9162 consistency proof from first.size to second.size"})
