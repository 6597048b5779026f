#!/usr/bin/env python3
"""A cert-manager DNS-01 webhook solver for the tests: it speaks the webhook protocol
(acme.cert-manager.io/v1alpha1 ChallengePayload) and publishes into the lab's real DNS with a
TSIG-signed `nsupdate`, as an installed solver publishes into its provider.

Started by the tests (never by hand). Prints "READY <port>" once it listens on 127.0.0.1, logs
every request it gets as one JSON line on stdout ("REQUEST {...}"), and exits when its stdin
closes.

  webhook_solver.py --cert C --key K --group G --solver S --key-file K.key --nameserver HOST[:PORT]

It answers `POST /apis/<G>/v1alpha1/<S>` and the discovery document of `/apis/<G>/v1alpha1`.
Each request is checked as cert-manager sends it: apiVersion and kind, a uid, action Present
or CleanUp, type dns-01, dnsName, key, resourceNamespace, resolvedFQDN (absolute),
resolvedZone (absolute, a suffix of resolvedFQDN), allowAmbientCredentials false, config an
object. A request that fails a check, or whose config says {"refuse": "text"}, gets
success: false with a status message, as a real solver reports a provider's refusal.
"""
import argparse
import json
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import os
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from dnsupdate import nsupdate  # noqa: E402  (lab/dnsupdate.py)

ARGS = None
LOCK = threading.Lock()


def problems(payload):
    """What is wrong with a ChallengePayload, in words; empty when it is as cert-manager sends it."""
    found = []
    if payload.get("apiVersion") != "acme.cert-manager.io/v1alpha1":
        found.append("apiVersion must be acme.cert-manager.io/v1alpha1")
    if payload.get("kind") != "ChallengePayload":
        found.append("kind must be ChallengePayload")
    request = payload.get("request")
    if not isinstance(request, dict):
        return found + ["request is missing"]
    for field in ("uid", "dnsName", "key", "resourceNamespace", "resolvedFQDN", "resolvedZone"):
        if not isinstance(request.get(field), str) or not request[field]:
            found.append("request.%s must be a non-empty string" % field)
    if request.get("action") not in ("Present", "CleanUp"):
        found.append("request.action must be Present or CleanUp")
    if request.get("type") != "dns-01":
        found.append("request.type must be dns-01")
    if request.get("allowAmbientCredentials") is not False:
        found.append("request.allowAmbientCredentials must be false")
    if "config" in request and not isinstance(request["config"], dict):
        found.append("request.config must be an object")
    fqdn, zone = request.get("resolvedFQDN") or "", request.get("resolvedZone") or ""
    if fqdn and zone and not (fqdn.endswith(".") and zone.endswith(".") and (fqdn == zone or fqdn.endswith("." + zone))):
        found.append("request.resolvedFQDN must be an absolute name inside resolvedZone")
    return found


def publish(action, fqdn, zone, value):
    verb = "update add %s 60 TXT \"%s\"" % (fqdn, value) if action == "Present" else "update delete %s TXT \"%s\"" % (fqdn, value)
    return nsupdate(ARGS.nameserver, zone, [verb], ARGS.key_file)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.rstrip("/") == "/apis/%s/v1alpha1" % ARGS.group:
            return self.reply(200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "%s/v1alpha1" % ARGS.group,
                                    "resources": [{"name": ARGS.solver, "singularName": ARGS.solver, "namespaced": False,
                                                   "kind": "ChallengePayload", "verbs": ["create"]}]})
        self.reply(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404, "message": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path != "/apis/%s/v1alpha1/%s" % (ARGS.group, ARGS.solver):
            return self.reply(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404, "message": "no solver at %s" % self.path})
        try:
            payload = json.loads(raw)
        except ValueError:
            return self.reply(400, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "BadRequest", "code": 400, "message": "the body is not JSON"})
        with LOCK:
            print("REQUEST " + json.dumps(payload, sort_keys=True), flush=True)
        request = payload.get("request") if isinstance(payload.get("request"), dict) else {}
        failure = "; ".join(problems(payload)) or None
        config = request.get("config") or {}
        if failure is None and isinstance(config, dict) and config.get("refuse"):
            failure = str(config["refuse"])
        if failure is None:
            failure = publish(request["action"], request["resolvedFQDN"], request["resolvedZone"], request["key"])
        response = {"uid": request.get("uid", ""), "success": failure is None}
        if failure is not None:
            response["status"] = {"status": "Failure", "message": failure, "reason": "BadRequest", "code": 400}
        self.reply(200, {"apiVersion": "acme.cert-manager.io/v1alpha1", "kind": "ChallengePayload", "response": response})


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    for flag in ("--cert", "--key", "--group", "--solver", "--key-file", "--nameserver"):
        parser.add_argument(flag, required=True)
    ARGS = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket.listen(128)  # room for a burst of connections: socketserver listens with 5
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(ARGS.cert, ARGS.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("READY %d" % server.server_address[1], flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
