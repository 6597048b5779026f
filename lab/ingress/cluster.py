"""What the data plane knows of the cluster: the objects it acts on, re-read whenever the API test server's
resourceVersion moves (the server has no watch, so this polls: one tiny list per tick, full lists only after
a write)."""

import sys
import time

KINDS = {
    "pods": "/api/v1/pods",
    "services": "/api/v1/services",
    "configmaps": "/api/v1/configmaps",
    "ingresses": "/apis/networking.k8s.io/v1/ingresses",
    "ingressclasses": "/apis/networking.k8s.io/v1/ingressclasses",
}


def key(obj):
    meta = obj.get("metadata") or {}
    return meta.get("namespace", ""), meta.get("name", "")


class Snapshot:
    """One consistent read of every kind: {kind: {(namespace, name): object}}."""

    def __init__(self, objects, version):
        self.objects = objects
        self.version = version

    def get(self, kind, namespace, name):
        return self.objects[kind].get((namespace, name))

    def all(self, kind):
        return list(self.objects[kind].values())


class ClusterView:
    def __init__(self, api, interval):
        self.api = api
        self.interval = interval
        self.snapshot = None
        self.listeners = []

    def refresh(self):
        """Re-reads everything when the store changed since the last read (the version is read first, so a
        write during the lists shows on the next tick); True when it did."""
        version = self.api.resource_version()
        if self.snapshot is not None and version == self.snapshot.version:
            return False
        objects = {}
        for kind, path in KINDS.items():
            objects[kind] = {key(o): o for o in self.api.list(path)}
        self.snapshot = Snapshot(objects, version)
        return True

    def run(self):
        """Polls until the process ends, handing every tick's snapshot to the listeners (the kubelet acts on
        time passing too); a failed read or action is logged and retried on the next tick."""
        while True:
            try:
                self.refresh()
                for listener in self.listeners:
                    listener(self.snapshot)
            except Exception as exc:  # the API server restarting must not stop the data plane
                sys.stderr.write(f"data-plane: {exc}\n")
            time.sleep(self.interval)
