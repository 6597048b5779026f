#!/usr/bin/env python3
"""An HTTPS front for the lab's Pebble that adds ACME renewal information (RFC 9773).

Started by the tests (Tests/TestSupport/ARIProxyLab.swift), never by hand. Prints "READY <port>"
once it listens on 127.0.0.1; exits when its stdin closes.

  ari_proxy.py --upstream https://127.0.0.1:14000/dir --ca-bundle CA.pem --cert C --key K
               [--window past|now|future]

Every request goes to Pebble unchanged with the client's own Host header, so Pebble writes this
proxy's address into every URL it returns and checks each JWS `url` against it. On top of that:

- the directory gains `renewalInfo` (https://<host>/renewal-info);
- GET /renewal-info/<certID> answers a suggested window in the current mode (`past`: it ended
  a day ago; `now`: it holds this moment; `future`: it opens in five days) with Retry-After;
  a certID that does not parse gets a `malformed` problem (400);
- every certificate chain Pebble hands out is read, and its RFC 9773 identifier remembered with
  the account that fetched it and the names it covers;
- a newOrder with `replaces` is checked as RFC 9773 section 5 asks before it reaches Pebble: a
  certificate never issued here is refused as `malformed` (400), one another account got as
  `unauthorized` (403), one sharing no name with the order as `malformed` (400), and one an
  earlier order (not invalid) already replaces as `alreadyReplaced` (409). A refusal carries a
  fresh Replay-Nonce from Pebble. An accepted one is forwarded (Pebble 2.4 ignores the field)
  and its order objects gain `replaces`, which Pebble 2.4 does not keep;
- POST /admin/window {"mode": "past"|"now"|"future"} changes the mode;
- POST /admin/rate-limit {"orders": N, "retryAfter": S} refuses the next N newOrders as a CA's
  rate limit does: 429 `rateLimited` with `Retry-After: S`;
- GET /admin/stats answers {"orders": [{"names", "replaces", "refused", "problem"}],
  "issued": [certID, ...]}: the orders Pebble created (`refused` false) and the ones this proxy
  refused (`problem` is the short problem type), in the order they were settled; an order
  Pebble refused (a bad nonce, say) is not one.
"""
import argparse
import base64
import binascii
import datetime
import http.client
import json
import os
import re
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from cryptography import x509

RENEWAL_INFO_PATH = "/renewal-info"
RETRY_AFTER_SECONDS = 21600
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
              "upgrade", "expect", "content-length"}
WINDOWS = ("past", "now", "future")
BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
PROBLEM_PREFIX = "urn:ietf:params:acme:error:"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    """Strict unpadded base64url; raises ValueError on anything else."""
    if not BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as error:
        raise ValueError(str(error)) from error


def parse_cert_id(cert_id):
    """Checks the shape of an RFC 9773 certID: base64url(AKI keyIdentifier) "." base64url(serial),
    the serial being the content of a DER INTEGER that is positive. Returns an error text or None."""
    parts = cert_id.split(".")
    if len(parts) != 2:
        return "a certID is two base64url parts joined by one dot"
    try:
        key_identifier = unb64url(parts[0])
    except ValueError:
        return "the authority key identifier part is not unpadded base64url"
    try:
        serial = unb64url(parts[1])
    except ValueError:
        return "the serial number part is not unpadded base64url"
    if not key_identifier:
        return "the authority key identifier is empty"
    if serial[0] & 0x80:
        return "the serial number is negative (its DER encoding needs a leading zero byte)"
    if len(serial) > 1 and serial[0] == 0 and not serial[1] & 0x80:
        return "the serial number is not minimally DER-encoded"
    return None


def certificate_identifier(certificate):
    aki = certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    serial = certificate.serial_number
    return b64url(aki) + "." + b64url(serial.to_bytes(serial.bit_length() // 8 + 1, "big"))


def certificate_names(certificate):
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return set(san.get_values_for_type(x509.DNSName))


def rfc3339(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def suggested_window(mode, now):
    day = datetime.timedelta(days=1)
    start, end = {"past": (now - 3 * day, now - day), "now": (now - day, now + day),
                  "future": (now + 5 * day, now + 7 * day)}[mode]
    return {"start": rfc3339(start), "end": rfc3339(end)}


class Ledger:
    """What the proxy knows: the window mode, issued certificates, orders and replacements."""

    def __init__(self, window):
        self.lock = threading.Lock()
        self.window = window
        self.issued = {}        # certID -> {"account": kid, "names": set}
        self.issued_order = []  # certIDs, first seen first
        self.orders = []        # stats entries
        self.replaced_by = {}   # certID -> order path, or None while its order is being created
        self.rate_limited = (0, 0)  # (newOrders still to refuse, their Retry-After seconds)
        self.order_replaces = {}  # order path or finalize path -> (certID, order path)

    def record_certificate(self, pem, account):
        try:
            leaf = x509.load_pem_x509_certificates(pem)[0]
            cert_id = certificate_identifier(leaf)
        except (ValueError, IndexError, x509.ExtensionNotFound):
            return
        with self.lock:
            if cert_id not in self.issued:
                self.issued[cert_id] = {"account": account, "names": certificate_names(leaf)}
                self.issued_order.append(cert_id)

    def claim(self, replaces, account, names):
        """Reserves `replaces` for a new order, or returns (status, type, detail) refusing it."""
        with self.lock:
            known = self.issued.get(replaces)
            if known is None:
                return 400, "malformed", "no certificate with identifier %s was issued here" % replaces
            if known["account"] != account:
                return 403, "unauthorized", "certificate %s belongs to another account" % replaces
            if not known["names"] & set(names):
                return 400, "malformed", "the order shares no identifier with certificate %s" % replaces
            if replaces in self.replaced_by:
                return 409, "alreadyReplaced", "certificate %s has already been replaced by an earlier order" % replaces
            self.replaced_by[replaces] = None
            return None

    def settle(self, names, replaces, order_path=None, finalize_path=None, problem=None):
        """Records an order Pebble created (with its paths) or one this proxy refused (problem)."""
        with self.lock:
            self.orders.append({"names": names, "replaces": replaces, "refused": problem is not None,
                                "problem": problem})
            if replaces is not None and problem is None:
                self.replaced_by[replaces] = order_path
                for path in (order_path, finalize_path):
                    if path:
                        self.order_replaces[path] = (replaces, order_path)

    def release(self, replaces):
        """Frees a reservation whose order Pebble did not create."""
        with self.lock:
            if self.replaced_by.get(replaces, "") is None:
                del self.replaced_by[replaces]

    def replaces_for(self, path, status):
        """The certID an order at `path` replaces; an invalid order stops replacing it."""
        with self.lock:
            found = self.order_replaces.get(path)
            if found is None:
                return None
            cert_id, order_path = found
            if status == "invalid" and self.replaced_by.get(cert_id) == order_path:
                del self.replaced_by[cert_id]
            return cert_id

    def stats(self):
        with self.lock:
            return {"orders": list(self.orders), "issued": list(self.issued_order)}


class Upstream:
    """One keep-alive HTTPS connection to Pebble, owned by one client connection's thread."""

    def __init__(self, server):
        self.server = server
        self.connection = None

    def send(self, method, path, headers, body):
        reused = self.connection is not None
        try:
            return self.exchange(method, path, headers, body)
        except (ConnectionError, http.client.BadStatusLine):
            self.close()
            if not reused:
                raise
            # Pebble may have closed the idle connection just as we reused it: once more, on a new one.
            return self.exchange(method, path, headers, body)

    def exchange(self, method, path, headers, body):
        if self.connection is None:
            self.connection = http.client.HTTPSConnection(
                self.server.upstream_host, self.server.upstream_port,
                context=self.server.upstream_context, timeout=120)
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        return response.status, response.getheaders(), response.read()

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        self.upstream = Upstream(self.server)

    def finish(self):
        self.upstream.close()
        super().finish()

    # -- helpers --

    def host(self):
        return self.headers.get("Host") or "127.0.0.1:%d" % self.server.server_address[1]

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def write(self, status, headers, body):
        self.send_response_only(status)
        names = set()
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
                names.add(name.lower())
        if "date" not in names:
            self.send_header("Date", self.date_time_string())
        if status not in (204, 304):  # these carry no body, nor its length (RFC 9110 section 8.6)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(body)

    def write_json(self, status, payload, headers=(), content_type="application/json"):
        self.write(status, [("Content-Type", content_type), *headers], json.dumps(payload).encode())

    def forward(self, body):
        headers = [(name, value) for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP]
        return self.upstream.send(self.command, self.path, dict(headers), body or None)

    def fresh_nonce(self):
        _, headers, _ = self.upstream.send("HEAD", self.server.nonce_path, {"Host": self.host()}, None)
        return next((value for name, value in headers if name.lower() == "replay-nonce"), None)

    def problem(self, status, kind, detail, nonce=None, extra_headers=()):
        headers = [("Cache-Control", "no-store"),
                   ("Link", '<https://%s%s>;rel="index"' % (self.host(), self.server.directory_path))] + list(extra_headers)
        if nonce:
            headers.append(("Replay-Nonce", nonce))
        self.write_json(status, {"type": PROBLEM_PREFIX + kind, "detail": detail, "status": status},
                        headers, content_type="application/problem+json")

    # -- GET / HEAD --

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        try:
            self.answer_get()
        except (OSError, http.client.HTTPException) as error:
            self.unreachable(error)

    def do_POST(self):
        body = self.read_body()
        try:
            self.answer_post(body)
        except (OSError, http.client.HTTPException) as error:
            self.unreachable(error)

    def unreachable(self, error):
        self.upstream.close()
        self.write(502, [("Content-Type", "text/plain")],
                   ("the ARI proxy could not reach Pebble at %s:%d: %s\n"
                    % (self.server.upstream_host, self.server.upstream_port, error)).encode())

    def answer_get(self):
        path = urlsplit(self.path).path
        if path == "/admin/stats":
            self.write_json(200, self.server.ledger.stats())
        elif path.startswith(RENEWAL_INFO_PATH + "/"):
            self.renewal_info(path[len(RENEWAL_INFO_PATH) + 1:])
        elif path == self.server.directory_path:
            self.directory()
        else:
            self.relay(self.forward(None))

    def directory(self):
        status, headers, body = self.forward(None)
        if status == 200 and self.command == "GET":
            directory = json.loads(body)
            directory["renewalInfo"] = "https://%s%s" % (self.host(), RENEWAL_INFO_PATH)
            body = json.dumps(directory, indent=3).encode()
        self.write(status, headers, body)

    def renewal_info(self, cert_id):
        error = parse_cert_id(cert_id)
        if error:
            self.problem(400, "malformed", "%s is not a certificate identifier: %s" % (cert_id, error))
            return
        with self.server.ledger.lock:
            mode = self.server.ledger.window
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        self.write_json(200, {"suggestedWindow": suggested_window(mode, now)},
                        [("Retry-After", str(RETRY_AFTER_SECONDS))])

    # -- POST --

    def answer_post(self, body):
        path = urlsplit(self.path).path
        if path == "/admin/window":
            self.set_window(body)
        elif path == "/admin/rate-limit":
            self.set_rate_limit(body)
        elif path == self.server.new_order_path:
            self.new_order(body)
        else:
            self.relay(self.forward(body), account=self.jws_account(body))

    def set_window(self, body):
        try:
            mode = json.loads(body).get("mode")
        except (ValueError, AttributeError):
            mode = None
        if mode not in WINDOWS:
            self.write_json(400, {"error": "mode must be one of %s" % ", ".join(WINDOWS)})
            return
        with self.server.ledger.lock:
            self.server.ledger.window = mode
        self.write_json(200, {"mode": mode})

    def set_rate_limit(self, body):
        try:
            knob = json.loads(body)
            orders, retry_after = int(knob["orders"]), int(knob["retryAfter"])
        except (ValueError, KeyError, TypeError):
            self.write_json(400, {"error": 'expected {"orders": N, "retryAfter": SECONDS}'})
            return
        with self.server.ledger.lock:
            self.server.ledger.rate_limited = (orders, retry_after)
        self.write_json(200, {"orders": orders, "retryAfter": retry_after})

    def take_rate_limit(self):
        """The Retry-After of a refusal when the next newOrder is to be refused, else None."""
        ledger = self.server.ledger
        with ledger.lock:
            left, retry_after = ledger.rate_limited
            if left <= 0:
                return None
            ledger.rate_limited = (left - 1, retry_after)
            return retry_after

    @staticmethod
    def jws_parts(body):
        """(protected header, payload) of a flattened JWS, or (None, None) if it is not one."""
        try:
            jws = json.loads(body)
            protected = json.loads(unb64url(jws["protected"]))
            payload = json.loads(unb64url(jws["payload"])) if jws.get("payload") else None
            return protected, payload
        except (ValueError, KeyError, TypeError):
            return None, None

    def jws_account(self, body):
        protected, _ = self.jws_parts(body)
        return protected.get("kid") if isinstance(protected, dict) else None

    def new_order(self, body):
        protected, payload = self.jws_parts(body)
        if not isinstance(protected, dict) or not isinstance(payload, dict):
            self.relay(self.forward(body))  # Pebble says what is wrong with it
            return
        names = [item.get("value") for item in payload.get("identifiers") or [] if isinstance(item, dict)]
        replaces = payload.get("replaces")
        ledger = self.server.ledger
        retry_after = self.take_rate_limit()
        if retry_after is not None:
            ledger.settle(names, replaces, problem="rateLimited")
            self.problem(429, "rateLimited", "too many new orders recently (the proxy's rate-limit knob)",
                         nonce=self.fresh_nonce(), extra_headers=[("Retry-After", str(retry_after))])
            return
        if replaces is not None:
            refusal = ledger.claim(replaces, protected.get("kid"), names)
            if refusal:
                status, kind, detail = refusal
                ledger.settle(names, replaces, problem=kind)
                self.problem(status, kind, detail, nonce=self.fresh_nonce())
                return
        try:
            status, headers, response = self.forward(body)
        except Exception:
            if replaces is not None:
                ledger.release(replaces)
            raise
        if status != 201:
            if replaces is not None:
                ledger.release(replaces)
            self.write(status, headers, response)
            return
        order = json.loads(response)
        location = next((value for name, value in headers if name.lower() == "location"), "")
        ledger.settle(names, replaces, order_path=urlsplit(location).path,
                      finalize_path=urlsplit(order.get("finalize", "")).path)
        if replaces is not None:
            order["replaces"] = replaces
            response = json.dumps(order, indent=3).encode()
        self.write(status, headers, response)

    def relay(self, answer, account=None):
        """Passes Pebble's answer on, reading what passes through: certificate chains and orders."""
        status, headers, body = answer
        content_type = next((value for name, value in headers if name.lower() == "content-type"), "")
        if status == 200 and content_type.startswith("application/pem-certificate-chain"):
            self.server.ledger.record_certificate(body, account)
        elif status == 200 and content_type.startswith("application/json") and self.command == "POST":
            try:
                order = json.loads(body)
            except ValueError:
                order = None
            if isinstance(order, dict) and "finalize" in order:
                cert_id = self.server.ledger.replaces_for(urlsplit(self.path).path, order.get("status"))
                if cert_id is not None:
                    order["replaces"] = cert_id
                    body = json.dumps(order, indent=3).encode()
        self.write(status, headers, body)


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # room for a burst of connections: socketserver's default is 5

    def __init__(self, tls, upstream_url, upstream_context, window):
        super().__init__(("127.0.0.1", 0), Handler)
        self.tls = tls
        upstream = urlsplit(upstream_url)
        self.upstream_host, self.upstream_port = upstream.hostname, upstream.port or 443
        self.upstream_context = upstream_context
        self.directory_path = upstream.path
        self.ledger = Ledger(window)
        directory = self.fetch_directory()
        self.new_order_path = urlsplit(directory["newOrder"]).path
        self.nonce_path = urlsplit(directory["newNonce"]).path

    def fetch_directory(self):
        connection = http.client.HTTPSConnection(self.upstream_host, self.upstream_port,
                                                 context=self.upstream_context, timeout=30)
        try:
            connection.request("GET", self.directory_path)
            response = connection.getresponse()
            if response.status != 200:
                raise SystemExit("the upstream directory answered HTTP %d" % response.status)
            return json.loads(response.read())
        finally:
            connection.close()

    def finish_request(self, request, client_address):
        # The TLS handshake happens here, in the connection's own thread, not in accept().
        try:
            connection = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        super().finish_request(connection, client_address)

    def handle_error(self, request, client_address):
        print("ari_proxy: error serving %s: %s" % (client_address[0], sys.exc_info()[1]), file=sys.stderr, flush=True)


def exit_when_stdin_closes():
    """The test that started us holds our stdin; when it goes away, so do we."""
    sys.stdin.read()
    os._exit(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True, help="Pebble's directory URL")
    parser.add_argument("--ca-bundle", required=True, help="the CA Pebble's HTTPS certificate chains to")
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--window", choices=WINDOWS, default="future")
    args = parser.parse_args()
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(args.cert, args.key)
    tls.set_alpn_protocols(["http/1.1"])
    upstream_context = ssl.create_default_context(cafile=args.ca_bundle)
    server = ProxyServer(tls, args.upstream, upstream_context, args.window)
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
