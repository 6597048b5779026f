"""Owner-reference garbage collection, as kube-controller-manager's garbage collector does it.

The store tells the collector about every object written or removed; the collector keeps, per owner uid,
the objects whose `metadata.ownerReferences` name it. When an owner is deleted:
- `Background` (the default): shortly after (COLLECT_DELAY), each dependent that has no other owner still
  present is deleted the same way (so its own dependents follow); one that has is kept, and the reference to
  the deleted owner is removed from it.
- `Foreground`: the dependents (recursively) are deleted before the owner, at once. (The real one marks the
  owner with a `deletionTimestamp` and the `foregroundDeletion` finalizer while it waits; here no finalizer
  is visible.)
- `Orphan`: the dependents are kept and the reference to the owner is removed from them, at once."""

import threading

COLLECT_DELAY = 0.1
POLICIES = ("Background", "Foreground", "Orphan")


class Collector:
    def __init__(self, store):
        self.store = store
        self.dependents = {}  # owner uid -> {(storage, key)}
        self.located = {}     # uid -> (storage, key) of every stored object

    # ------------------------------------------------------------------ bookkeeping (under the store's lock)

    def clear(self):
        self.dependents.clear()
        self.located.clear()

    def stored(self, storage, key, old_obj, new_obj):
        if old_obj is not None:
            self._forget(storage, key, old_obj)
        meta = new_obj["metadata"]
        self.located[meta["uid"]] = (storage, key)
        for ref in owner_references(new_obj):
            self.dependents.setdefault(ref["uid"], set()).add((storage, key))

    def removed(self, storage, key, obj):
        self._forget(storage, key, obj)
        self.located.pop(obj["metadata"].get("uid"), None)

    def _forget(self, storage, key, obj):
        for ref in owner_references(obj):
            held = self.dependents.get(ref["uid"])
            if held is not None:
                held.discard((storage, key))
                if not held:
                    del self.dependents[ref["uid"]]

    # ------------------------------------------------------------------ collection

    def owner_deleted(self, uid, policy):
        """Called by the store under its lock once an object is gone (Foreground: before it goes)."""
        if uid not in self.dependents:
            return
        if policy == "Orphan":
            self._release(uid)
        elif policy == "Foreground":
            self._collect(uid, "Foreground")
        else:
            timer = threading.Timer(COLLECT_DELAY, self._collect_later, (uid,))
            timer.daemon = True
            timer.start()

    def _collect_later(self, uid):
        with self.store.lock:
            self._collect(uid, "Background")

    def _collect(self, uid, policy):
        for storage, key in sorted(self.dependents.get(uid, ())):
            entry = self.store.indexes[storage].objects.get(key)
            if entry is None:
                continue
            others = [r for r in owner_references(entry.obj) if r["uid"] != uid and r["uid"] in self.located]
            if others:
                self.store.drop_owner_reference(storage, key, uid)
            else:
                self.store.collect(storage, key, policy)

    def _release(self, uid):
        for storage, key in sorted(self.dependents.get(uid, ())):
            self.store.drop_owner_reference(storage, key, uid)


def owner_references(obj):
    refs = obj.get("metadata", {}).get("ownerReferences")
    return [r for r in refs if isinstance(r, dict) and r.get("uid")] if isinstance(refs, list) else []


def propagation_policy(options, query):
    """The policy a delete asks for: DeleteOptions.propagationPolicy (body or query), or the legacy
    orphanDependents; Background when none is given."""
    options = options or {}
    policy = options.get("propagationPolicy") or query.get("propagationPolicy")
    if policy is None:
        orphan = options.get("orphanDependents")
        if orphan is None and "orphanDependents" in query:
            orphan = query["orphanDependents"] in ("true", "1")
        if orphan is not None:
            policy = "Orphan" if orphan else "Background"
    return policy or "Background"
