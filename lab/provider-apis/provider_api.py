#!/usr/bin/env python3
"""Local stand-ins for hosted DNS providers' HTTP APIs, for the adapter tests.

None of the hosted DNS services can run on the test machine. For each, a rules file in this
folder (`<provider>.py`) implements the part of the provider's public API an ACME client uses,
from the provider's API reference (cited at the top of the file): it checks every request as
documented — method, path, authentication, headers, JSON body, pagination parameters — and
answers as documented, errors included. What the server stores it also publishes in a real lab
zone through a TSIG-signed `nsupdate`, so the propagation checker, Pebble and both lab
nameservers see the records exactly as they would see the provider's.

Started by the tests (never by hand); prints "READY <port>" once it listens on 127.0.0.1 and
exits when its stdin closes. Rules with `plain_http = True` also get a plain-HTTP listener (for
a cloud metadata server), announced as "PLAIN <port>" before READY. A handler may answer `bytes`
(sent as they are, text/plain unless its headers name a Content-Type) instead of JSON.

  provider_api.py --provider NAME --cert C --key K --zone ZONE [--zone ZONE…]
                  --nameserver HOST[:PORT] --key-file TSIG.key --credential NAME=VALUE…

Test endpoints (no authentication; loopback only):
  POST /_lab/faults    {"status": 429, "count": 2, "headers": {"Retry-After": "1"}, "body": {...}}
                       the next `count` API requests get this answer instead (with "method"
                       and "path": the next requests of that method to that path)
  GET  /_lab/requests  every API request so far: method, path, query, header names, body
  GET  /_lab/records   what the server holds now (the rules' own view)
"""
import argparse
import importlib
import json
import os
import re
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from dnsupdate import nsupdate  # noqa: E402  (lab/dnsupdate.py)


class ApiError(Exception):
    """An answer the provider's API documents for a refused request."""

    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


class Request:
    def __init__(self, method, path, query, headers, raw, query_string=""):
        self.method, self.path, self.query, self.headers, self.raw = method, path, query, headers, raw
        # The query exactly as sent, for rules that check a signature over the whole URL.
        self.query_string = query_string
        self.match = None

    def json(self, error):
        """The body as JSON; `error(message)` builds the provider's own error for a bad body."""
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            raise error("Content-Type must be application/json, not %r" % self.headers.get("Content-Type"))
        try:
            return json.loads(self.raw or b"null")
        except ValueError:
            raise error("the body is not JSON")

    def arg(self, name, default=None):
        values = self.query.get(name)
        return values[0] if values else default


class Lab:
    """The state every rules file shares: the zones served, the records, and DNS publishing."""

    def __init__(self, zones, nameserver, key_file, credentials):
        self.zones = [z.rstrip(".").lower() for z in zones]
        self.nameserver, self.key_file, self.credentials = nameserver, key_file, credentials
        self.lock = threading.RLock()
        self.next_id = 1000

    def new_id(self):
        with self.lock:
            self.next_id += 1
            return self.next_id

    def zone_of(self, name):
        """The served zone holding `name` (absolute or not), or None."""
        name = name.rstrip(".").lower()
        matches = [z for z in self.zones if name == z or name.endswith("." + z)]
        return max(matches, key=len) if matches else None

    def publish(self, add, name, value, ttl=60):
        """Adds or removes one TXT value in the real zone; raises RuntimeError when BIND refuses."""
        zone = self.zone_of(name)
        if zone is None:
            raise RuntimeError("%s is in no zone this server publishes" % name)
        fqdn = name.rstrip(".") + "."
        verb = "update add %s %d TXT \"%s\"" % (fqdn, ttl, value) if add else "update delete %s TXT \"%s\"" % (fqdn, value)
        failure = nsupdate(self.nameserver, zone, [verb], self.key_file)
        if failure:
            raise RuntimeError(failure)


class Server:
    def __init__(self, rules, lab):
        self.rules, self.lab = rules, lab
        self.routes = [(method, re.compile(pattern), handler) for method, pattern, handler in rules.routes()]
        self.faults, self.log, self.lock = [], [], threading.Lock()

    def handle(self, handler, method):
        url = urlparse(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        headers = {k: v for k, v in handler.headers.items()}
        if url.path.startswith("/_lab/"):
            return self.lab_endpoint(handler, method, url.path, raw)
        request = Request(method, url.path, parse_qs(url.query, keep_blank_values=True), headers, raw, url.query)
        with self.lock:
            self.log.append({"method": method, "path": url.path, "query": url.query, "headers": sorted(headers),
                             "body": raw.decode("utf-8", "replace")})
            # The first queued fault for this request (one may name a method and a path).
            fault = next((f for f in self.faults if f.get("method", method) == method and f.get("path", url.path) == url.path), None)
            if fault is not None:
                self.faults.remove(fault)
        if fault:
            return self.reply(handler, fault.get("status", 500), fault.get("body", {}), fault.get("headers", {}))
        try:
            for route_method, pattern, route in self.routes:
                match = pattern.match(url.path)
                if match and route_method == method:
                    request.match = match
                    self.rules.authenticate(request)
                    status, body, *extra = route(request)
                    return self.reply(handler, status, body, extra[0] if extra else {})
            if any(p.match(url.path) for _, p, _ in self.routes):
                raise self.rules.error(405, "method %s not allowed on %s" % (method, url.path))
            raise self.rules.error(404, "no route for %s %s" % (method, url.path))
        except ApiError as error:
            return self.reply(handler, error.status, error.body, error.headers)

    def lab_endpoint(self, handler, method, path, raw):
        if path == "/_lab/faults" and method == "POST":
            fault = json.loads(raw)
            with self.lock:
                self.faults += [fault] * int(fault.get("count", 1))
            return self.reply(handler, 200, {"queued": len(self.faults)})
        if path == "/_lab/requests" and method == "GET":
            with self.lock:
                return self.reply(handler, 200, list(self.log))
        if path == "/_lab/records" and method == "GET":
            return self.reply(handler, 200, self.rules.snapshot())
        return self.reply(handler, 404, {"error": "no such test endpoint"})

    @staticmethod
    def reply(handler, status, body, headers=None):
        # A rules file answers bytes where the API answers something other than JSON.
        raw = isinstance(body, bytes)
        data = body if raw else b"" if body is None else json.dumps(body).encode()
        handler.send_response(status)
        if body is not None and not (raw and "Content-Type" in (headers or {})):
            handler.send_header("Content-Type", "text/plain; charset=utf-8" if raw else "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)


class PlainServer(ThreadingHTTPServer):
    # Room for a burst of connections: socketserver's default backlog is 5. (This was not what
    # made stand-in tests wait out "SSL connection timeout": that was the whole suite's load,
    # bounded since by @Suite(.lab), Tests/TestSupport/LabSlot.swift.)
    request_queue_size = 128


class TLSServer(PlainServer):
    """HTTPS whose TLS handshake runs in each connection's own thread, as a real server's does: with
    the listening socket wrapped instead, the handshake ran inside accept(), and one client slow to
    start TLS held up every other connection."""

    def __init__(self, address, handler, context):
        super().__init__(address, handler)
        self.context = context

    def finish_request(self, request, client_address):
        connection = self.context.wrap_socket(request, server_side=True)
        try:
            super().finish_request(connection, client_address)
        finally:
            connection.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--provider", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--zone", action="append", required=True)
    parser.add_argument("--nameserver", required=True)
    parser.add_argument("--key-file", required=True)
    parser.add_argument("--credential", action="append", default=[])
    args = parser.parse_args()
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    # The rules files import this module by name: let them find this very instance of it.
    sys.modules.setdefault("provider_api", sys.modules[__name__])
    credentials = dict(item.split("=", 1) for item in args.credential)
    lab = Lab(args.zone, args.nameserver, args.key_file, credentials)
    server = Server(importlib.import_module(args.provider.replace("-", "_")).Rules(lab), lab)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

    for verb in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        setattr(Handler, "do_" + verb, lambda self, verb=verb: server.handle(self, verb))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    httpd = TLSServer(("127.0.0.1", 0), Handler, context)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    if getattr(server.rules, "plain_http", False):
        # A service the provider's clients reach over plain HTTP (a cloud metadata server).
        plain = PlainServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=plain.serve_forever, daemon=True).start()
        print("PLAIN %d" % plain.server_address[1], flush=True)
    print("READY %d" % httpd.server_address[1], flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
