"""The lab's only node, `lab-node`: its scheduler binds every Pod that fits it, and its kubelet writes the
status a real one would for what the Pod asks (through the API test server's pods/binding and pods/status,
as the real ones do). Nothing runs: a container "runs" when this file says so, and busybox httpd
(busybox_httpd.py) answers from the Pod's ConfigMaps when the ingress controller forwards to it."""

import datetime
import hashlib
import ipaddress
import time

import busybox_httpd
from pod_events import EventRecorder

NODE = "lab-node"
NODE_LABELS = {"kubernetes.io/hostname": NODE, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
               "node-role.kubernetes.io/control-plane": ""}
POD_NETWORK = ipaddress.ip_network("10.244.0.0/16")
KNOWN_REPOSITORIES = ("busybox", "library/busybox", "docker.io/library/busybox", "index.docker.io/library/busybox")
PULL_BACKOFF_AFTER = 1.0   # seconds of ErrImagePull before the kubelet reports ImagePullBackOff
CRASH_BACKOFF = 10.0       # the kubelet's first restart back-off; it doubles up to 300 s
UNPRIVILEGED_PORT_START = 1024  # containerd 1.7's default: non-root processes cannot bind below it


def now_text():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def repository_and_tag(image):
    """("docker.io/library/busybox", "1.36") for "busybox:1.36", as the container runtime normalizes names."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    tag = "latest"
    if ":" in last:
        name, tag = name.rsplit(":", 1)
    parts = name.split("/")
    if len(parts) == 1 or not ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        name = "docker.io/" + ("library/" + name if len(parts) == 1 else name)
    return name, tag


def known_image(image):
    name = str(image or "").split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name.rsplit(":", 1)[0]
    return name in KNOWN_REPOSITORIES


def pull_failure(image):
    """The message a kubelet gives for an image it cannot pull on a machine without Internet access."""
    repository, tag = repository_and_tag(image)
    host, path = repository.split("/", 1)
    registry = "registry-1.docker.io" if host == "docker.io" else host
    reference = f"{repository}:{tag}"
    return (f'Failed to pull image "{image}": rpc error: code = Unknown desc = failed to pull and unpack image '
            f'"{reference}": failed to resolve reference "{reference}": failed to do request: Head '
            f'"https://{registry}/v2/{path}/manifests/{tag}": dial tcp: lookup {registry} on 127.0.0.53:53: '
            f'no such host')


def fits(pod):
    """Whether the scheduler can put the Pod on lab-node (its nodeSelector; the node has no taints)."""
    selector = (pod.get("spec") or {}).get("nodeSelector") or {}
    return all(NODE_LABELS.get(k) == v for k, v in selector.items())


def _security(pod, container, field):
    value = (container.get("securityContext") or {}).get(field)
    return value if value is not None else ((pod.get("spec") or {}).get("securityContext") or {}).get(field)


def _pod_ref(pod):
    meta = pod["metadata"]
    return f'"{meta["name"]}_{meta.get("namespace", "")}({meta["uid"]})"'


def config_error(pod, container):
    """CreateContainerConfigError's message when runAsNonRoot cannot hold (busybox runs as root), else None."""
    if not _security(pod, container, "runAsNonRoot"):
        return None
    user = _security(pod, container, "runAsUser")
    where = f"(pod: {_pod_ref(pod)}, container: {container.get('name')})"
    if user is None:
        return f"container has runAsNonRoot and image will run as root {where}"
    if user == 0:
        return f"container's runAsUser breaks non-root policy {where}"
    return None


def volume_problem(snapshot, pod):
    """Why the kubelet cannot mount the Pod's configMap volumes yet (a missing ConfigMap or key), else None."""
    namespace = pod["metadata"].get("namespace", "")
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        source = volume.get("configMap") if isinstance(volume, dict) else None
        if not isinstance(source, dict) or source.get("optional"):
            continue
        configmap = snapshot.get("configmaps", namespace, source.get("name"))
        if configmap is None:
            return f'MountVolume.SetUp failed for volume "{volume.get("name")}" : configmap "{source.get("name")}" not found'
        keys = set(configmap.get("data") or {}) | set(configmap.get("binaryData") or {})
        for item in source.get("items") or []:
            if item.get("key") not in keys:
                return (f'MountVolume.SetUp failed for volume "{volume.get("name")}" : configmap references '
                        f'non-existent config key: {item.get("key")}')
    return None


def _restarts(elapsed):
    """How many times a crashing container has been restarted after `elapsed` seconds of back-off."""
    count, delay, spent = 0, CRASH_BACKOFF, 0.0
    while spent + delay <= elapsed:
        spent += delay
        count += 1
        delay = min(delay * 2, 300.0)
    return count


class PodRecord:
    """What the kubelet remembers of a Pod it runs: when it took it, and its address."""

    def __init__(self, started, ip):
        self.started_text = started
        self.started = time.monotonic()
        self.ip = ip


class Kubelet:
    def __init__(self, api, node_ip):
        self.api = api
        self.node_ip = node_ip
        self.pods = {}  # uid -> PodRecord
        self.events = EventRecorder(api)

    def __call__(self, snapshot):
        live = set()
        for pod in snapshot.all("pods"):
            meta = pod["metadata"]
            live.add(meta["uid"])
            if meta.get("deletionTimestamp"):
                continue
            node = (pod.get("spec") or {}).get("nodeName")
            mount_problem = None
            if not node:
                if fits(pod):
                    self.api.bind(meta["namespace"], meta["name"], NODE)
                    continue
                status = self.unschedulable(pod)
            elif node != NODE:
                continue  # a node this lab does not have: no kubelet ever answers for it
            else:
                mount_problem = volume_problem(snapshot, pod)
                status = self.status(pod, mount_problem)
            if fingerprint(pod.get("status") or {}) != fingerprint(status):
                self.api.patch_status(meta["namespace"], meta["name"], status)
            self.events.record(pod, status, mount_problem)
        for uid in set(self.pods) - live:
            del self.pods[uid]
        self.events.forget(set(self.events.sent) - live)

    def record(self, pod):
        uid = pod["metadata"]["uid"]
        if uid not in self.pods:
            status = pod.get("status") or {}
            taken = {r.ip for r in self.pods.values()}
            ip = status.get("podIP") or self._address(uid, taken)
            self.pods[uid] = PodRecord(status.get("startTime") or now_text(), ip)
        return self.pods[uid]

    @staticmethod
    def _address(uid, taken):
        seed = int(hashlib.sha256(uid.encode()).hexdigest(), 16)
        for i in range(POD_NETWORK.num_addresses):
            candidate = str(POD_NETWORK[2 + (seed + i) % (POD_NETWORK.num_addresses - 3)])
            if candidate not in taken:
                return candidate
        raise RuntimeError("the pod network 10.244.0.0/16 is full")

    def unschedulable(self, pod):
        status = dict(pod.get("status") or {})
        status["phase"] = "Pending"
        status["conditions"] = [{
            "type": "PodScheduled", "status": "False", "lastProbeTime": None, "lastTransitionTime": now_text(),
            "reason": "Unschedulable",
            "message": "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: "
                       "0/1 nodes are available: 1 Preemption is not helpful for scheduling."}]
        return status

    def status(self, pod, mount_problem):
        record = self.record(pod)
        elapsed = time.monotonic() - record.started
        spec = pod.get("spec") or {}
        containers = [c for c in spec.get("containers") or [] if isinstance(c, dict)]
        states = [self.container_status(pod, c, record, elapsed, mount_problem) for c in containers]
        started = mount_problem is None and all(s["state"].get("running") or s["restartCount"] or
                                                s["lastState"] for s in states)
        unready = [s["name"] for s in states if not s["ready"]]
        status = dict(pod.get("status") or {})
        status.update({
            "phase": "Running" if started else "Pending",
            "conditions": [
                _condition("PodReadyToStartContainers", mount_problem is None, record.started_text),
                _condition("Initialized", True, record.started_text),
                _condition("Ready", not unready, record.started_text, unready),
                _condition("ContainersReady", not unready, record.started_text, unready),
                _condition("PodScheduled", True, record.started_text),
            ],
            "hostIP": self.node_ip, "hostIPs": [{"ip": self.node_ip}],
            "startTime": record.started_text,
            "containerStatuses": states,
        })
        if mount_problem is None:
            status["podIP"], status["podIPs"] = record.ip, [{"ip": record.ip}]
        return status

    def container_status(self, pod, container, record, elapsed, mount_problem):
        image = str(container.get("image") or "")
        out = {"name": container.get("name", ""), "image": image, "imageID": "", "ready": False,
               "restartCount": 0, "started": False, "lastState": {}}
        if mount_problem is not None:
            out["state"] = {"waiting": {"reason": "ContainerCreating"}}
            return out
        if not known_image(image):
            reason = "ErrImagePull" if elapsed < PULL_BACKOFF_AFTER else "ImagePullBackOff"
            message = pull_failure(image) if reason == "ErrImagePull" else f'Back-off pulling image "{image}"'
            out["state"] = {"waiting": {"reason": reason, "message": message}}
            return out
        problem = config_error(pod, container)
        if problem is not None:
            out["state"] = {"waiting": {"reason": "CreateContainerConfigError", "message": problem}}
            return out
        repository, tag = repository_and_tag(image)
        digest = hashlib.sha256(repository.encode()).hexdigest()
        container_id = hashlib.sha256(f"{pod['metadata']['uid']}/{out['name']}".encode()).hexdigest()
        out.update({"image": f"{repository}:{tag}", "imageID": f"{repository}@sha256:{digest}",
                    "containerID": f"containerd://{container_id}"})
        httpd = busybox_httpd.parse(container)
        user = _security(pod, container, "runAsUser")
        if httpd.outcome == "serving" and user not in (None, 0) and httpd.port < UNPRIVILEGED_PORT_START:
            httpd = busybox_httpd.Httpd("exits", exit_code=1)  # httpd: bind: Permission denied
        if httpd.outcome == "exits":
            restarts = _restarts(elapsed)
            out["restartCount"] = restarts + 1
            reason = "Completed" if httpd.exit_code == 0 else "Error"
            out["lastState"] = {"terminated": {"exitCode": httpd.exit_code, "reason": reason,
                                               "startedAt": record.started_text, "finishedAt": record.started_text,
                                               "containerID": out["containerID"]}}
            delay = int(min(CRASH_BACKOFF * 2 ** restarts, 300))
            out["state"] = {"waiting": {"reason": "CrashLoopBackOff",
                                        "message": f"back-off {delay}s restarting failed container="
                                                   f"{out['name']} pod={_pod_ref(pod)[1:-1]}"}}
            return out
        out.update({"ready": True, "started": True, "state": {"running": {"startedAt": record.started_text}}})
        return out


def _condition(kind, ok, when, unready=None):
    out = {"type": kind, "status": "True" if ok else "False", "lastProbeTime": None, "lastTransitionTime": when}
    if not ok and kind in ("Ready", "ContainersReady"):
        out["reason"] = "ContainersNotReady"
        out["message"] = f"containers with unready status: [{' '.join(unready)}]"
    return out


def fingerprint(status):
    """What a status says, without its times: the kubelet writes only when this changes."""
    containers = [(s.get("name"), s.get("ready"), s.get("restartCount"),
                   tuple(sorted((k, (v or {}).get("reason"), (v or {}).get("message"))
                                for k, v in (s.get("state") or {}).items())))
                  for s in status.get("containerStatuses") or []]
    conditions = [(c.get("type"), c.get("status"), c.get("reason")) for c in status.get("conditions") or []]
    return status.get("phase"), status.get("podIP"), containers, conditions
