#!/usr/bin/env python3
"""Opens amtsbote-reply/1 replies with python3-jwcrypto, following docs/sealed-reply.md alone.

Usage: open_reply_with_jwcrypto.py <portal-reply-private-jwk.json> <gateway-jwks.json> <reply.json>...
Prints one JSON line per reply: {"ok": true, ids, metadata, data and attachments base64-encoded} or
{"ok": false, "code": <the page's reason code>, "part": ..., "detail": ...}. Exits 0 when every reply
opened, 1 otherwise. Written against the page, not the gateway's code: an independent implementation.
"""
import base64
import hashlib
import json
import sys

from jwcrypto import jwe, jwk, jws
from jwcrypto.common import JWException


class Refused(Exception):
    def __init__(self, code, part, detail):
        super().__init__(detail)
        self.code, self.part, self.detail = code, part, detail


FORBIDDEN = ("jwk", "jku", "x5c", "x5u", "x5t", "x5t#S256", "crit", "zip", "b64")


def b64url_json(segment):
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def verify_jws(token, part, key_for, payload_code):
    """Step 2 / 5: a compact JWS with {alg: PS512, kid, typ: JOSE, cty: application/json}, verified by kid."""
    segments = token.split(".")
    if len(segments) != 3:
        raise Refused("malformed-part", part, "not a compact JWS")
    header = b64url_json(segments[0])
    if header.get("alg") != "PS512":
        raise Refused("algorithm-not-allowed", part, "alg %r" % header.get("alg"))
    if any(name in header for name in FORBIDDEN):
        raise Refused("unexpected-header", part, "forbidden header member")
    if header.get("typ") != "JOSE" or header.get("cty") != "application/json":
        raise Refused("unexpected-header", part, "typ/cty")
    key = key_for(header.get("kid"))
    if key is None:
        raise Refused("unknown-signing-key", part, "kid %r" % header.get("kid"))
    obj = jws.JWS()
    obj.deserialize(token)
    obj.allowed_algs = ["PS512"]
    try:
        obj.verify(key)
    except JWException:
        raise Refused("signature-invalid", part, "signature does not verify")
    try:
        return json.loads(obj.payload)
    except ValueError:
        raise Refused(payload_code, part, "payload is not JSON")


def open_part(token, part, entry, encryption_kid, portal_keys):
    """Step 7: jweSha512, header, decryption, cty, sha512 of the plain bytes."""
    if hashlib.sha512(token.encode("ascii")).hexdigest() != entry["jweSha512"]:
        raise Refused("hash-mismatch", part, "jweSha512")
    header = b64url_json(token.split(".")[0])
    if header.get("alg") != "RSA-OAEP-256" or header.get("enc") != "A256GCM":
        raise Refused("unexpected-header", part, "alg/enc")
    if any(name in header for name in FORBIDDEN):
        raise Refused("unexpected-header", part, "forbidden header member")
    key = portal_keys.get_key(header.get("kid"))
    if key is None or header.get("kid") != encryption_kid:
        raise Refused("no-recipient-key", part, "kid %r" % header.get("kid"))
    obj = jwe.JWE(algs=["RSA-OAEP-256", "A256GCM"])
    try:
        obj.deserialize(token, key=key)
    except JWException:
        raise Refused("decryption-failed", part, "cannot decrypt")
    if obj.jose_header.get("cty") != entry["mediaType"]:
        raise Refused("content-type-mismatch", part, "cty")
    if hashlib.sha512(obj.payload).hexdigest() != entry["sha512"]:
        raise Refused("hash-mismatch", part, "sha512")
    return obj.payload


def open_reply(reply, portal_keys, gateway):
    # Step 1: the fetched reply.
    if reply.get("format") != "amtsbote-reply/1":
        raise Refused("unsupported-format", "reply", "format")
    # Steps 2-3: the gateway's countersignature with a pinned key; over this reply.
    counter = verify_jws(reply["countersignature"], "countersignature", gateway.get_key, "malformed-countersignature")
    for name in ("replyId", "submissionId", "seq", "receivedAt"):
        if counter.get(name) != reply.get(name):
            raise Refused("reply-mismatch", "countersignature", name)
    if hashlib.sha512(reply["signedMetadata"].encode("ascii")).hexdigest() != counter["signedMetadataSha512"]:
        raise Refused("signed-metadata-mismatch", "countersignature", "signedMetadataSha512")
    # Step 4: the destination key and its RFC 7638 thumbprint.
    destination = jwk.JWK(**counter["destinationKey"])
    if destination.thumbprint() != counter["destinationKeyThumbprint"]:
        raise Refused("thumbprint-mismatch", "countersignature", "thumbprint")
    # Step 5: the authority's own signature, with that key only.
    kid = counter["destinationKey"]["kid"]
    metadata = verify_jws(reply["signedMetadata"], "metadata", lambda k: destination if k == kid else None,
                          "malformed-metadata")
    # Step 6: ids and attachments.
    for name in ("replyId", "submissionId", "destinationId"):
        if metadata[name] != counter[name]:
            raise Refused("reply-mismatch", "metadata", name)
    if metadata["kind"] != reply["kind"]:
        raise Refused("reply-mismatch", "metadata", "kind")
    if sorted(a["id"] for a in metadata["attachments"]) != sorted(reply["encryptedAttachments"]):
        raise Refused("attachment-set-mismatch", "reply", "attachments")
    # Step 7: every part.
    data = open_part(reply["encryptedData"], "data", metadata["data"], metadata["encryptionKid"], portal_keys)
    attachments = {}
    for entry in metadata["attachments"]:
        content = open_part(reply["encryptedAttachments"][entry["id"]], "attachment:" + entry["id"], entry,
                            metadata["encryptionKid"], portal_keys)
        attachments[entry["id"]] = {"filename": entry["filename"], "mediaType": entry["mediaType"],
                                    "contentBase64": base64.b64encode(content).decode("ascii")}
    return {"replyId": metadata["replyId"], "submissionId": metadata["submissionId"], "seq": counter["seq"],
            "kind": metadata["kind"], "destinationId": metadata["destinationId"],
            "destinationKeyThumbprint": counter["destinationKeyThumbprint"], "metadata": metadata,
            "dataBase64": base64.b64encode(data).decode("ascii"), "attachments": attachments}


def main():
    portal_keys = jwk.JWKSet()
    portal_keys.add(jwk.JWK(**json.load(open(sys.argv[1]))))
    gateway = jwk.JWKSet.from_json(open(sys.argv[2]).read())
    all_ok = True
    for path in sys.argv[3:]:
        try:
            result = {"ok": True, **open_reply(json.load(open(path)), portal_keys, gateway)}
        except Refused as refused:
            result = {"ok": False, "code": refused.code, "part": refused.part, "detail": refused.detail}
            all_ok = False
        print(json.dumps(result))
    sys.exit(0 if all_ok else 1)


if __name__ == "__main__":
    main()
