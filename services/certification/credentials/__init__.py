"""Verifiable credentials of issue 10, as pure functions (no Flask, no database).

    keys.py         the issuer's Ed25519 key, its JWKS and its ``did:web`` DID document
    badges.py       Open Badges 3.0 ``OpenBadgeCredential`` JSON for the two kinds we issue
    jwt_vc.py       sign / parse a credential as a JWT-VC (OB 3.0 "JSON Web Token Proof Format")
    status_list.py  W3C Bitstring Status List: the bits, ``encodedList``, the list credential
    verify.py       signature, validity window and status, with coded reasons for a failure

The service (views, storage of indexes and revocations, caching of fetched lists) builds on
these; nothing here reads settings, the clock or the network on its own.
"""
