#!/usr/bin/env python3
"""Signs Security Event Tokens with python3-jwcrypto, as a third-party client of FIT-Connect would.

Usage: sign_set_with_jwcrypto.py < specs.json
Reads a JSON array of {"jwk": {...}, "header": {...}, "claims": {...}} and prints a JSON array of compact JWS,
one per spec, in order. The header is used as given (typ, alg, kid: whatever the spec says), so a test can
also build what a careless or hostile client sends: "alg": "none" gives an unsigned JWS (built by hand,
jwcrypto refuses to make one), "HS256" with an "oct" key a MAC instead of a signature.
"""
import base64
import json
import sys

from jwcrypto import jwk, jws


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign(spec):
    header = spec["header"]
    payload = json.dumps(spec["claims"]).encode("utf-8")
    if header.get("alg") == "none":
        return b64url(json.dumps(header).encode("utf-8")) + "." + b64url(payload) + "."
    token = jws.JWS(payload)
    token.allowed_algs = [header["alg"]]
    token.add_signature(jwk.JWK(**spec["jwk"]), alg=header["alg"], protected=json.dumps(header))
    return token.serialize(compact=True)


print(json.dumps([sign(spec) for spec in json.load(sys.stdin)]))
