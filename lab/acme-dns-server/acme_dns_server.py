#!/usr/bin/env python3
"""An acme-dns server (https://github.com/joohoi/acme-dns) for tests: its HTTP API as documented,
publishing each subdomain's TXT values in a lab zone by RFC 2136 update (nsupdate with the
lab's TSIG key file) instead of serving DNS itself.

  acme_dns_server.py --zone delegated.test --nameserver 127.0.0.2 --key-file KEYFILE
                     [--next-subdomain NAME]

- POST /register (optional body {"allowfrom": [...]}) → 201 {"username", "password",
  "fulldomain", "subdomain", "allowfrom"}; the subdomain is a fresh UUID, or NAME for the first
  registration when --next-subdomain is given (the lab's zones hold fixed CNAMEs, e.g.
  _acme-challenge.alias.example.test → _acme-challenge.alias.delegated.test, and its TSIG keys
  may not add CNAMEs).
- POST /update with X-Api-User and X-Api-Key, body {"subdomain", "txt"} (txt: 43 characters of
  base64url) → 200 {"txt"}. Wrong or missing credentials → 401 {"error": "unauthorized"}; a
  subdomain other than the account's → 401 {"error": "forbidden"}; a malformed body or txt →
  400 {"error": "bad_subdomain" | "bad_txt" | "malformed_json_payload"}.
- Each subdomain keeps its two newest values: an update replaces the older one. There is no
  delete.

Listens on 127.0.0.1 on a free port, prints "READY <port>", logs "REGISTER <subdomain>" and
"UPDATE <subdomain> <txt>", and when stdin closes removes every value it published (so the lab
zone is left as it was) and exits.
"""
import argparse
import hmac
import json
import re
import secrets
import signal
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import os
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from dnsupdate import nsupdate  # noqa: E402  (lab/dnsupdate.py)

TXT = re.compile(r"^[A-Za-z0-9_-]{43}$")


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.accounts = {}   # username -> (password, subdomain)
        self.values = {}     # subdomain -> [older, newer]
        self.next_subdomain = args.next_subdomain

    def fulldomain(self, subdomain):
        return "%s.%s" % (subdomain, self.args.zone.rstrip("."))

    def nsupdate(self, commands):
        return nsupdate(self.args.nameserver, self.args.zone, commands, self.args.key_file)

    def publish(self, subdomain, txt):
        """Makes `txt` the newest value of `subdomain`; the oldest of three goes."""
        old = self.values.get(subdomain, [])
        new = (old + [txt])[-2:]
        name = self.fulldomain(subdomain) + "."
        commands = ["update delete %s TXT \"%s\"" % (name, v) for v in set(old) - set(new)]
        commands += ["update add %s 1 TXT \"%s\"" % (name, v) for v in set(new) - set(old)]
        failure = self.nsupdate(commands) if commands else None
        if failure is None:
            self.values[subdomain] = new
        return failure

    def remove_all(self):
        commands = ["update delete %s. TXT \"%s\"" % (self.fulldomain(s), v) for s, vs in self.values.items() for v in set(vs)]
        if commands:
            self.nsupdate(commands)


def handler(state):
    class Handler(BaseHTTPRequestHandler):
        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/register":
                return self.register(raw)
            if self.path == "/update":
                return self.update(raw)
            self.answer(404, {"error": "not_found"})

        def register(self, raw):
            allowfrom = []
            if raw.strip():
                try:
                    allowfrom = json.loads(raw).get("allowfrom", [])
                except (ValueError, AttributeError):
                    return self.answer(400, {"error": "malformed_json_payload"})
            with state.lock:
                subdomain, state.next_subdomain = (state.next_subdomain or str(uuid.uuid4())), None
                username, password = str(uuid.uuid4()), secrets.token_urlsafe(30)
                state.accounts[username] = (password, subdomain)
            print("REGISTER %s" % subdomain, flush=True)
            self.answer(201, {"username": username, "password": password, "fulldomain": state.fulldomain(subdomain),
                              "subdomain": subdomain, "allowfrom": allowfrom})

        def update(self, raw):
            user, key = self.headers.get("X-Api-User", ""), self.headers.get("X-Api-Key", "")
            account = state.accounts.get(user)
            if account is None or not hmac.compare_digest(account[0], key):
                return self.answer(401, {"error": "unauthorized"})
            try:
                body = json.loads(raw)
                subdomain, txt = body["subdomain"], body["txt"]
            except (ValueError, KeyError, TypeError):
                return self.answer(400, {"error": "malformed_json_payload"})
            if not isinstance(subdomain, str) or not subdomain:
                return self.answer(400, {"error": "bad_subdomain"})
            if subdomain != account[1]:
                return self.answer(401, {"error": "forbidden"})
            if not isinstance(txt, str) or not TXT.match(txt):
                return self.answer(400, {"error": "bad_txt"})
            with state.lock:
                failure = state.publish(subdomain, txt)
            if failure:
                return self.answer(500, {"error": "db_error: %s" % failure})
            print("UPDATE %s %s" % (subdomain, txt), flush=True)
            self.answer(200, {"txt": txt})

        def log_message(self, *_):
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--zone", required=True)
    parser.add_argument("--nameserver", required=True)
    parser.add_argument("--key-file", required=True)
    parser.add_argument("--next-subdomain")
    state = State(parser.parse_args())
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(state))
    server.socket.listen(128)  # room for a burst of connections: socketserver listens with 5
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # The test closes stdin and may send SIGTERM at once: either way, clean up first.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("READY %d" % server.server_address[1], flush=True)
    try:
        sys.stdin.read()
    finally:
        server.shutdown()
        with state.lock:
            state.remove_all()


if __name__ == "__main__":
    main()
