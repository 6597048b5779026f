"""The data plane's client of the Kubernetes API test server: HTTPS with the lab's admin client certificate,
one kept-alive connection per thread, JSON both ways."""

import http.client
import json
import ssl
import threading
import urllib.parse


class ApiFailure(Exception):
    pass


class KubeApi:
    def __init__(self, server, ca, cert, key, timeout=10):
        url = urllib.parse.urlsplit(server)
        if url.scheme != "https" or not url.hostname:
            raise ValueError(f"--server must be an https:// URL, not {server!r}")
        self.host, self.port = url.hostname, url.port or 443
        self.context = ssl.create_default_context(cafile=ca)
        self.context.load_cert_chain(cert, key)
        self.timeout = timeout
        self.local = threading.local()

    def _connection(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=self.timeout)
            self.local.conn = conn
        return conn

    def request(self, method, path, body=None, content_type="application/json"):
        """(status, parsed JSON answer); one retry on a fresh connection when the kept-alive one was closed."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Accept": "application/json", "User-Agent": "lab-data-plane/1"}
        if data is not None:
            headers["Content-Type"] = content_type
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=data, headers=headers)
                answer = conn.getresponse()
                raw = answer.read()
                break
            except (http.client.HTTPException, OSError) as exc:
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise ApiFailure(f"{method} {path}: {exc}") from exc
        try:
            return answer.status, json.loads(raw or b"null")
        except ValueError as exc:
            raise ApiFailure(f"{method} {path}: answer is not JSON ({exc})") from exc

    def list(self, path):
        """The items of a list, every page."""
        items, token = [], None
        while True:
            query = {"limit": "500"}
            if token:
                query["continue"] = token
            status, body = self.request("GET", f"{path}?{urllib.parse.urlencode(query)}")
            if status != 200:
                raise ApiFailure(f"GET {path}: {status} {(body or {}).get('message', '')}")
            items += body.get("items") or []
            token = body["metadata"].get("continue")
            if not token:
                return items

    def resource_version(self):
        """The store's current resourceVersion (it changes on every write), from the cheapest list there is, with
        the uid of the namespace listed: a restarted server may come back to a resourceVersion seen before."""
        status, body = self.request("GET", "/api/v1/namespaces?limit=1")
        if status != 200:
            raise ApiFailure(f"GET /api/v1/namespaces: {status}")
        first = (body.get("items") or [{}])[0].get("metadata", {}).get("uid")
        return body["metadata"].get("resourceVersion"), first

    def get(self, path):
        """The object, or None when it does not exist."""
        status, body = self.request("GET", path)
        if status == 404:
            return None
        if status != 200:
            raise ApiFailure(f"GET {path}: {status} {(body or {}).get('message', '')}")
        return body

    def patch_status(self, namespace, name, status):
        path = f"/api/v1/namespaces/{namespace}/pods/{name}/status"
        code, body = self.request("PATCH", path, {"status": status}, "application/merge-patch+json")
        if code not in (200, 404):
            raise ApiFailure(f"PATCH {path}: {code} {(body or {}).get('message', '')}")

    def create_event(self, namespace, event):
        path = f"/api/v1/namespaces/{namespace}/events"
        code, body = self.request("POST", path, event)
        if code not in (201, 404):
            raise ApiFailure(f"POST {path}: {code} {(body or {}).get('message', '')}")

    def bind(self, namespace, name, node):
        path = f"/api/v1/namespaces/{namespace}/pods/{name}/binding"
        binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": name, "namespace": namespace},
                   "target": {"apiVersion": "v1", "kind": "Node", "name": node}}
        code, body = self.request("POST", path, binding)
        if code not in (201, 404, 409):
            raise ApiFailure(f"POST {path}: {code} {(body or {}).get('message', '')}")
