#!/usr/bin/env python3
"""Opens an amtsbote-sealed/1 message with python3-jwcrypto, independently of the gateway's code.

Usage: open_with_jwcrypto.py <recipient-private-jwk.json> <gateway-jwks.json> <container.json>...
Prints one JSON line per container: {"ok": true, metadata, JOSE headers, every part base64-encoded} or
{"ok": false, "error": ...}. Exits 0 when every container opened, 1 otherwise.
Follows docs/sealed-message.md: decrypt each JWE with the recipient key (RSA-OAEP-256 + A256GCM only),
verify the metadata JWS with the pinned gateway JWKS (PS512 only, key chosen by kid), check ids and hashes.
"""
import base64
import hashlib
import json
import sys

from jwcrypto import jwe, jwk, jws


def decrypt(token, key):
    obj = jwe.JWE(algs=["RSA-OAEP-256", "A256GCM"])
    obj.deserialize(token, key=key)
    return obj.payload, obj.jose_header


def open_container(path, recipient, gateway):
    container = json.load(open(path))
    assert container["format"] == "amtsbote-sealed/1", "format"

    signed, metadata_header = decrypt(container["encryptedMetadata"], recipient)
    assert metadata_header["cty"] == "JOSE", "metadata cty"
    token = jws.JWS()
    token.deserialize(signed.decode("ascii"))
    header = token.jose_header
    assert header["alg"] == "PS512" and header["typ"] == "JOSE" and header["cty"] == "application/json", "JWS header"
    key = gateway.get_key(header["kid"])
    assert key is not None, "kid not pinned"
    token.allowed_algs = ["PS512"]
    token.verify(key)
    metadata = json.loads(token.payload)
    assert metadata["messageId"] == container["messageId"], "messageId"
    assert metadata["destinationId"] == container["destinationId"], "destinationId"

    def checked(token, entry):
        plain, jose_header = decrypt(token, recipient)
        assert jose_header["cty"] == entry["mediaType"], "cty"
        assert len(plain) == entry["size"], "size"
        assert hashlib.sha512(plain).hexdigest() == entry["hash"]["content"], "sha512"
        return base64.b64encode(plain).decode("ascii"), jose_header

    structure = metadata["contentStructure"]
    data, data_header = checked(container["encryptedData"], structure["data"])
    listed = {a["attachmentId"] for a in structure["attachments"]}
    assert listed == set(container["encryptedAttachments"]), "attachment set"
    attachments = {a["attachmentId"]: checked(container["encryptedAttachments"][a["attachmentId"]], a)[0] for a in structure["attachments"]}
    return {"ok": True, "metadata": metadata, "jwsHeader": header, "dataHeader": data_header, "data": data, "attachments": attachments}


def main():
    recipient = jwk.JWK(**json.load(open(sys.argv[1])))
    gateway = jwk.JWKSet.from_json(open(sys.argv[2]).read())
    all_ok = True
    for path in sys.argv[3:]:
        try:
            result = open_container(path, recipient, gateway)
        except Exception as error:  # any failure: refuse
            result = {"ok": False, "error": f"{type(error).__name__}: {error}"}
            all_ok = False
        print(json.dumps(result))
    sys.exit(0 if all_ok else 1)


if __name__ == "__main__":
    main()
