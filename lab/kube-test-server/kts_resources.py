"""The resource types the test server serves: discovery facts and the columns of their Tables."""

import datetime
import json

import kts_events as events
import kts_workloads as workloads


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


def _since(obj, now, *path):
    then = parse_time(dig(obj, *path))
    return human_duration((now - then).total_seconds()) if then else None


def _containers(spec):
    return [c for c in (dig(spec, "template", "spec", "containers") or []) if isinstance(c, dict)]


def _container_names(spec):
    return ",".join(str(c.get("name", "")) for c in _containers(spec)) or "<none>"


def _container_images(spec):
    return ",".join(str(c.get("image", "")) for c in _containers(spec)) or "<none>"


def _selector(spec):
    selector = dig(spec, "selector")
    if not isinstance(selector, dict):
        return "<none>"
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        op, key, values = expr.get("operator", ""), expr.get("key", ""), expr.get("values") or []
        if op in ("In", "NotIn"):
            parts.append(f"{key} {op.lower()} ({','.join(values)})")
        elif op == "Exists":
            parts.append(key)
        elif op == "DoesNotExist":
            parts.append("!" + key)
    return ",".join(parts) or "<none>"


def _subjects(obj, kind):
    out = []
    for s in dig(obj, "subjects") or []:
        if isinstance(s, dict) and s.get("kind") == kind:
            out.append(f"{s.get('namespace', '')}/{s.get('name', '')}" if kind == "ServiceAccount" else s.get("name", ""))
    return ", ".join(out)


def _bool_pointer(value):
    return "<unset>" if value is None else ("True" if value else "False")


def _job_completions(obj):
    succeeded = dig(obj, "status", "succeeded") or 0
    completions = dig(obj, "spec", "completions")
    if completions is not None:
        return f"{succeeded}/{completions}"
    parallelism = dig(obj, "spec", "parallelism") or 0
    return f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"


def _job_duration(obj, now):
    start = parse_time(dig(obj, "status", "startTime"))
    if start is None:
        return ""
    end = parse_time(dig(obj, "status", "completionTime")) or now
    return human_duration((end - start).total_seconds())


def _job_status(obj):
    for kind, text in (("Complete", "Complete"), ("Failed", "Failed")):
        if condition(obj, kind, "status") == "True":
            return text
    if dig(obj, "metadata", "deletionTimestamp"):
        return "Terminating"
    for kind, text in (("Suspended", "Suspended"), ("FailureTarget", "FailureTarget")):
        if condition(obj, kind, "status") == "True":
            return text
    return "Running"


# The server-side printers of kube-apiserver 1.32 (pkg/printers/internalversion) for the kinds whose
# columns are not NAME ... AGE.
EVENT_COLUMNS = [
    Column("Last Seen", events.last_seen, description="The time at which the most recent occurrence of this event "
           "was recorded."),
    Column("Type", lambda o, now: o.get("type") or "", description="Type of this event (Normal, Warning)"),
    Column("Reason", lambda o, now: o.get("reason") or "", description="This should be a short, machine "
           "understandable string that gives the reason for the transition into the object's current status."),
    Column("Object", events.target, description="The object that this event is about."),
    Column("Subobject", events.sub_object, priority=1, description="The field of the object the event is about."),
    Column("Source", events.source, priority=1, description="The component reporting this event."),
    Column("Message", events.message, description="A human-readable description of the status of this operation."),
    Column("First Seen", events.first_seen, priority=1, description="The time at which the event was first "
           "recorded."),
    Column("Count", events.count, priority=1, description="The number of times this event has occurred."),
    Column("Name", lambda o, now: o["metadata"].get("name", ""), priority=1, fmt="name",
           description="Name must be unique within a namespace."),
]
ROLE_COLUMNS = [
    NAME,
    Column("Created At", lambda o, now: o["metadata"].get("creationTimestamp") or "", type_="date",
           description="CreationTimestamp is the time the object was created."),
]
BINDING_COLUMNS = [
    NAME,
    Column("Role", lambda o, now: f"{dig(o, 'roleRef', 'kind') or ''}/{dig(o, 'roleRef', 'name') or ''}",
           description="RoleRef can only reference the current namespace's Roles or the cluster's ClusterRoles."),
    AGE,
    Column("Users", lambda o, now: _subjects(o, "User"), priority=1, description="Users in the roleBinding"),
    Column("Groups", lambda o, now: _subjects(o, "Group"), priority=1, description="Groups in the roleBinding"),
    Column("ServiceAccounts", lambda o, now: _subjects(o, "ServiceAccount"), priority=1,
           description="ServiceAccounts in the roleBinding"),
]
CRONJOB_COLUMNS = [
    NAME,
    Column("Schedule", lambda o, now: dig(o, "spec", "schedule") or "", description="The schedule in Cron format"),
    Column("Timezone", lambda o, now: dig(o, "spec", "timeZone") or "<none>", description="The time zone name for "
           "the given schedule"),
    Column("Suspend", lambda o, now: _bool_pointer(dig(o, "spec", "suspend")), type_="boolean",
           description="This flag tells the controller to suspend subsequent executions."),
    Column("Active", lambda o, now: len(dig(o, "status", "active") or []), type_="integer",
           description="A list of pointers to currently running jobs."),
    Column("Last Schedule", lambda o, now: _since(o, now, "status", "lastScheduleTime") or "<none>",
           description="Information when was the last time the job was successfully scheduled."),
    AGE,
    Column("Containers", lambda o, now: _container_names(dig(o, "spec", "jobTemplate", "spec")), priority=1,
           description="Names of each container in the template."),
    Column("Images", lambda o, now: _container_images(dig(o, "spec", "jobTemplate", "spec")), priority=1,
           description="Images referenced by each container in the template."),
    Column("Selector", lambda o, now: _selector(dig(o, "spec", "jobTemplate", "spec")), priority=1,
           description="A label query over pods that should match the pod count."),
]
JOB_COLUMNS = [
    NAME,
    Column("Status", lambda o, now: _job_status(o), description="Status of the job."),
    Column("Completions", lambda o, now: _job_completions(o), description="The number of pods which reached phase "
           "Succeeded."),
    Column("Duration", _job_duration, description="Time required to complete the job."),
    AGE,
    Column("Containers", lambda o, now: _container_names(dig(o, "spec")), priority=1,
           description="Names of each container in the template."),
    Column("Images", lambda o, now: _container_images(dig(o, "spec")), priority=1,
           description="Images referenced by each container in the template."),
    Column("Selector", lambda o, now: _selector(dig(o, "spec")), priority=1,
           description="A label query over pods that should match the pod count."),
]
POD_COLUMNS = [
    NAME,
    Column("Ready", workloads.pod_ready, description="The aggregate readiness state of this pod for accepting "
           "traffic."),
    Column("Status", workloads.pod_status, description="The aggregate status of the containers in this pod."),
    Column("Restarts", workloads.pod_restarts, description="The number of times the containers in this pod have "
           "been restarted and when the last container in this pod has restarted."),
    AGE,
    Column("IP", lambda o, now: dig(o, "status", "podIP") or "<none>", priority=1,
           description="podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet "
                       "allocated."),
    Column("Node", lambda o, now: dig(o, "spec", "nodeName") or "<none>", priority=1,
           description="NodeName indicates in which node this pod is scheduled."),
    Column("Nominated Node", lambda o, now: dig(o, "status", "nominatedNodeName") or "<none>", priority=1,
           description="nominatedNodeName is set only when this pod preempts other pods on the node."),
    Column("Readiness Gates", workloads.pod_readiness_gates, priority=1,
           description="If specified, all readiness gates will be evaluated for pod readiness."),
]
SERVICE_COLUMNS = [
    NAME,
    Column("Type", lambda o, now: dig(o, "spec", "type") or "", description="The type of the service"),
    Column("Cluster-IP", lambda o, now: dig(o, "spec", "clusterIP") or "<none>", description="The cluster IP"),
    Column("External-IP", workloads.service_external_ip, description="The external IP"),
    Column("Port(s)", workloads.service_ports, description="The ports"),
    AGE,
    Column("Selector", workloads.service_selector, priority=1,
           description="Route service traffic to pods with label keys and values matching this selector."),
]


class ResourceType:
    """One resource as discovery shows it. `storage` names the index it keeps its objects in (its own
    unless it is a second view of another resource's objects, as events.k8s.io Events are of core Events);
    `to_storage`/`from_storage` convert between the view's shape and the stored one; `table` replaces the
    default NAME ... AGE columns when the real printer has no AGE at the end."""

    def __init__(self, group, version, kind, plural, namespaced, short_names=(), categories=(),
                 status=False, generation=False, columns=(), crd=False, table=None, storage=None,
                 to_storage=None, from_storage=None, selectable=None, review=False):
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
        self.columns = list(table) if table is not None else [NAME] + list(columns) + [AGE]
        self.crd = crd
        self.storage = storage or f"{plural}.{group}"
        self.to_storage = to_storage
        self.from_storage = from_storage
        self.selectable = selectable or {}
        self.review = review  # a create-only review (nothing stored), answered by the authorizer

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
        if self.review:
            return ["create"]
        return ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"] \
            if self.kind != "Namespace" else ["create", "delete", "get", "list", "patch", "update", "watch"]

    def type_prefix(self):
        """The JSON text that starts a full object: `{"kind":"Secret","apiVersion":"v1",`."""
        return ('{"kind":"%s","apiVersion":"%s",' % (self.kind, self.api_version)).encode()

    def body(self, entry):
        """A stored object's JSON as this resource shows it, without kind/apiVersion."""
        if self.from_storage is None:
            return entry.body
        return json.dumps(self.from_storage(entry.obj), separators=(",", ":"), ensure_ascii=False).encode()

    def full(self, entry):
        """A stored object's JSON as this resource shows it, with kind/apiVersion."""
        return self.type_prefix() + self.body(entry)[1:]


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
    ResourceType("", "v1", "Event", "events", True, short_names=["ev"], table=EVENT_COLUMNS,
                 to_storage=events.normalize_core, selectable=events.CORE_FIELDS),
    ResourceType("", "v1", "ServiceAccount", "serviceaccounts", True, short_names=["sa"],
                 columns=[Column("Secrets", lambda o, now: len(o.get("secrets") or []), type_="integer",
                                 description="Secrets is a list of the secrets in the same namespace that pods "
                                             "running using this ServiceAccount are allowed to use.")]),
    ResourceType("networking.k8s.io", "v1", "Ingress", "ingresses", True, short_names=["ing"], status=True,
                 generation=True,
                 columns=[Column("Class", lambda o, now: dig(o, "spec", "ingressClassName") or "<none>",
                                 description="The name of the IngressClass resource that should be used"),
                          Column("Hosts", lambda o, now: _ingress_hosts(o), description="Hosts that incoming requests are matched against"),
                          Column("Address", lambda o, now: _ingress_address(o), description="Address is a list containing ingress points for the load-balancer"),
                          Column("Ports", lambda o, now: _ingress_ports(o), description="Ports of TLS configurations that open")]),
    ResourceType("", "v1", "Pod", "pods", True, short_names=["po"], categories=["all"], status=True,
                 table=POD_COLUMNS),
    ResourceType("", "v1", "Service", "services", True, short_names=["svc"], categories=["all"], status=True,
                 table=SERVICE_COLUMNS),
    ResourceType("networking.k8s.io", "v1", "IngressClass", "ingressclasses", False,
                 columns=[Column("Controller", lambda o, now: dig(o, "spec", "controller") or "",
                                 description="Controller that is responsible for handling this class"),
                          Column("Parameters", workloads.ingress_class_parameters,
                                 description="A reference to a resource with additional parameters")]),
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

RESOURCES += [
    ResourceType("events.k8s.io", "v1", "Event", "events", True, short_names=["ev"], table=EVENT_COLUMNS,
                 storage="events.", to_storage=events.to_core, from_storage=events.to_events,
                 selectable=events.EVENTS_FIELDS),
    ResourceType("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False, table=ROLE_COLUMNS),
    ResourceType("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False,
                 table=BINDING_COLUMNS),
    ResourceType("rbac.authorization.k8s.io", "v1", "Role", "roles", True, table=ROLE_COLUMNS),
    ResourceType("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", True, table=BINDING_COLUMNS),
    ResourceType("batch", "v1", "CronJob", "cronjobs", True, short_names=["cj"], categories=["all"], status=True,
                 generation=True, table=CRONJOB_COLUMNS),
    ResourceType("batch", "v1", "Job", "jobs", True, categories=["all"], status=True, generation=True,
                 table=JOB_COLUMNS),
    ResourceType("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", False,
                 review=True),
    ResourceType("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews", False,
                 review=True),
    ResourceType("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", False, review=True),
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
