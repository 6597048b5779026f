#!/usr/bin/env python3
"""A Kubernetes API test server that the real kubectl accepts. See README.md in this folder."""

import argparse
import csv
import datetime
import json
import os
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kts_aggregation  # noqa: E402
import kts_errors as errors  # noqa: E402
import kts_gc  # noqa: E402
import kts_negotiation as negotiation  # noqa: E402
import kts_openapi  # noqa: E402
import kts_protobuf  # noqa: E402
import kts_rbac  # noqa: E402
import kts_reviews  # noqa: E402
from kts_errors import ApiError  # noqa: E402
from kts_resources import BY_KIND, BY_PATH, RESOURCES, groups  # noqa: E402
from kts_selectors import parse_field_selector, parse_label_selector  # noqa: E402
from kts_store import Store  # noqa: E402
from kts_tokens import TOKEN_REQUEST, ServiceAccountTokens  # noqa: E402

SERVER_VERSION = {
    "major": "1", "minor": "32", "gitVersion": "v1.32.0-kube-test-server", "gitCommit": "0" * 40,
    "gitTreeState": "clean", "buildDate": "2024-12-11T00:00:00Z", "goVersion": "go1.23.4",
    "compiler": "gc", "platform": "linux/amd64",
}
TABLE_CT = "application/json;as=Table;v=%s;g=meta.k8s.io"
DISCOVERY_CT = "application/json;g=apidiscovery.k8s.io;v=%s;as=APIGroupDiscoveryList"
PATCH_TYPES = {
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/json-patch+json": "json",
    "application/apply-patch+yaml": "apply",
    "application/apply-patch+cbor": None,
}
DEFAULT_POLICY = [
    {"groups": ["system:masters"], "verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]},
    {"users": ["admin"], "verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]},
    {"users": ["reader"], "verbs": ["get", "list", "watch"], "apiGroups": [""], "resources": ["secrets"],
     "namespaces": ["team-a"]},
]
# Subresources that only take a POST (verb create): a ServiceAccount's TokenRequest, a Pod's Binding (what a
# scheduler writes to put a Pod on a node).
CREATE_SUBRESOURCES = {("token", "ServiceAccount"), ("binding", "Pod")}
VERB_OF_METHOD = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}
PUBLIC_PATHS = ("/version", "/healthz", "/readyz", "/livez")
DISCOVERY_PREFIXES = ("/api", "/apis", "/openapi", "/version", "/healthz", "/readyz", "/livez")


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


class User:
    def __init__(self, name, groups_):
        self.name = name
        self.groups = list(groups_) + ["system:authenticated"]


class Faults:
    """Injected failures, consumed one per matching request."""

    # How long a held request waits for its release at most, so that a test that dies before
    # releasing it does not hold a server thread for ever.
    HOLD_LIMIT = 300

    def __init__(self):
        self.lock = threading.Lock()
        self.queue = []
        self.holds = {}

    def add(self, spec):
        with self.lock:
            spec = dict(spec)
            spec["count"] = int(spec.get("count", 1))
            self.queue.append(spec)

    def clear(self):
        with self.lock:
            self.queue.clear()
            for event in self.holds.values():
                event.set()
            self.holds.clear()

    def _hold(self, name):
        with self.lock:
            return self.holds.setdefault(name, threading.Event())

    def wait(self, name):
        """Holds a request until `release(name)` (which may also come first)."""
        self._hold(name).wait(self.HOLD_LIMIT)

    def release(self, name):
        self._hold(name).set()

    def take(self, method, path):
        with self.lock:
            for spec in self.queue:
                if spec.get("method") and spec["method"].upper() != method:
                    continue
                if spec.get("path") and not re.search(spec["path"], path):
                    continue
                spec["count"] -= 1
                if spec["count"] <= 0:
                    self.queue.remove(spec)
                return dict(spec)
        return None

    def snapshot(self):
        with self.lock:
            return [dict(s) for s in self.queue]


class App:
    def __init__(self, args):
        self.store = Store(protobuf=not args.json_only)
        self.faults = Faults()
        self.seeds = args.seed or []
        self.tokens = load_tokens(args.tokens) if args.tokens else {}
        self.service_account_tokens = ServiceAccountTokens()
        self.policy = json.load(open(args.policy))["rules"] if args.policy else DEFAULT_POLICY
        self.quiet = args.quiet
        self.json_only = args.json_only
        self.log_lock = threading.Lock()
        self.requests = []
        self.load_seeds()

    def load_seeds(self):
        for path in self.seeds:
            with open(path, "rb") as f:
                self.seed_documents(f.read(), path.endswith(".json"))

    def seed_documents(self, data, is_json=False):
        if is_json:
            parsed = json.loads(data)
            docs = parsed if isinstance(parsed, list) else [parsed]
        else:
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            docs = list(yaml.load_all(data, Loader=loader))
        count = 0
        for doc in docs:
            if doc is None:
                continue
            items = doc.get("items") or [] if isinstance(doc, dict) and doc.get("kind", "").endswith("List") else [doc]
            for item in items:
                self.store.upsert_seed(item)
                count += 1
        return count

    def allowed(self, user, verb, group, resource, namespace, name=None):
        """(allowed, reason): the built-in (or --policy) rules, then the RBAC objects in the store."""
        if self.policy_allows(user, verb, group, resource, namespace):
            return True, ""
        return kts_rbac.authorize(self.store, user, verb, group, resource, namespace, name)

    def service_account(self, namespace, name):
        with self.store.lock:
            entry = self.store.index(BY_KIND[("v1", "ServiceAccount")]).objects.get((namespace, name))
            return entry.obj if entry else None

    def policy_rules(self, user, namespace):
        """The built-in (or --policy) rules that apply to the user in `namespace`."""
        return [rule for rule in self.policy
                if (user.name in rule.get("users", []) or set(user.groups) & set(rule.get("groups", [])))
                and ("namespaces" not in rule or _matches(rule["namespaces"], namespace or None))]

    def policy_allows(self, user, verb, group, resource, namespace):
        for rule in self.policy:
            if not (user.name in rule.get("users", []) or set(user.groups) & set(rule.get("groups", []))):
                continue
            if not _matches(rule.get("verbs"), verb) or not _matches(rule.get("apiGroups"), group):
                continue
            if not _matches(rule.get("resources"), resource):
                continue
            if "namespaces" in rule and not _matches(rule["namespaces"], namespace or None):
                continue
            return True
        return False

    @property
    def protobuf(self):
        """Whether requests that ask for protobuf get it (--json-only at start, then /_test/encoding)."""
        return self.store.protobuf

    @protobuf.setter
    def protobuf(self, on):
        self.store.protobuf = on

    def record(self, entry):
        with self.log_lock:
            self.requests.append(entry)
            if len(self.requests) > 5000:
                del self.requests[:1000]


def _matches(allowed, value):
    if allowed is None:
        return False
    return "*" in allowed or value in allowed


def load_tokens(path):
    """kube-apiserver's static token file: token,user,uid,"group1,group2"."""
    tokens = {}
    with open(path, newline="") as f:
        for row in csv.reader(f):
            if not row or row[0].startswith("#"):
                continue
            groups_ = [g for g in row[3].split(",") if g] if len(row) > 3 else []
            tokens[row[0].strip()] = User(row[1].strip(), groups_)
    return tokens


# ---------------------------------------------------------------------------------------------- discovery

def api_resource(r):
    out = {"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced, "kind": r.kind,
           "verbs": r.verbs()}
    if r.short_names:
        out["shortNames"] = r.short_names
    if r.categories:
        out["categories"] = r.categories
    return out


def resource_list(group, version, rtypes):
    resources = []
    for r in rtypes:
        resources.append(api_resource(r))
        if r.has_status:
            resources.append({"name": r.plural + "/status", "singularName": "", "namespaced": r.namespaced,
                              "kind": r.kind, "verbs": ["get", "patch", "update"]})
        if r.kind == "Pod":
            resources.append({"name": "pods/binding", "singularName": "", "namespaced": True, "kind": "Binding",
                              "verbs": ["create"]})
        if r.kind == "ServiceAccount":
            resources.append({"name": r.plural + "/token", "singularName": "", "namespaced": True,
                              "group": TOKEN_REQUEST["group"], "version": TOKEN_REQUEST["version"],
                              "kind": TOKEN_REQUEST["kind"], "verbs": ["create"]})
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{version}" if group else version,
            "resources": resources}


def api_group(group, version):
    gv = {"groupVersion": f"{group}/{version}", "version": version}
    return {"name": group, "versions": [gv], "preferredVersion": gv}


def aggregated(core, version):
    items = []
    for group, ver, rtypes in groups():
        if (group == "") != core:
            continue
        resources = []
        for r in rtypes:
            entry = {"resource": r.plural, "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
                     "scope": "Namespaced" if r.namespaced else "Cluster", "singularResource": r.singular,
                     "verbs": r.verbs()}
            if r.short_names:
                entry["shortNames"] = r.short_names
            if r.categories:
                entry["categories"] = r.categories
            if r.has_status:
                entry["subresources"] = [{"subresource": "status", "responseKind": {"group": r.group, "version": r.version,
                                                                                  "kind": r.kind},
                                          "verbs": ["get", "patch", "update"]}]
            if r.kind == "Pod":
                entry["subresources"].append({"subresource": "binding", "responseKind": {"group": "", "version": "v1",
                                                                                          "kind": "Binding"},
                                              "verbs": ["create"]})
            if r.kind == "ServiceAccount":
                entry["subresources"] = [{"subresource": "token", "responseKind": TOKEN_REQUEST, "verbs": ["create"]}]
            resources.append(entry)
        items.append({"metadata": {"name": group, "creationTimestamp": None},
                      "versions": [{"version": ver, "resources": resources, "freshness": "Current"}]})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": f"apidiscovery.k8s.io/{version}",
            "metadata": {}, "items": items}


# ---------------------------------------------------------------------------------------------- tables

def table(rtype, entries, include, list_meta, version, now):
    columns = [c.definition() for c in rtype.columns]
    rows = []
    for entry in entries:
        cells = [c.func(entry.obj, now) for c in rtype.columns]
        row = b'{"cells":' + dumps(cells)
        if include == "Object":
            row += b',"object":' + rtype.full(entry)
        elif include != "None":
            row += b',"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":' + \
                dumps(entry.obj["metadata"]) + b"}"
        rows.append(row + b"}")
    return (b'{"kind":"Table","apiVersion":"meta.k8s.io/' + version.encode() + b'","metadata":' + dumps(list_meta) +
            b',"columnDefinitions":' + dumps(columns) + b',"rows":[' + b",".join(rows) + b"]}")


def discovery_version(accept):
    for part in accept.split(","):
        if "as=APIGroupDiscoveryList" in part and "g=apidiscovery.k8s.io" in part:
            m = re.search(r"v=(v2beta1|v2)\b", part)
            if m:
                return m.group(1)
        elif part.split(";")[0].strip() in ("application/json", "*/*"):
            return None
    return None


# ---------------------------------------------------------------------------------------------- HTTP

class Response:
    def __init__(self, code, body, content_type="application/json", headers=None):
        self.code = code
        self.body = body
        self.content_type = content_type
        self.headers = headers or {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kube-test-server"
    timeout = 300

    def setup(self):
        self.request.settimeout(30)
        try:
            self.request.do_handshake()
        except (ssl.SSLError, OSError):
            self.request.close()
            raise
        self.request.settimeout(self.timeout)
        super().setup()

    def log_message(self, fmt, *args):
        if not self.server.app.quiet:
            sys.stderr.write("%s %s\n" % (datetime.datetime.now().strftime("%H:%M:%S.%f")[:-3], fmt % args))

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    # -- plumbing

    def dispatch(self):
        app = self.server.app
        started = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            raw = self.read_chunked()
        else:
            raw = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        user = self.authenticate(app)
        close = False
        try:
            if path.startswith("/_test/"):
                if user is None:
                    raise errors.unauthorized()
                if "system:masters" not in user.groups and user.name != "admin":
                    raise errors.forbidden(None, None, f'User "{user.name}" cannot {self.command.lower()} path "{path}"')
                response = self.test_endpoint(app, path, raw)
            else:
                if user is None and path not in PUBLIC_PATHS:
                    raise errors.unauthorized()
                fault = app.faults.take(self.command, path) if path not in PUBLIC_PATHS else None
                if fault:
                    if fault.get("hold"):
                        app.faults.wait(str(fault["hold"]))
                    if fault.get("delayMs"):
                        time.sleep(float(fault["delayMs"]) / 1000)
                    if fault.get("closeConnection"):
                        close = True
                        raise ConnectionAbortedError()
                    if fault.get("status"):
                        raise errors.injected(int(fault["status"]), fault.get("retryAfter"))
                response = self.route(app, path, query, raw, user)
        except ApiError as exc:
            response = self.error_response(exc, path)
        except ConnectionAbortedError:
            response = None
        except Exception as exc:  # a bug here must still answer like a server would
            import traceback
            traceback.print_exc()
            response = self.error_response(errors.ApiError(500, "InternalError", f"Internal error occurred: {exc}"), path)
        app.record({"method": self.command, "path": path, "query": url.query, "user": user.name if user else None,
                    "contentType": self.headers.get("Content-Type"), "accept": self.headers.get("Accept"),
                    "userAgent": self.headers.get("User-Agent"),
                    "status": response.code if response else 0,
                    "answerContentType": response.content_type if response else None,
                    "ms": round((time.monotonic() - started) * 1000, 1)})
        if close or response is None:
            self.close_connection = True
            try:
                self.request.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send(response)

    def read_chunked(self):
        out = b""
        while True:
            size = int(self.rfile.readline().strip().split(b";")[0], 16)
            if size == 0:
                self.rfile.readline()
                return out
            out += self.rfile.read(size)
            self.rfile.readline()

    def send(self, response):
        reason = self.responses.get(response.code, ("",))[0]
        head = [f"HTTP/1.1 {response.code} {reason}", f"Content-Type: {response.content_type}",
                f"Content-Length: {len(response.body)}", "Cache-Control: no-cache, private",
                f"Audit-Id: {uuid.uuid4()}",
                "Date: " + self.date_time_string()]
        for k, v in response.headers.items():
            head.append(f"{k}: {v}")
        if self.close_connection:
            head.append("Connection: close")
        data = ("\r\n".join(head) + "\r\n\r\n").encode()
        if self.command != "HEAD":
            data += response.body
        self.wfile.write(data)
        self.log_request(response.code, len(response.body))

    def authenticate(self, app):
        cert = self.request.getpeercert()
        if cert:
            cn, orgs = None, []
            for rdn in cert.get("subject", ()):
                for key, value in rdn:
                    if key == "commonName":
                        cn = value
                    elif key == "organizationName":
                        orgs.append(value)
            if cn:
                return User(cn, orgs)
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip()
            if token in app.tokens:
                return app.tokens[token]
            account = app.service_account_tokens.authenticate(token, app.service_account)
            return User(*account) if account else None
        return None

    def accept(self):
        return self.headers.get("Accept", "") or ""

    def json(self, obj, code=200, content_type="application/json"):
        return Response(code, dumps(obj), content_type)

    def status_response(self, status, code, headers=None):
        """A metav1.Status in protobuf when the request asks for that before JSON, else in JSON."""
        if self.server.app.protobuf and negotiation.for_status(self.accept()) == negotiation.PROTOBUF:
            return Response(code, kts_protobuf.status_answer(status), kts_protobuf.CONTENT_TYPE, headers)
        return Response(code, dumps(status), headers=headers)

    def error_response(self, exc, path):
        if path.startswith("/_test/"):
            return Response(exc.code, exc.body(), headers=exc.headers)
        return self.status_response(exc.status(), exc.code, exc.headers)

    def answer_encoding(self, rtype):
        """How this request's object or list answer is encoded (kts_negotiation)."""
        app = self.server.app
        encodable = app.protobuf and kts_protobuf.answers(rtype.api_version, rtype.kind)
        refusal = negotiation.refusal(rtype) if app.protobuf and not encodable else None
        return negotiation.for_object(self.accept(), encodable, refusal)

    def protobuf_message(self, rtype, entry):
        if entry.protobuf is None:
            try:
                entry.protobuf = kts_protobuf.object_message(rtype.api_version, rtype.kind, entry.obj)
            except ValueError as exc:
                raise errors.ApiError(500, "InternalError", f"Internal error occurred: kube-test-server cannot "
                                      f"encode {rtype.kind} {entry.obj['metadata'].get('name')!r} in protobuf: {exc}")
        return entry.protobuf

    # -- test endpoints

    def test_endpoint(self, app, path, raw):
        method = self.command
        if path == "/_test/faults/release" and method == "POST":
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict) or not isinstance(body.get("hold"), str):
                raise errors.bad_request('send {"hold": "NAME"}')
            app.faults.release(body["hold"])
            return self.json({"released": body["hold"]})
        if path == "/_test/faults":
            if method == "GET":
                return self.json({"faults": app.faults.snapshot()})
            if method == "DELETE":
                app.faults.clear()
                return self.json({"faults": []})
            specs = json.loads(raw or b"{}")
            for spec in specs if isinstance(specs, list) else [specs]:
                if spec.get("expireContinue"):
                    with app.store.lock:
                        app.store.continue_epoch += 1
                    rest = {k: v for k, v in spec.items() if k != "expireContinue"}
                    if not any(k in rest for k in ("status", "delayMs", "closeConnection", "hold")):
                        continue
                    spec = rest
                app.faults.add(spec)
            return self.json({"faults": app.faults.snapshot()})
        if path == "/_test/encoding":
            if method == "POST":
                body = json.loads(raw or b"{}")
                if not isinstance(body, dict) or not isinstance(body.get("protobuf"), bool):
                    raise errors.bad_request('send {"protobuf": true|false}')
                app.protobuf = body["protobuf"]
            return self.json({"protobuf": app.protobuf})
        if path == "/_test/reset" and method == "POST":
            with app.store.lock:
                app.protobuf = not app.json_only
                app.store.reset()
                app.faults.clear()
                app.load_seeds()
            with app.log_lock:
                app.requests.clear()
            return self.json({"reset": True})
        if path == "/_test/seed" and method == "POST":
            ct = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            try:
                count = app.seed_documents(raw, ct == "application/json")
            except yaml.YAMLError as exc:
                raise errors.bad_request(f"seed: {exc}")
            return self.json({"seeded": count})
        if path == "/_test/requests":
            if method == "DELETE":
                with app.log_lock:
                    app.requests.clear()
                return self.json({"requests": []})
            with app.log_lock:
                return self.json({"requests": list(app.requests)})
        raise errors.path_not_found()

    # -- routing

    def route(self, app, path, query, raw, user):
        method = self.command
        accept = self.accept()
        if path in ("/healthz", "/readyz", "/livez"):
            return Response(200, b"ok", "text/plain; charset=utf-8")
        if path == "/version":
            return self.json(SERVER_VERSION)
        if path.startswith("/openapi"):
            if path == "/openapi/v2":
                if kts_openapi.PROTOBUF_V2 in accept:
                    return Response(200, kts_openapi.V2_PROTOBUF, kts_openapi.PROTOBUF_V2_ANSWER)
                return self.json(kts_openapi.V2_DOCUMENT)
            if path == "/openapi/v3":
                return self.json(kts_openapi.v3_root())
            m = re.match(r"^/openapi/v3/(?:api/(v1)|apis/([^/]+)/([^/]+))$", path)
            if m:
                group, version = (m.group(2) or ""), (m.group(1) or m.group(3))
                if any((g, v) == (group, version) for g, v, _ in groups()):
                    return self.json(kts_openapi.v3_group(group, version))
            raise errors.path_not_found()
        if path == "/api":
            if method != "GET":
                raise errors.method_not_allowed(f'the server does not allow this method on the requested resource')
            dv = discovery_version(accept)
            if dv:
                return Response(200, dumps(aggregated(True, dv)), DISCOVERY_CT % dv, {"Vary": "Accept"})
            return self.json({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": f"127.0.0.1:{self.server.server_port}"}]})
        if path == "/apis":
            dv = discovery_version(accept)
            if dv:
                return Response(200, dumps(aggregated(False, dv)), DISCOVERY_CT % dv, {"Vary": "Accept"})
            return self.json({"kind": "APIGroupList", "apiVersion": "v1",
                              "groups": [api_group(g, v) for g, v, _ in groups() if g]})
        segments = path.strip("/").split("/")
        if segments[0] == "api" and len(segments) >= 2:
            group, version, rest = "", segments[1], segments[2:]
        elif segments[0] == "apis" and len(segments) >= 2:
            if len(segments) == 2:
                match = [api_group(g, v) for g, v, _ in groups() if g == segments[1]]
                if not match:
                    raise errors.path_not_found()
                return self.json(dict(kind="APIGroup", apiVersion="v1", **match[0]))
            group, version, rest = segments[1], segments[2], segments[3:]
        else:
            raise errors.path_not_found()
        rtypes = [rs for g, v, rs in groups() if (g, v) == (group, version)]
        if not rtypes and group:
            apiservice = kts_aggregation.find(app.store, BY_PATH[("apiregistration.k8s.io", "v1", "apiservices")], group, version)
            if apiservice is not None:
                return self.aggregated(apiservice, group, rest, user, raw)
        if not rtypes:
            raise errors.path_not_found()
        if not rest:
            return self.json(resource_list(group, version, rtypes[0]))
        namespace, name, sub = "", None, None
        if rest[0] == "namespaces" and len(rest) >= 3 and (group, version, rest[2]) in BY_PATH \
                and BY_PATH[(group, version, rest[2])].namespaced:
            namespace = rest[1]
            rtype = BY_PATH[(group, version, rest[2])]
            tail = rest[3:]
        else:
            rtype = BY_PATH.get((group, version, rest[0]))
            if rtype is None:
                raise errors.path_not_found()
            tail = rest[1:]
        if len(tail) > 2:
            raise errors.path_not_found()
        if tail:
            name = tail[0]
        if len(tail) == 2:
            sub = tail[1]
            if not (sub == "status" and rtype.has_status) and (sub, rtype.kind) not in CREATE_SUBRESOURCES:
                raise errors.path_not_found()
        if rtype.namespaced is False and namespace:
            raise errors.path_not_found()
        return self.resource(app, rtype, namespace, name, sub, query, raw, user)

    def aggregated(self, apiservice, group, rest, user, raw):
        """A request under an aggregated group: authorized here, answered by the backend."""
        verb = VERB_OF_METHOD.get(self.command) if rest else "get"
        namespace = rest[1] if len(rest) >= 3 and rest[0] == "namespaces" else ""
        resource = (rest[2] if namespace else rest[0]) if rest else ""
        allowed, reason = self.server.app.allowed(user, verb or "get", group, resource, namespace)
        if not allowed:
            raise errors.forbidden(None, None, f'User "{user.name}" cannot {verb} resource "{resource}" in API group "{group}" at the cluster scope' +
                                   (f": {reason}" if reason else ""))
        status, body, content_type = kts_aggregation.proxy(apiservice, self.command, urllib.parse.urlsplit(self.path).path,
                                                           urllib.parse.urlsplit(self.path).query, self.headers, raw)
        return Response(status, body, content_type)

    def resource(self, app, rtype, namespace, name, sub, query, raw, user):
        method = self.command
        store = app.store
        watch = query.get("watch") in ("true", "1")
        if method == "GET":
            verb = "watch" if watch else ("get" if name else "list")
        elif method == "DELETE" and not name:
            verb = "deletecollection"
        else:
            verb = VERB_OF_METHOD.get(method)
        creates = (sub, rtype.kind) in CREATE_SUBRESOURCES
        if verb is None or (name is None and method in ("PUT", "PATCH")) or (name and method == "POST" and not creates):
            raise errors.method_not_allowed("the server does not allow this method on the requested resource")
        if creates and method != "POST":
            raise errors.method_not_allowed("the server does not allow this method on the requested resource")
        if creates:
            verb = "create"
        if rtype.review:
            if method != "POST" or name:
                raise errors.method_not_allowed("the server does not allow this method on the requested resource")
            body = self.parse_body(raw)
            if rtype.kind == "SelfSubjectAccessReview":
                return self.json(kts_reviews.access_review(app, user, body), 201)
            if rtype.kind == "SelfSubjectRulesReview":
                return self.json(kts_reviews.rules_review(app, user, body), 201)
            return self.json(kts_reviews.who_am_i(user), 201)
        check_name = name if name else None
        resource = rtype.plural + ("/" + sub if sub else "")
        allowed, reason = app.allowed(user, verb, rtype.group, resource, namespace, check_name)
        if not allowed:
            if namespace:
                where = f'in the namespace "{namespace}"'
            else:
                where = "at the cluster scope"
            raise errors.forbidden(rtype, check_name,
                                   f'User "{user.name}" cannot {verb} resource "{resource}" in API group '
                                   f'"{rtype.group}" {where}' + (f": {reason}" if reason else ""))
        if sub == "binding":
            store.bind(namespace, name, self.parse_body(raw))
            return self.status_response({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                                         "code": 201}, 201)
        if sub == "token":
            account = store.get(rtype, namespace, name).obj
            return self.json(app.service_account_tokens.request(account, self.parse_body(raw)), 201)
        if watch:
            raise errors.method_not_allowed("watch is not supported by kube-test-server")
        self.answer = self.answer_encoding(rtype)
        dry_run = query.get("dryRun") == "All"
        manager = query.get("fieldManager") or (self.headers.get("User-Agent") or "unknown").split("/")[0]
        if method == "GET" and name:
            entry = store.get(rtype, namespace, name)
            return self.object_response(rtype, entry, 200)
        if method == "GET":
            return self.list_response(app, rtype, namespace, query)
        if method == "POST":
            obj = self.parse_body(raw)
            entry = store.create(rtype, namespace, obj, manager, dry_run)
            return self.object_response(rtype, entry, 201)
        if method == "PUT":
            obj = self.parse_body(raw)
            entry = store.update(rtype, namespace, name, obj, manager, dry_run, sub)
            return self.object_response(rtype, entry, 200)
        if method == "PATCH":
            ct = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            patch_type = PATCH_TYPES.get(ct)
            if patch_type is None:
                raise errors.unsupported_media_type(
                    f"the body of the request was in an unknown format - accepted media types include: "
                    f"application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml" +
                    ("" if rtype.crd else ", application/strategic-merge-patch+json"))
            if patch_type == "apply":
                if not query.get("fieldManager"):
                    raise ApiError(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required '
                                   'value: is required for apply patch',
                                   {"group": "meta.k8s.io", "kind": "PatchOptions",
                                    "causes": [{"reason": "FieldValueRequired", "message": "Required value: is "
                                                "required for apply patch", "field": "fieldManager"}]})
                body = self.parse_yaml(raw)
            else:
                body = self.parse_body(raw)
            force = query.get("force") in ("true", "1")
            if force and patch_type != "apply":
                raise errors.bad_request("force is only supported for apply patches")
            exists = (namespace if rtype.namespaced else "", name) in store.index(rtype).objects
            entry = store.patch(rtype, namespace, name, patch_type, body, manager, dry_run, sub, force)
            return self.object_response(rtype, entry, 201 if patch_type == "apply" and not exists else 200)
        if method == "DELETE" and name:
            options = self.parse_body(raw) if raw.strip() else {}
            dry_run = dry_run or (options.get("dryRun") or []) == ["All"]
            entry = store.delete(rtype, namespace, name, options, dry_run, self.propagation_policy(options, query))
            if rtype.crd or rtype.kind in ("Namespace", "Pod"):
                return self.object_response(rtype, entry, 200)
            return self.status_response({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                                         "details": {"name": name, **({"group": rtype.group} if rtype.group else {}),
                                                     "kind": rtype.plural, "uid": entry.obj["metadata"]["uid"]}}, 200)
        if method == "DELETE":
            labels = parse_label_selector(query.get("labelSelector"))
            fields_ = parse_field_selector(query.get("fieldSelector"), rtype)
            options = self.parse_body(raw) if raw.strip() else {}
            policy = self.propagation_policy(options, query)
            with store.lock:
                entries, _, _, rv = store.list(rtype, namespace, labels, fields_)
                for entry in entries:
                    meta = entry.obj["metadata"]
                    store.delete(rtype, meta.get("namespace", ""), meta["name"], None, dry_run, policy)
            return self.list_body(rtype, entries, {"resourceVersion": rv})
        raise errors.method_not_allowed("the server does not allow this method on the requested resource")

    @staticmethod
    def propagation_policy(options, query):
        if not isinstance(options, dict):
            raise errors.bad_request("the body of a delete must be a DeleteOptions object")
        policy = kts_gc.propagation_policy(options, query)
        if policy not in kts_gc.POLICIES:
            supported = ", ".join(f'"{p}"' for p in ("Foreground", "Background", "Orphan", "nil"))
            raise errors.invalid_kind("DeleteOptions", "meta.k8s.io", "", [
                errors.FieldError("notsupported", "propagationPolicy", f"supported values: {supported}", policy)])
        return policy

    def parse_body(self, raw):
        ct = (self.headers.get("Content-Type") or "application/json").split(";")[0].strip()
        if ct == "application/vnd.kubernetes.protobuf":
            try:
                return kts_protobuf.decode(raw)
            except (ValueError, IndexError, UnicodeDecodeError) as exc:
                raise errors.unsupported_media_type(f"the body of the request was in an unknown format - accepted "
                                                    f"media types include: application/json, application/yaml ({exc})")
        try:
            if ct in ("application/yaml", "application/apply-patch+yaml"):
                return self.parse_yaml(raw)
            return json.loads(raw or b"null")
        except ValueError as exc:
            raise errors.bad_request(f"couldn't get version/kind; json parse error: {exc}")

    def parse_yaml(self, raw):
        try:
            return yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as exc:
            raise errors.bad_request(f"error decoding YAML: {exc}")

    def object_response(self, rtype, entry, code):
        encoding, tv = self.answer
        if encoding == negotiation.TABLE:
            now = datetime.datetime.now(datetime.timezone.utc)
            include = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("includeObject", ["Metadata"])[-1]
            body = table(rtype, [entry], include, {"resourceVersion": entry.obj["metadata"]["resourceVersion"]}, tv, now)
            return Response(code, body, TABLE_CT % tv)
        if encoding == negotiation.PROTOBUF:
            body = kts_protobuf.envelope(rtype.api_version, rtype.kind, self.protobuf_message(rtype, entry))
            return Response(code, body, kts_protobuf.CONTENT_TYPE)
        return Response(code, rtype.full(entry))

    def list_response(self, app, rtype, namespace, query):
        labels = parse_label_selector(query.get("labelSelector"))
        fields_ = parse_field_selector(query.get("fieldSelector"), rtype)
        try:
            limit = int(query.get("limit") or 0)
        except ValueError:
            raise errors.bad_request(f"invalid limit: {query.get('limit')}")
        entries, token, remaining, rv = app.store.list(rtype, namespace, labels, fields_, max(limit, 0),
                                                      query.get("continue") or None)
        meta = {"resourceVersion": rv}
        if token:
            meta["continue"] = token
        if remaining is not None:
            meta["remainingItemCount"] = remaining
        encoding, tv = self.answer
        if encoding == negotiation.TABLE:
            now = datetime.datetime.now(datetime.timezone.utc)
            return Response(200, table(rtype, entries, query.get("includeObject", "Metadata"), meta, tv, now),
                            TABLE_CT % tv)
        return self.list_body(rtype, entries, meta)

    def list_body(self, rtype, entries, meta):
        if self.answer[0] == negotiation.PROTOBUF:
            items = [self.protobuf_message(rtype, e) for e in entries]
            return Response(200, kts_protobuf.list_answer(rtype.api_version, rtype.list_kind, meta, items),
                            kts_protobuf.CONTENT_TYPE)
        if rtype.crd:
            items = b",".join(rtype.full(e) for e in entries)
        else:
            items = b",".join(rtype.body(e) for e in entries)
        body = (b'{"kind":"' + rtype.list_kind.encode() + b'","apiVersion":"' + rtype.api_version.encode() +
                b'","metadata":' + dumps(meta) + b',"items":[' + items + b"]}")
        return Response(200, body)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ssl.SSLError, ConnectionError, socket.timeout, TimeoutError, OSError)):
            return
        super().handle_error(request, client_address)


def _exit_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


def main():
    parser = argparse.ArgumentParser(description="Kubernetes API test server (see README.md)")
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=16443)
    parser.add_argument("--cert", required=True, help="server certificate (PEM, chain allowed)")
    parser.add_argument("--key", required=True, help="server private key (PEM)")
    parser.add_argument("--client-ca", help="CA that signs client certificates (CN = user, O = groups)")
    parser.add_argument("--tokens", help="static token file: token,user,uid,\"group1,group2\"")
    parser.add_argument("--policy", help="JSON file {\"rules\": [...]} replacing the built-in authorization rules")
    parser.add_argument("--seed", action="append", help="YAML (or .json) manifests loaded at start and on reset")
    parser.add_argument("--quiet", action="store_true", help="no per-request log lines")
    parser.add_argument("--json-only", action="store_true",
                        help="answer JSON even when a request asks for protobuf first (as before protobuf answers)")
    parser.add_argument("--ready", action="store_true",
                        help="print READY <port> on stdout once listening (--port 0: a free port) and exit when stdin "
                             "closes: for a test that starts a server of its own")
    args = parser.parse_args()
    if not args.address.startswith("127."):
        parser.error("--address must be a loopback address (127.0.0.0/8)")

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)
    context.set_alpn_protocols(["http/1.1"])
    if args.client_ca:
        context.load_verify_locations(args.client_ca)
        context.verify_mode = ssl.CERT_OPTIONAL

    app = App(args)
    server = Server((args.address, args.port), Handler)
    server.app = app
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    port = server.server_address[1]
    sys.stderr.write(f"kube-test-server listening on https://{args.address}:{port}\n")
    sys.stderr.flush()
    if args.ready:
        threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
        print(f"READY {port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
