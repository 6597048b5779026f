#!/usr/bin/env python3
"""A small ACME server for what Pebble 2.4 lacks: renewal information (RFC 9773).

Started by the tests. Prints "READY <port>" once it listens on 127.0.0.1 (plain HTTP).
It checks every JWS it receives (ES256 and RS256 signatures, nonce, url) the way RFC 8555
requires, serves a directory with `renewalInfo`, accounts, and orders that record `replaces`.

  ari_stub_server.py --cert CERT.pem [--already-replaced ID]

GET /renewalInfo/<id> answers 200 with a suggested window only when <id> is the RFC 9773
identifier of CERT (computed here, independently of the client), 404 otherwise. A newOrder
whose `replaces` equals --already-replaced is refused with `alreadyReplaced`. GET /stats lists
the `replaces` values of every newOrder received, in order (null when absent).
"""
import argparse
import base64
import datetime
import json
import os
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def certificate_identifier(path):
    cert = x509.load_pem_x509_certificate(open(path, "rb").read())
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    serial = cert.serial_number
    length = (serial.bit_length() + 8) // 8  # room for the sign bit, as DER encodes it
    return b64url(aki) + "." + b64url(serial.to_bytes(length, "big"))


def public_key_from_jwk(jwk):
    if jwk["kty"] == "EC":
        curve = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}[jwk["crv"]]
        x = int.from_bytes(unb64url(jwk["x"]), "big")
        y = int.from_bytes(unb64url(jwk["y"]), "big")
        return ec.EllipticCurvePublicNumbers(x, y, curve).public_key()
    n = int.from_bytes(unb64url(jwk["n"]), "big")
    e = int.from_bytes(unb64url(jwk["e"]), "big")
    return rsa.RSAPublicNumbers(e, n).public_key()


class State:
    lock = threading.Lock()
    nonces = set()
    accounts = {}  # kid -> jwk
    replaces = []
    orders = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def base(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def nonce(self):
        value = secrets.token_urlsafe(16)
        with State.lock:
            State.nonces.add(value)
        return value

    def reply(self, status, payload=None, headers=None, content_type="application/json"):
        body = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Replay-Nonce", self.nonce())
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def problem(self, status, kind, detail):
        self.reply(status, {"type": "urn:ietf:params:acme:error:" + kind, "detail": detail, "status": status},
                   content_type="application/problem+json")

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        base = self.base()
        if self.path == "/dir":
            self.reply(200, {
                "newNonce": base + "/nonce", "newAccount": base + "/new-account", "newOrder": base + "/new-order",
                "revokeCert": base + "/revoke", "keyChange": base + "/key-change", "renewalInfo": base + "/renewalInfo",
            })
        elif self.path == "/nonce":
            self.reply(200)
        elif self.path.startswith("/renewalInfo/"):
            ident = self.path[len("/renewalInfo/"):]
            if ident != self.server.expected_id:
                self.problem(404, "malformed", "no certificate with identifier %s" % ident)
                return
            now = datetime.datetime.now(datetime.timezone.utc)
            self.reply(200, {
                "suggestedWindow": {
                    "start": (now + datetime.timedelta(days=1)).isoformat().replace("+00:00", "Z"),
                    "end": (now + datetime.timedelta(days=2)).isoformat().replace("+00:00", "Z"),
                },
                "explanationURL": base + "/why",
            }, headers={"Retry-After": "21600"})
        elif self.path == "/stats":
            with State.lock:
                replaces = list(State.replaces)
            self.reply(200, {"replaces": replaces})
        else:
            self.problem(404, "malformed", "not found")

    def verified_payload(self):
        """Checks the JWS as RFC 8555 §6.2-6.5 asks; returns (payload, protected) or None."""
        if self.headers.get("Content-Type") != "application/jose+json":
            self.problem(415, "malformed", "Content-Type must be application/jose+json")
            return None
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        protected = json.loads(unb64url(body["protected"]))
        if protected.get("url") != self.base() + self.path:
            self.problem(401, "unauthorized", "url in JWS header does not match")
            return None
        with State.lock:
            if protected.get("nonce") not in State.nonces:
                self.problem(400, "badNonce", "unknown nonce")
                return None
            State.nonces.discard(protected["nonce"])
        if "jwk" in protected:
            jwk = protected["jwk"]
        else:
            with State.lock:
                jwk = State.accounts.get(protected.get("kid"))
            if jwk is None:
                self.problem(400, "accountDoesNotExist", "unknown kid")
                return None
        signed = (body["protected"] + "." + body["payload"]).encode()
        signature = unb64url(body["signature"])
        key = public_key_from_jwk(jwk)
        try:
            if protected["alg"].startswith("ES"):
                half = len(signature) // 2
                der = encode_dss_signature(int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big"))
                hash_ = hashes.SHA256() if protected["alg"] == "ES256" else hashes.SHA384()
                key.verify(der, signed, ec.ECDSA(hash_))
            else:
                key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
        except Exception:
            self.problem(400, "malformed", "bad JWS signature")
            return None
        payload = json.loads(unb64url(body["payload"])) if body["payload"] else None
        return payload, protected

    def do_POST(self):
        verified = self.verified_payload()
        if verified is None:
            return
        payload, protected = verified
        base = self.base()
        if self.path == "/new-account":
            kid = base + "/acct/" + secrets.token_hex(4)
            with State.lock:
                State.accounts[kid] = protected["jwk"]
            self.reply(201, {"status": "valid", "contact": payload.get("contact", [])}, headers={"Location": kid})
        elif self.path == "/new-order":
            replaces = payload.get("replaces")
            with State.lock:
                State.replaces.append(replaces)
                State.orders += 1
                number = State.orders
            if replaces is not None and replaces == self.server.already_replaced:
                self.problem(409, "alreadyReplaced", "certificate %s was already replaced" % replaces)
                return
            order = {"status": "pending", "identifiers": payload["identifiers"], "authorizations": [],
                     "finalize": base + "/finalize/%d" % number}
            if replaces is not None:
                order["replaces"] = replaces
            self.reply(201, order, headers={"Location": base + "/order/%d" % number})
        else:
            self.problem(404, "malformed", "not found")


def exit_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--already-replaced")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket.listen(128)  # room for a burst of connections: socketserver listens with 5
    server.daemon_threads = True
    server.expected_id = certificate_identifier(args.cert)
    server.already_replaced = args.already_replaced
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
