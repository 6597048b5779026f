"""The ingress controller's HTTP listener: routes each request (routing.py) to a Running Pod of the backend
Service and answers as ingress-nginx does, with the Pod's busybox httpd answer (busybox_httpd.py) or nginx's
own error pages."""

import datetime
import email.utils
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import busybox_httpd
import routing

REASONS = {302: "Found", 308: "Permanent Redirect", 400: "Bad Request", 404: "Not Found", 501: "Not Implemented",
           502: "Bad Gateway", 503: "Service Temporarily Unavailable"}


def nginx_page(code):
    title = f"{code} {REASONS[code]}"
    return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
            "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n").encode()


class Controller:
    def __init__(self, view, api, ingress_class):
        self.view = view
        self.api = api
        self.ingress_class = ingress_class
        self.turn = 0
        self.lock = threading.Lock()

    def ingresses(self, snapshot):
        classes = {name: obj for (_, name), obj in snapshot.objects["ingressclasses"].items()}
        return [i for i in snapshot.all("ingresses") if routing.handled(i, self.ingress_class, classes)]

    def answer(self, method, host, raw_path):
        """(status, headers, body, what happened for the log)."""
        snapshot = self.view.snapshot
        path = urllib.parse.urlsplit(raw_path).path or "/"
        ingresses = self.ingresses(snapshot)
        found = routing.route(ingresses, host, path)
        if found is None:
            return 404, {"Content-Type": "text/html"}, nginx_page(404), "no rule (default backend)"
        meta = found.ingress["metadata"]
        where = f"ingress {meta.get('namespace')}/{meta.get('name')}"
        if routing.redirects_to_https(found, lambda: self.has_certificate(ingresses, host)):
            return 308, {"Content-Type": "text/html", "Location": f"https://{host}{raw_path}"}, nginx_page(308), \
                f"{where}: redirect to https"
        pods, problem = self.endpoints(snapshot, meta.get("namespace", ""), found.backend)
        if not pods:
            return 503, {"Content-Type": "text/html"}, nginx_page(503), f"{where}: {problem}"
        with self.lock:
            self.turn += 1
            start = self.turn
        for i in range(len(pods)):
            pod, port = pods[(start + i) % len(pods)]
            served = self.pod_answer(snapshot, pod, port, method, raw_path)
            if served is not None:
                code, headers, body = served
                return code, headers, body, f"{where}: pod {pod['metadata']['name']}:{port}"
        return 502, {"Content-Type": "text/html"}, nginx_page(502), f"{where}: nothing listens on the pods' port"

    def has_certificate(self, ingresses, host):
        for namespace, name in routing.tls_secrets(ingresses, host):
            secret = self.api.get(f"/api/v1/namespaces/{namespace}/secrets/{urllib.parse.quote(name)}")
            if secret is not None and secret.get("type") == "kubernetes.io/tls":
                return True
        return False

    @staticmethod
    def endpoints(snapshot, namespace, backend):
        """([(Running Pod, target port number)], why there are none) for an Ingress backend."""
        service_ref = backend.get("service") if isinstance(backend, dict) else None
        if not isinstance(service_ref, dict):
            return [], "backend is not a Service"
        service = snapshot.get("services", namespace, service_ref.get("name"))
        if service is None:
            return [], f"service {service_ref.get('name')} does not exist"
        wanted = service_ref.get("port") or {}
        spec = service.get("spec") or {}
        port = next((p for p in spec.get("ports") or []
                     if ("number" in wanted and p.get("port") == wanted["number"]) or
                     ("name" in wanted and p.get("name") == wanted["name"])), None)
        if port is None:
            return [], f"service {service_ref.get('name')} has no port {wanted}"
        selector = spec.get("selector") or {}
        if not selector:
            return [], f"service {service_ref.get('name')} has no selector"
        target = port.get("targetPort", port.get("port"))
        out = []
        for pod in snapshot.all("pods"):
            meta = pod["metadata"]
            status = pod.get("status") or {}
            if meta.get("namespace") != namespace or meta.get("deletionTimestamp"):
                continue
            if not _selects(selector, meta.get("labels") or {}) or status.get("phase") != "Running":
                continue
            ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])
            number = _container_port(pod, target)
            if ready and number is not None:
                out.append((pod, number))
        return out, f"service {service_ref.get('name')} has no Running and Ready pod"

    @staticmethod
    def pod_answer(snapshot, pod, port, method, raw_path):
        """The answer of the container listening on `port` in the Pod, or None (connection refused)."""
        running = {s.get("name") for s in (pod.get("status") or {}).get("containerStatuses") or []
                   if (s.get("state") or {}).get("running") is not None}
        for container in (pod.get("spec") or {}).get("containers") or []:
            if container.get("name") not in running:
                continue
            httpd = busybox_httpd.parse(container)
            if httpd.outcome == "serving" and httpd.port == port:
                tree = busybox_httpd.files(snapshot, pod, container)
                return busybox_httpd.answer(httpd, tree, method, raw_path)
        return None


def _selects(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


def _container_port(pod, target):
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    for container in (pod.get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == target:
                return port.get("containerPort")
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def handle_one(self):
        host = self.headers.get("Host") or ""
        if not host.startswith("["):  # [IPv6]:port keeps its colons
            host = host.rsplit(":", 1)[0]
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        try:
            code, headers, body, what = self.server.controller.answer(self.command, host, self.path)
        except Exception as exc:  # an emulation bug answers 500 and says why in the log
            code, headers, body, what = 500, {"Content-Type": "text/plain"}, b"data plane error\n", f"error: {exc}"
        sys.stderr.write(f"{datetime.datetime.now().strftime('%H:%M:%S.%f')[:-3]} {self.command} {host}{self.path} "
                         f"-> {code} ({what})\n")
        self.send_response_only(code, REASONS.get(code, "OK" if code == 200 else None))
        self.send_header("Server", "nginx")
        self.send_header("Date", email.utils.formatdate(usegmt=True))
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = handle_one


class Listener(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # room for a burst of connections: socketserver's default is 5
    allow_reuse_address = True
