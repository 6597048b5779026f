"""ingress-nginx's routing, from the Ingresses of its class: which backend a request for (host, path) reaches,
and whether the controller redirects it to HTTPS first.

As ingress-nginx builds its nginx configuration: one server per host named in the rules (exact names and
`*.` wildcards, which match exactly one more label), plus the default server `_` for rules without a host;
a request goes to the server of its exact host, else of the longest wildcard matching it, else `_`. A server's
locations come from every Ingress with rules for that host, the oldest Ingress first on a duplicate path;
nginx picks an `Exact` path (`location = /p`) before any prefix, then the longest prefix: `Prefix` matches
whole path elements (`/p` and `/p/...`), `ImplementationSpecific` is a plain string prefix, as nginx's own.
An Ingress's `spec.defaultBackend` serves the paths of its own hosts that no rule matches. Not emulated:
ingress-nginx also makes the defaultBackend of an Ingress without rules the catch-all for every host no
server names; in the shared lab, where many tests leave such Ingresses behind, that would turn every
unrouted request's 404 into whatever they point at."""

ACME_PATH = "/.well-known/acme-challenge"
CLASS_ANNOTATION = "kubernetes.io/ingress.class"
DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"


class Route:
    """Where a request goes: `ingress` (the Ingress whose rule matched) and its `backend`, or no route."""

    def __init__(self, ingress, backend, path):
        self.ingress = ingress
        self.backend = backend
        self.path = path


def _dig(obj, *path):
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def handled(ingress, ingress_class, classes):
    """Whether the controller of `ingress_class` takes this Ingress: the legacy annotation when set, else
    spec.ingressClassName, else the class marked the cluster's default."""
    annotation = (_dig(ingress, "metadata", "annotations") or {}).get(CLASS_ANNOTATION)
    if annotation is not None:
        return annotation == ingress_class
    name = _dig(ingress, "spec", "ingressClassName")
    if name is not None:
        return name == ingress_class
    own = classes.get(ingress_class)
    return own is not None and (_dig(own, "metadata", "annotations") or {}).get(DEFAULT_CLASS_ANNOTATION) == "true"


def host_matches(rule_host, host):
    if rule_host.startswith("*."):
        suffix = rule_host[1:]
        return host.endswith(suffix) and "." not in host[:-len(suffix)] and len(host) > len(suffix)
    return rule_host == host


def _elements(path):
    return [p for p in path.split("/") if p]


def path_match(path_type, rule_path, request_path):
    """(exact?, length) when the rule's path matches the request's, else None."""
    rule_path = rule_path or "/"
    if path_type == "Exact":
        return (True, len(rule_path)) if request_path == rule_path else None
    if path_type == "Prefix":
        wanted = _elements(rule_path)
        return (False, len("/".join(wanted))) if _elements(request_path)[:len(wanted)] == wanted else None
    return (False, len(rule_path)) if request_path.startswith(rule_path) else None


def _age(ingress):
    meta = ingress.get("metadata") or {}
    return meta.get("creationTimestamp") or "", meta.get("namespace", ""), meta.get("name", "")


def route(ingresses, host, request_path):
    """The Route for a request, or None (the controller's default backend: 404). `ingresses`: those of the
    controller's class."""
    host = host.lower()
    ordered = sorted(ingresses, key=_age)
    hosts = {(r.get("host") or "").lower() for i in ordered for r in _dig(i, "spec", "rules") or []
             if isinstance(r, dict)}
    if host in hosts:
        server = host
    else:
        wildcards = sorted((h for h in hosts if h.startswith("*.") and host_matches(h, host)), key=len, reverse=True)
        server = wildcards[0] if wildcards else ""
    best, best_rank = None, None
    fallback = None
    for ingress in ordered:
        rules = [r for r in _dig(ingress, "spec", "rules") or [] if isinstance(r, dict)]
        for rule in rules:
            if (rule.get("host") or "").lower() != server:
                continue
            if fallback is None and _dig(ingress, "spec", "defaultBackend"):
                fallback = Route(ingress, ingress["spec"]["defaultBackend"], "/")
            for entry in _dig(rule, "http", "paths") or []:
                if not isinstance(entry, dict):
                    continue
                found = path_match(entry.get("pathType") or "ImplementationSpecific", entry.get("path"), request_path)
                if found is None:
                    continue
                rank = (found[0], found[1])
                if best_rank is None or rank > best_rank:
                    best, best_rank = Route(ingress, entry.get("backend") or {}, entry.get("path") or "/"), rank
    return best or fallback


def tls_secrets(ingresses, host):
    """(namespace, secretName) of every TLS section, in the Ingresses of the class, that names the host: the
    certificate of the host's nginx server comes from any of them."""
    out = []
    for ingress in sorted(ingresses, key=_age):
        for tls in _dig(ingress, "spec", "tls") or []:
            if not isinstance(tls, dict) or not tls.get("secretName"):
                continue
            if any(host_matches(str(h).lower(), host.lower()) for h in tls.get("hosts") or []):
                out.append((ingress["metadata"].get("namespace", ""), tls["secretName"]))
    return out


def redirects_to_https(route, has_certificate):
    """Whether ingress-nginx answers 308 to https instead of proxying: `force-ssl-redirect`, or `ssl-redirect`
    (true by default) when the host's server has a certificate (`has_certificate()`: a TLS section names the
    host and its Secret exists); never for a location under /.well-known/acme-challenge (its
    `no-tls-redirect-locations` default)."""
    if (route.path or "/").startswith(ACME_PATH):
        return False
    annotations = _dig(route.ingress, "metadata", "annotations") or {}
    if annotations.get("nginx.ingress.kubernetes.io/force-ssl-redirect") == "true":
        return True
    if annotations.get("nginx.ingress.kubernetes.io/ssl-redirect", "true") != "true":
        return False
    return has_certificate()
