#!/usr/bin/env python3
"""A web service as users write one for lego's httpreq provider: POST /present and
POST /cleanup take {"fqdn": "_acme-challenge.example.test.", "value": "..."} and add or delete
that TXT value in the lab's zone by RFC 2136 update (nsupdate with the lab's TSIG key file).

  httpreq_server.py --zone example.test --nameserver 127.0.0.2 --key-file KEYFILE [--username NAME]

With --username, every request must carry HTTP basic authentication with that name and the
password in the environment variable HTTPREQ_SERVER_PASSWORD (never an argument); otherwise it
is answered 401 with a JSON error. Listens on 127.0.0.1 on a free port, prints "READY <port>",
logs each change as "PRESENT|CLEANUP <fqdn> <value>", and exits when stdin closes.
"""
import argparse
import base64
import hmac
import hashlib
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import os
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from dnsupdate import nsupdate  # noqa: E402  (lab/dnsupdate.py)


def handler(args, password, lock):
    zone = args.zone.rstrip(".").lower() + "."

    class Handler(BaseHTTPRequestHandler):
        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def authorized(self):
            if args.username is None:
                return True
            header = self.headers.get("Authorization", "")
            if not header.startswith("Basic "):
                return False
            try:
                name, _, given = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return False
            return hmac.compare_digest(name, args.username) and hmac.compare_digest(given, password)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if self.path not in ("/present", "/cleanup"):
                return self.answer(404, {"error": "no such endpoint %s" % self.path})
            if not self.authorized():
                return self.answer(401, {"error": "invalid username or password"})
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                return self.answer(415, {"error": "expected Content-Type application/json"})
            try:
                body = json.loads(raw)
                if set(body) == {"domain", "token", "keyAuth"}:
                    # lego's RAW mode: the service works out the name and the value itself.
                    assert all(isinstance(body[k], str) and body[k] for k in body) and not body["domain"].startswith("*.")
                    fqdn = "_acme-challenge.%s." % body["domain"]
                    digest = hashlib.sha256(body["keyAuth"].encode()).digest()
                    value = base64.urlsafe_b64encode(digest).decode().rstrip("=")
                else:
                    fqdn, value = body["fqdn"], body["value"]
                    assert isinstance(fqdn, str) and isinstance(value, str) and set(body) == {"fqdn", "value"}
            except (ValueError, KeyError, TypeError, AssertionError):
                return self.answer(400, {"error": "expected a JSON object {\"fqdn\", \"value\"} or {\"domain\", \"token\", \"keyAuth\"}"})
            if not fqdn.endswith(".") or not (fqdn.lower() == zone or fqdn.lower().endswith("." + zone)):
                return self.answer(400, {"error": "fqdn %s is not an absolute name in zone %s" % (fqdn, zone)})
            if '"' in value or "\\" in value:
                return self.answer(400, {"error": "value holds a quote or a backslash"})
            present = self.path == "/present"
            command = ("update add %s 30 TXT \"%s\"" if present else "update delete %s TXT \"%s\"") % (fqdn, value)
            with lock:
                failure = nsupdate(args.nameserver, args.zone, [command], args.key_file)
            if failure:
                return self.answer(502, {"error": "the DNS update failed: %s" % failure})
            print("%s %s %s" % ("PRESENT" if present else "CLEANUP", fqdn, value), flush=True)
            self.answer(200, {"fqdn": fqdn, "value": value})

        def log_message(self, *_):
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--zone", required=True)
    parser.add_argument("--nameserver", required=True)
    parser.add_argument("--key-file", required=True)
    parser.add_argument("--username")
    args = parser.parse_args()
    password = os.environ.get("HTTPREQ_SERVER_PASSWORD", "")
    if args.username is not None and not password:
        sys.exit("--username needs HTTPREQ_SERVER_PASSWORD in the environment")
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(args, password, threading.Lock()))
    server.socket.listen(128)  # room for a burst of connections: socketserver listens with 5
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("READY %d" % server.server_address[1], flush=True)
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
