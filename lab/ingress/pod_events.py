"""The Events kube-scheduler and the kubelet record about a Pod (what `kubectl describe pod` lists), each
once per Pod, from the status the kubelet (kubelet.py) has just decided on."""

import datetime
import uuid

NODE = "lab-node"


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pod_ref(pod):
    meta = pod["metadata"]
    return f'{meta["name"]}_{meta.get("namespace", "")}({meta["uid"]})'


def expected(pod, status, mount_problem):
    """[(type, reason, message, component, fieldPath)] the Pod's status implies, in the order they happen."""
    meta = pod["metadata"]
    conditions = {c.get("type"): c for c in status.get("conditions") or []}
    scheduled = conditions.get("PodScheduled") or {}
    if scheduled.get("status") == "False":
        return [("Warning", "FailedScheduling", scheduled.get("message", ""), "default-scheduler", "")]
    out = [("Normal", "Scheduled", f"Successfully assigned {meta.get('namespace')}/{meta['name']} to {NODE}",
            "default-scheduler", "")]
    if mount_problem is not None:
        return out + [("Warning", "FailedMount", mount_problem, "kubelet", "")]
    specs = {c.get("name"): c for c in (pod.get("spec") or {}).get("containers") or []}
    for state in status.get("containerStatuses") or []:
        name = state.get("name", "")
        image = str((specs.get(name) or {}).get("image", ""))
        where = f"spec.containers{{{name}}}"
        waiting = (state.get("state") or {}).get("waiting") or {}
        reason = waiting.get("reason")
        if reason in ("ErrImagePull", "ImagePullBackOff"):
            out.append(("Normal", "Pulling", f'Pulling image "{image}"', "kubelet", where))
            if reason == "ErrImagePull":
                out.append(("Warning", "Failed", waiting.get("message", ""), "kubelet", where))
            else:
                out.append(("Normal", "BackOff", waiting.get("message", ""), "kubelet", where))
            out.append(("Warning", "Failed", f"Error: {reason}", "kubelet", where))
            continue
        out.append(("Normal", "Pulled", f'Container image "{image}" already present on machine', "kubelet", where))
        if reason == "CreateContainerConfigError":
            out.append(("Warning", "Failed", f"Error: {waiting.get('message', '')}", "kubelet", where))
            continue
        out.append(("Normal", "Created", f"Created container: {name}", "kubelet", where))
        out.append(("Normal", "Started", f"Started container {name}", "kubelet", where))
        if reason == "CrashLoopBackOff":
            out.append(("Warning", "BackOff", f"Back-off restarting failed container {name} in pod {_pod_ref(pod)}",
                        "kubelet", where))
    return out


class EventRecorder:
    def __init__(self, api):
        self.api = api
        self.sent = {}  # pod uid -> {(reason, message, fieldPath)}

    def record(self, pod, status, mount_problem=None):
        meta = pod["metadata"]
        sent = self.sent.setdefault(meta["uid"], set())
        for kind, reason, message, component, field_path in expected(pod, status, mount_problem):
            key = (reason, message, field_path)
            if key in sent:
                continue
            sent.add(key)
            self.api.create_event(meta["namespace"], self.event(pod, kind, reason, message, component, field_path))

    def forget(self, uids):
        for uid in uids:
            self.sent.pop(uid, None)

    @staticmethod
    def event(pod, kind, reason, message, component, field_path):
        meta = pod["metadata"]
        involved = {"kind": "Pod", "namespace": meta["namespace"], "name": meta["name"], "uid": meta["uid"],
                    "apiVersion": "v1", "resourceVersion": meta.get("resourceVersion", "")}
        if field_path:
            involved["fieldPath"] = field_path
        source = {"component": component}
        if component == "kubelet":
            source["host"] = NODE
        now = _now()
        return {"apiVersion": "v1", "kind": "Event",
                "metadata": {"name": f"{meta['name']}.{uuid.uuid4().hex[:16]}", "namespace": meta["namespace"]},
                "involvedObject": involved, "reason": reason, "message": message, "source": source,
                "firstTimestamp": now, "lastTimestamp": now, "count": 1, "type": kind,
                "reportingComponent": component, "reportingInstance": NODE if component == "kubelet" else ""}
