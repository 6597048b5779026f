"""The resource types the test server serves: discovery facts and the columns of their Tables."""

import datetime


def human_duration(seconds):
    """kubectl's AGE notation: 45s, 3m20s, 25m, 5h10m, 20h, 3d4h, 30d, 2y100d, 9y."""
    seconds = int(seconds)
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        rest = seconds % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = seconds // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if days == 0 else f"{hours // 24 // 365}y{days}d"
    return f"{hours // 24 // 365}y"


def parse_time(text):
    try:
        return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return None


def age(obj, now):
    created = parse_time(obj.get("metadata", {}).get("creationTimestamp"))
    if created is None:
        return "<unknown>"
    return human_duration((now - created).total_seconds())


def condition(obj, kind, field):
    for c in (obj.get("status") or {}).get("conditions") or []:
        if isinstance(c, dict) and c.get("type") == kind:
            value = c.get(field)
            return "" if value is None else str(value)
    return ""


def dig(obj, *path):
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _ingress_hosts(obj):
    hosts = [r.get("host") for r in (dig(obj, "spec", "rules") or []) if isinstance(r, dict) and r.get("host")]
    if not hosts:
        return "*"
    text = ",".join(hosts[:4])
    if len(hosts) > 4:
        text = ",".join(hosts[:3]) + f" + {len(hosts) - 3} more..."
    return text


def _ingress_address(obj):
    out = []
    for entry in dig(obj, "status", "loadBalancer", "ingress") or []:
        if isinstance(entry, dict):
            out.append(entry.get("ip") or entry.get("hostname") or "")
    return ",".join(x for x in out if x)


def _ingress_ports(obj):
    return "80, 443" if dig(obj, "spec", "tls") else "80"


class Column:
    def __init__(self, name, func, type_="string", fmt="", description="", priority=0):
        self.name = name
        self.func = func
        self.type = type_
        self.format = fmt
        self.description = description
        self.priority = priority

    def definition(self):
        return {"name": self.name, "type": self.type, "format": self.format,
                "description": self.description, "priority": self.priority}


NAME = Column("Name", lambda o, now: o["metadata"].get("name", ""), fmt="name",
              description="Name must be unique within a namespace.")
AGE = Column("Age", age, description="CreationTimestamp is the time the object was created.")


class ResourceType:
    def __init__(self, group, version, kind, plural, namespaced, short_names=(), categories=(),
                 status=False, generation=False, columns=(), crd=False):
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.singular = kind.lower()
        self.namespaced = namespaced
        self.short_names = list(short_names)
        self.categories = list(categories)
        self.has_status = status
        self.has_generation = generation
        self.columns = [NAME] + list(columns) + [AGE]
        self.crd = crd

    @property
    def api_version(self):
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_resource(self):
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def list_kind(self):
        return self.kind + "List"

    def verbs(self):
        return ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"] \
            if self.kind != "Namespace" else ["create", "delete", "get", "list", "patch", "update", "watch"]

    def type_prefix(self):
        """The JSON text that starts a full object: `{"kind":"Secret","apiVersion":"v1",`."""
        return ('{"kind":"%s","apiVersion":"%s",' % (self.kind, self.api_version)).encode()


def _crd_columns(*extra):
    return extra


RESOURCES = [
    ResourceType("", "v1", "Namespace", "namespaces", False, short_names=["ns"], status=True,
                 columns=[Column("Status", lambda o, now: dig(o, "status", "phase") or "",
                                 description="The status of the namespace")]),
    ResourceType("", "v1", "Secret", "secrets", True,
                 columns=[Column("Type", lambda o, now: o.get("type", ""), description="The type of the secret"),
                          Column("Data", lambda o, now: len(o.get("data") or {}), type_="integer",
                                 description="The number of entries in the data")]),
    ResourceType("", "v1", "ConfigMap", "configmaps", True, short_names=["cm"],
                 columns=[Column("Data", lambda o, now: len(o.get("data") or {}) + len(o.get("binaryData") or {}),
                                 type_="integer", description="The number of entries in the data")]),
    ResourceType("networking.k8s.io", "v1", "Ingress", "ingresses", True, short_names=["ing"], status=True,
                 generation=True,
                 columns=[Column("Class", lambda o, now: dig(o, "spec", "ingressClassName") or "<none>",
                                 description="The name of the IngressClass resource that should be used"),
                          Column("Hosts", lambda o, now: _ingress_hosts(o), description="Hosts that incoming requests are matched against"),
                          Column("Address", lambda o, now: _ingress_address(o), description="Address is a list containing ingress points for the load-balancer"),
                          Column("Ports", lambda o, now: _ingress_ports(o), description="Ports of TLS configurations that open")]),
    ResourceType("coordination.k8s.io", "v1", "Lease", "leases", True,
                 columns=[Column("Holder", lambda o, now: dig(o, "spec", "holderIdentity") or "",
                                 description="HolderIdentity contains the identity of the holder of a current lease")]),
    ResourceType("cert-manager.io", "v1", "Certificate", "certificates", True, short_names=["cert", "certs"],
                 categories=["cert-manager"], status=True, generation=True, crd=True,
                 columns=[Column("Ready", lambda o, now: condition(o, "Ready", "status")),
                          Column("Secret", lambda o, now: dig(o, "spec", "secretName") or ""),
                          Column("Issuer", lambda o, now: dig(o, "spec", "issuerRef", "name") or "", priority=1),
                          Column("Status", lambda o, now: condition(o, "Ready", "message"), priority=1)]),
    ResourceType("cert-manager.io", "v1", "CertificateRequest", "certificaterequests", True, short_names=["cr", "crs"],
                 categories=["cert-manager"], status=True, generation=True, crd=True,
                 columns=[Column("Approved", lambda o, now: condition(o, "Approved", "status")),
                          Column("Denied", lambda o, now: condition(o, "Denied", "status")),
                          Column("Ready", lambda o, now: condition(o, "Ready", "status")),
                          Column("Issuer", lambda o, now: dig(o, "spec", "issuerRef", "name") or ""),
                          Column("Requester", lambda o, now: dig(o, "spec", "username") or ""),
                          Column("Status", lambda o, now: condition(o, "Ready", "message"), priority=1)]),
    ResourceType("cert-manager.io", "v1", "Issuer", "issuers", True, categories=["cert-manager"], status=True,
                 generation=True, crd=True,
                 columns=[Column("Ready", lambda o, now: condition(o, "Ready", "status")),
                          Column("Status", lambda o, now: condition(o, "Ready", "message"), priority=1)]),
    ResourceType("cert-manager.io", "v1", "ClusterIssuer", "clusterissuers", False, categories=["cert-manager"],
                 status=True, generation=True, crd=True,
                 columns=[Column("Ready", lambda o, now: condition(o, "Ready", "status")),
                          Column("Status", lambda o, now: condition(o, "Ready", "message"), priority=1)]),
]

RESOURCES.append(
    ResourceType("apiregistration.k8s.io", "v1", "APIService", "apiservices", False,
                 columns=[Column("Service", lambda o, now: "%s/%s" % (dig(o, "spec", "service", "namespace") or "",
                                                                      dig(o, "spec", "service", "name") or "")
                                 if dig(o, "spec", "service") else "Local",
                                 description="The service the group's requests go to"),
                          Column("Available", lambda o, now: condition(o, "Available", "status") or "True",
                                 description="Whether the service answers")]))

BY_PATH = {(r.group, r.version, r.plural): r for r in RESOURCES}
BY_KIND = {(r.api_version, r.kind): r for r in RESOURCES}


def groups():
    """[(group, version, [ResourceType])] in discovery order, the core group first."""
    out = {}
    for r in RESOURCES:
        out.setdefault((r.group, r.version), []).append(r)
    return [(g, v, rs) for (g, v), rs in out.items()]
