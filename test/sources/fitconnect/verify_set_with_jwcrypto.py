#!/usr/bin/env python3
"""Verifies subscriber SETs (accept-/reject-submission) with python3-jwcrypto, independently of the gateway's code.

Usage: verify_set_with_jwcrypto.py <public-jwk.json> <expected.json>
Reads one compact SET per line on stdin; prints one JSON line per SET: {"ok": true, "header": ..., "claims": ...} or
{"ok": false, "error": ...}. Exits 0 when every SET verified, 1 otherwise.
Checks what PROTOCOL.md §3.1/§3.4/§3.5 name: header typ secevent+jwt, alg PS512, kid of the key; the PS512 signature;
claims $schema (set-payload 1.x.y), jti (UUID), iss (the destination id), iat (integer, >= 1577833200), sub
(submission:<id>), txn (case:<id>) as expected, and exactly one event, accept-submission with authenticationTags
{metadata, data, attachments} or reject-submission with problems [{type, title, detail, instance}].
"""
import json
import re
import sys
import uuid

from jwcrypto import jwk, jws

ACCEPT = "https://schema.fitko.de/fit-connect/events/accept-submission"
REJECT = "https://schema.fitko.de/fit-connect/events/reject-submission"
SCHEMA = re.compile(r"^https://schema\.fitko\.de/fit-connect/set-payload/1\.\d+\.\d+/set-payload\.schema\.json$")


def verify(token, key, expected):
    obj = jws.JWS()
    obj.deserialize(token)
    header = obj.jose_header
    assert header.get("typ") == "secevent+jwt", "typ"
    assert header.get("alg") == "PS512", "alg"
    assert header.get("kid") == key.key_id, "kid"
    obj.allowed_algs = ["PS512"]
    obj.verify(key)
    claims = json.loads(obj.payload)
    assert SCHEMA.match(claims["$schema"]), "$schema"
    uuid.UUID(claims["jti"])
    assert claims["iss"] == expected["iss"], "iss"
    assert isinstance(claims["iat"], int) and claims["iat"] >= 1577833200, "iat"
    assert claims["sub"] == expected["sub"], "sub"
    assert claims["txn"] == expected["txn"], "txn"
    events = claims["events"]
    assert isinstance(events, dict) and len(events) == 1, "exactly one event"
    (event, payload), = events.items()
    if event == ACCEPT:
        tags = payload["authenticationTags"]
        assert isinstance(tags["metadata"], str) and isinstance(tags["data"], str), "tags"
        assert isinstance(tags["attachments"], dict), "attachment tags"
    elif event == REJECT:
        problems = payload["problems"]
        assert isinstance(problems, list) and len(problems) >= 1, "problems"
        for problem in problems:
            for member in ("type", "title", "detail", "instance"):
                assert isinstance(problem[member], str), "problem " + member
    else:
        raise AssertionError("unknown event " + event)
    return header, claims


def main():
    key = jwk.JWK.from_json(open(sys.argv[1]).read())
    expected = json.load(open(sys.argv[2]))
    all_ok = True
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            header, claims = verify(line, key, expected)
            print(json.dumps({"ok": True, "header": header, "claims": claims}))
        except Exception as error:  # noqa: BLE001 - every failure is reported as a line
            all_ok = False
            print(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"}))
    sys.exit(0 if all_ok else 1)


main()
