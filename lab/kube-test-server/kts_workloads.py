"""Pods, Services and IngressClasses: their printer columns (kube-apiserver 1.32's), the defaults the real
API server fills in on create, Service cluster IP allocation, and the validation the HTTP-01 path meets.

Nothing here runs a Pod: the lab's `ingress` component (lab/ingress) plays scheduler and kubelet and writes
Pod status through the `status` subresource, as a kubelet does."""

import ipaddress
import random

from kts_errors import FieldError

SERVICE_RANGE = ipaddress.ip_network("10.96.0.0/16")
# kube-apiserver gives the first address to the `kubernetes` Service; clusters put DNS on .10.
RESERVED_IPS = {"10.96.0.0", "10.96.0.1", "10.96.0.10", "10.96.255.255"}
NODE_PORTS = range(30000, 32768)
SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
RESTART_POLICIES = ("Always", "OnFailure", "Never")
PROTOCOLS = ("TCP", "UDP", "SCTP")


def _dig(obj, *path):
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _list(value):
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


# ---------------------------------------------------------------------------------------------- columns

def pod_ready(obj, now):
    containers = _list(_dig(obj, "spec", "containers"))
    ready = sum(1 for s in _list(_dig(obj, "status", "containerStatuses")) if s.get("ready"))
    return f"{ready}/{len(containers)}"


def pod_status(obj, now):
    """The STATUS cell as kubectl's pod printer computes it (init containers left out)."""
    status = obj.get("status") or {}
    reason = status.get("reason") or status.get("phase") or ""
    running = False
    for state in reversed(_list(status.get("containerStatuses"))):
        waiting = _dig(state, "state", "waiting")
        terminated = _dig(state, "state", "terminated")
        if isinstance(waiting, dict) and waiting.get("reason"):
            reason = waiting["reason"]
        elif isinstance(terminated, dict) and terminated.get("reason"):
            reason = terminated["reason"]
        elif isinstance(terminated, dict):
            reason = f"Signal:{terminated['signal']}" if terminated.get("signal") else \
                f"ExitCode:{terminated.get('exitCode', 0)}"
        elif state.get("ready") and isinstance(_dig(state, "state", "running"), dict):
            running = True
    if reason == "Completed" and running:
        reason = "Running"
    if _dig(obj, "metadata", "deletionTimestamp"):
        reason = "Unknown" if status.get("reason") == "NodeLost" else "Terminating"
    return reason


def pod_restarts(obj, now):
    return str(sum(int(s.get("restartCount") or 0) for s in _list(_dig(obj, "status", "containerStatuses"))))


def pod_readiness_gates(obj, now):
    gates = [g.get("conditionType", "") for g in _list(_dig(obj, "spec", "readinessGates"))]
    if not gates:
        return "<none>"
    conditions = {c.get("type"): c.get("status") for c in _list(_dig(obj, "status", "conditions"))}
    return f"{sum(1 for g in gates if conditions.get(g) == 'True')}/{len(gates)}"


def service_external_ip(obj, now):
    spec = obj.get("spec") or {}
    external = [str(x) for x in spec.get("externalIPs") or []]
    kind = spec.get("type") or "ClusterIP"
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) or "<none>"
    if kind == "LoadBalancer":
        balancers = [e.get("ip") or e.get("hostname") or "" for e in _list(_dig(obj, "status", "loadBalancer", "ingress"))]
        found = [x for x in balancers if x] + external
        return ",".join(found) or "<pending>"
    if kind == "ExternalName":
        return spec.get("externalName") or ""
    return "<unknown>"


def service_ports(obj, now):
    out = []
    for port in _list(_dig(obj, "spec", "ports")):
        protocol = port.get("protocol") or "TCP"
        if port.get("nodePort"):
            out.append(f"{port.get('port')}:{port['nodePort']}/{protocol}")
        else:
            out.append(f"{port.get('port')}/{protocol}")
    return ",".join(out) or "<none>"


def service_selector(obj, now):
    selector = _dig(obj, "spec", "selector") or {}
    return ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or "<none>"


def ingress_class_parameters(obj, now):
    parameters = _dig(obj, "spec", "parameters")
    if not isinstance(parameters, dict):
        return "<none>"
    text = parameters.get("kind", "")
    if parameters.get("apiGroup"):
        text += "." + parameters["apiGroup"]
    return text + "/" + str(parameters.get("name", ""))


# ---------------------------------------------------------------------------------------------- defaults

def _image_pull_policy(image):
    image = str(image or "")
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _qos_class(containers):
    requests, limits, guaranteed = False, False, True
    for c in containers:
        resources = c.get("resources") or {}
        req, lim = resources.get("requests") or {}, resources.get("limits") or {}
        requests = requests or bool(req)
        limits = limits or bool(lim)
        for name in ("cpu", "memory"):
            if name not in lim or req.get(name, lim.get(name)) != lim.get(name):
                guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def _default_container(c):
    c.setdefault("imagePullPolicy", _image_pull_policy(c.get("image")))
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for port in _list(c.get("ports")):
        port.setdefault("protocol", "TCP")


def default_pod(obj):
    """A new Pod: its spec's defaults, and status Pending."""
    default_pod_spec(obj)
    spec = obj["spec"] if isinstance(obj.get("spec"), dict) else {}
    obj["status"] = {"phase": "Pending", "qosClass": _qos_class(_list(spec.get("containers")))}


def default_pod_spec(obj):
    """What kube-apiserver's defaulting and the default admission plugins add to a Pod's spec, on create and
    (defaulting only) on every update, before validation."""
    spec = obj.setdefault("spec", {})
    if not isinstance(spec, dict):
        return
    for kind in ("initContainers", "containers"):
        for c in _list(spec.get(kind)):
            _default_container(c)
    for volume in _list(spec.get("volumes")):
        if isinstance(volume.get("configMap"), dict):
            volume["configMap"].setdefault("defaultMode", 420)
        if isinstance(volume.get("secret"), dict):
            volume["secret"].setdefault("defaultMode", 420)
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("serviceAccountName", "default")
    spec.setdefault("serviceAccount", spec["serviceAccountName"])
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("priority", 0)
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")


def _allocate_ip(used):
    for _ in range(1000):
        candidate = str(SERVICE_RANGE[random.randrange(2, SERVICE_RANGE.num_addresses - 1)])
        if candidate not in used and candidate not in RESERVED_IPS:
            return candidate
    raise RuntimeError("no free cluster IP in 10.96.0.0/16")


def default_service(obj, used_ips, used_node_ports, old=None):
    """A Service's defaults; a cluster IP from 10.96.0.0/16 (and node ports) when the client gives none, or,
    on an update that leaves them out, the ones it had (as kube-apiserver keeps allocations)."""
    spec = obj.setdefault("spec", {})
    if not isinstance(spec, dict):
        return
    old_spec = (old or {}).get("spec") or {}
    kind = spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    for port in _list(spec.get("ports")):
        port.setdefault("protocol", "TCP")
        port.setdefault("targetPort", port.get("port"))
    if kind == "ExternalName":
        return
    if not spec.get("clusterIP") and old_spec.get("clusterIP"):
        spec["clusterIP"] = old_spec["clusterIP"]
    if not spec.get("clusterIP"):
        spec["clusterIP"] = _allocate_ip(used_ips)
    spec["clusterIPs"] = [spec["clusterIP"]]
    if spec["clusterIP"] != "None":
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
    spec.setdefault("internalTrafficPolicy", "Cluster")
    if kind in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
        old_ports = {p.get("port"): p.get("nodePort") for p in _list(old_spec.get("ports"))}
        for port in _list(spec.get("ports")):
            if not port.get("nodePort"):
                port["nodePort"] = old_ports.get(port.get("port")) or next(
                    n for n in random.sample(NODE_PORTS, len(NODE_PORTS)) if n not in used_node_ports)
            used_node_ports.add(port["nodePort"])
    obj.setdefault("status", {"loadBalancer": {}})


# ---------------------------------------------------------------------------------------------- validation

def validate_pod(obj, old):
    errs = []
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [FieldError("required", "spec.containers")]
    containers = spec.get("containers")
    if not isinstance(containers, list) or not containers:
        errs.append(FieldError("required", "spec.containers"))
    names = set()
    for i, c in enumerate(containers if isinstance(containers, list) else []):
        if not isinstance(c, dict):
            errs.append(FieldError("invalid", f"spec.containers[{i}]", "must be an object", c))
            continue
        if not c.get("name"):
            errs.append(FieldError("required", f"spec.containers[{i}].name"))
        elif c["name"] in names:
            errs.append(FieldError("duplicate", f"spec.containers[{i}].name", value=c["name"]))
        names.add(c.get("name"))
        if not c.get("image"):
            errs.append(FieldError("required", f"spec.containers[{i}].image"))
        for j, port in enumerate(_list(c.get("ports"))):
            number = port.get("containerPort")
            if not isinstance(number, int) or not 0 < number < 65536:
                errs.append(FieldError("invalid", f"spec.containers[{i}].ports[{j}].containerPort",
                                       "must be between 1 and 65535, inclusive", number))
    if spec.get("restartPolicy") not in (None,) + RESTART_POLICIES:
        errs.append(FieldError("notsupported", "spec.restartPolicy", 'supported values: "Always", "Never", '
                               '"OnFailure"', spec.get("restartPolicy")))
    if old is not None and not errs:
        errs += _pod_update(spec, old.get("spec") or {})
    return errs


def _pod_update(spec, old_spec):
    """A Pod's spec is immutable but for its containers' images and a few fields, as the real validation says."""
    def mutable_stripped(s):
        out = {k: v for k, v in s.items() if k not in ("activeDeadlineSeconds", "tolerations",
                                                       "terminationGracePeriodSeconds")}
        for kind in ("containers", "initContainers"):
            out[kind] = [{k: v for k, v in c.items() if k != "image"} for c in _list(s.get(kind))]
        return out
    if mutable_stripped(spec) == mutable_stripped(old_spec):
        return []
    return [FieldError("forbidden", "spec", "pod updates may not change fields other than "
                       "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
                       "`spec.tolerations` (only additions to existing tolerations),"
                       "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)")]


def validate_service(obj, old, used_ips):
    errs = []
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [FieldError("required", "spec.ports")]
    kind = spec.get("type") or "ClusterIP"
    if kind not in SERVICE_TYPES:
        supported = ", ".join(f'"{t}"' for t in SERVICE_TYPES)
        errs.append(FieldError("notsupported", "spec.type", f"supported values: {supported}", kind))
    ports = spec.get("ports")
    headless = spec.get("clusterIP") == "None"
    if kind != "ExternalName" and not headless and not ports:
        errs.append(FieldError("required", "spec.ports"))
    names = set()
    for i, port in enumerate(ports if isinstance(ports, list) else []):
        if not isinstance(port, dict):
            errs.append(FieldError("invalid", f"spec.ports[{i}]", "must be an object", port))
            continue
        number = port.get("port")
        if not isinstance(number, int) or not 0 < number < 65536:
            errs.append(FieldError("invalid", f"spec.ports[{i}].port", "must be between 1 and 65535, inclusive",
                                   number))
        if len(ports) > 1 and not port.get("name"):
            errs.append(FieldError("required", f"spec.ports[{i}].name"))
        if port.get("name") in names:
            errs.append(FieldError("duplicate", f"spec.ports[{i}].name", value=port.get("name")))
        names.add(port.get("name"))
        if port.get("protocol") not in (None,) + PROTOCOLS:
            errs.append(FieldError("notsupported", f"spec.ports[{i}].protocol",
                                   'supported values: "SCTP", "TCP", "UDP"', port.get("protocol")))
    for key, value in (spec.get("selector") or {}).items():
        if not isinstance(value, str):
            errs.append(FieldError("invalid", f"spec.selector[{key}]", "must be a string", value))
    wanted = spec.get("clusterIP")
    old_ip = _dig(old, "spec", "clusterIP") if old else None
    if old_ip and wanted and wanted != old_ip:
        errs.append(FieldError("invalid", "spec.clusterIPs[0]", "may not change once set", [wanted]))
    elif wanted and wanted != "None" and not old_ip:
        try:
            address = ipaddress.ip_address(wanted)
        except ValueError:
            errs.append(FieldError("invalid", "spec.clusterIPs[0]", "must be a valid IP address, (e.g. "
                                   "10.9.8.7 or 2001:db8::ffff)", wanted))
        else:
            if address not in SERVICE_RANGE:
                errs.append(FieldError("invalid", "spec.clusterIPs", f"failed to allocate IP {wanted}: the provided "
                                       f"IP ({wanted}) is not in the valid range. The range of valid IPs is "
                                       f"{SERVICE_RANGE}", [wanted]))
            elif wanted in used_ips:
                errs.append(FieldError("invalid", "spec.clusterIPs", f"failed to allocate IP {wanted}: provided IP "
                                       f"is already allocated", [wanted]))
    return errs


def validate_ingress_class(obj, old):
    controller = _dig(obj, "spec", "controller")
    errs = []
    if not controller:
        errs.append(FieldError("required", "spec.controller"))
    elif old is not None and controller != _dig(old, "spec", "controller"):
        errs.append(FieldError("invalid", "spec.controller", "field is immutable", controller))
    return errs
