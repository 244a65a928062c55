"""The verifiable log: an RFC 9162 Merkle tree over the entries, stored as tiles, and
signed tree heads.

    merkle.py   hashing, proofs and their verification (pure, RFC 9162 §2.1)
    tiles.py    the tree as tiles of 256 hashes of one level (pure)
    store.py    tiles in the database: the tree's size, its edge, any node, proofs
    signer.py   the Ed25519 key that signs heads, from settings; its JWKS
    heads.py    the signed bytes of a head, signing and checking one
    job.py      the tree job: follows the entries, grows the tiles, signs heads
    verify.py   ``score audit verify``: rebuild everything from the entries and compare
"""
