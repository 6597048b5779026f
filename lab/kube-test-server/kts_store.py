"""The in-memory object store: one lock, a sorted key index per resource, each object's JSON cached (and its
protobuf message, for the kinds answered in protobuf, while protobuf answers are on)."""

import base64
import binascii
import bisect
import copy
import datetime
import json
import random
import re
import threading
import uuid

import kts_errors as errors
import kts_events as events
import kts_fields as fields
import kts_gc as gc
import kts_patch as patches
import kts_protobuf
import kts_rbac_batch as rbac_batch
import kts_times as times
import kts_workloads as workloads
from kts_errors import FieldError
from kts_resources import BY_KIND, RESOURCES

SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                 "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                 "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
             "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
             "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
CONFIG_KEY_MSG = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  "
                  "or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")
QUALIFIED_NAME = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                            r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
INITIAL_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
SERVER_MANAGED_META = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields",
                       "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink")


def now_text():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


class Entry:
    __slots__ = ("obj", "body", "managers", "protobuf")

    def __init__(self, obj, body, managers):
        self.obj = obj
        self.body = body          # JSON of the object without kind/apiVersion
        self.managers = managers
        self.protobuf = None      # its protobuf message (Store._encode_protobuf), or None until one is asked for


class Index:
    def __init__(self):
        self.objects = {}
        self.keys = []


class Store:
    def __init__(self, protobuf=True):
        self.lock = threading.RLock()
        self.protobuf = protobuf  # protobuf answers are on: encode objects of the kinds that have them as they are written
        self.rv = 0
        self.continue_epoch = 0
        self.indexes = {r.storage: Index() for r in RESOURCES}
        self.gc = gc.Collector(self)
        self.reset()

    # ------------------------------------------------------------------ basics

    def reset(self):
        with self.lock:
            for index in self.indexes.values():
                index.objects.clear()
                index.keys.clear()
            self.gc.clear()
            for name in INITIAL_NAMESPACES:
                self.create(BY_KIND[("v1", "Namespace")], "", {"apiVersion": "v1", "kind": "Namespace",
                                                               "metadata": {"name": name}}, "kube-apiserver")

    def index(self, rtype):
        return self.indexes[rtype.storage]

    def next_rv(self):
        self.rv += 1
        return str(self.rv)

    def namespace_exists(self, namespace):
        return ("", namespace) in self.index(BY_KIND[("v1", "Namespace")]).objects

    def _require_namespace(self, rtype, namespace):
        if rtype.namespaced and not self.namespace_exists(namespace):
            raise errors.namespace_not_found(namespace)

    def get(self, rtype, namespace, name):
        with self.lock:
            entry = self.index(rtype).objects.get((namespace if rtype.namespaced else "", name))
            if entry is None:
                raise errors.not_found(rtype, name)
            return entry

    # ------------------------------------------------------------------ list

    def encode_continue(self, key, rv):
        raw = json.dumps({"e": self.continue_epoch, "k": list(key), "rv": rv}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def decode_continue(self, token):
        try:
            raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            return raw["e"], tuple(raw["k"]), raw["rv"]
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise errors.bad_request(f"invalid continue token: {exc}")

    def list(self, rtype, namespace, labels=None, fields_=None, limit=0, token=None):
        """(entries, continue token or None, remaining count or None, list resourceVersion)."""
        with self.lock:
            index = self.index(rtype)
            keys = index.keys
            if rtype.namespaced and namespace:
                start, end = bisect.bisect_left(keys, (namespace, "")), bisect.bisect_left(keys, (namespace + "\x00", ""))
            else:
                start, end = 0, len(keys)
            list_rv = str(self.rv)
            if token:
                epoch, last, token_rv = self.decode_continue(token)
                if epoch != self.continue_epoch:
                    raise errors.expired(
                        "The provided continue parameter is too old to display a consistent list result. You can "
                        "start a new list without the continue parameter, or use the continue token in this "
                        "response to retrieve the remainder of the results. Continuing with the provided token "
                        "results in an inconsistent list - objects that were created, modified, or deleted "
                        "between the time the first chunk was returned and now may show up in the list.",
                        self.encode_continue(last, list_rv))
                start = max(start, bisect.bisect_right(keys, last))
                list_rv = token_rv
            out = []
            next_token = None
            remaining = None
            for i in range(start, end):
                entry = index.objects[keys[i]]
                if labels and not _labels_ok(labels, entry.obj):
                    continue
                if fields_ and not _fields_ok(fields_, entry.obj):
                    continue
                if limit and len(out) == limit:
                    next_token = self.encode_continue(_key(out[-1].obj, rtype), list_rv)
                    if not labels and not fields_:
                        remaining = end - i
                    break
                out.append(entry)
            return out, next_token, remaining, list_rv

    # ------------------------------------------------------------------ writes

    def _store(self, rtype, obj, managers):
        obj["metadata"]["resourceVersion"] = self.next_rv()
        if managers:
            obj["metadata"]["managedFields"] = fields.render(managers)
        else:
            obj["metadata"].pop("managedFields", None)
        body = _dumps({k: v for k, v in obj.items() if k not in ("kind", "apiVersion")})
        entry = Entry(obj, body, managers)
        self._encode_protobuf(rtype, entry)
        index = self.index(rtype)
        key = _key(obj, rtype)
        old = index.objects.get(key)
        if old is None:
            bisect.insort(index.keys, key)
        index.objects[key] = entry
        self.gc.stored(rtype.storage, key, old.obj if old else None, obj)
        return entry

    def _encode_protobuf(self, rtype, entry):
        """Encodes the object's protobuf message once, as it is written, as its JSON is. One this encoder cannot
        write (a field of the wrong type, which kube-apiserver would have refused) is left to fail, with the
        reason, when a request asks for it in protobuf."""
        stored = STORED_TYPE[rtype.storage]
        if self.protobuf and kts_protobuf.answers(stored.api_version, stored.kind):
            try:
                entry.protobuf = kts_protobuf.object_message(stored.api_version, stored.kind, entry.obj)
            except ValueError:
                entry.protobuf = None

    def _prepare(self, rtype, namespace, obj, url_name=None, stored=False):
        """The object checked against the URL and in the stored shape (`stored`: it already is)."""
        if not isinstance(obj, dict):
            raise errors.bad_request("the body of the request is not a JSON or YAML object")
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if not stored:
            if api_version and api_version != rtype.api_version:
                raise errors.bad_request(f"the API version in the data ({api_version}) does not match the expected "
                                         f"API version ({rtype.api_version})")
            if kind and kind != rtype.kind:
                raise errors.bad_request(f"the kind in the data ({kind}) does not match the expected kind ({rtype.kind})")
        obj = copy.deepcopy(obj)
        if rtype.to_storage is not None and not stored:
            obj = rtype.to_storage({k: v for k, v in obj.items() if k not in ("kind", "apiVersion")})
        stored_type = STORED_TYPE[rtype.storage]
        ordered = {"kind": stored_type.kind, "apiVersion": stored_type.api_version}
        ordered.update({k: v for k, v in obj.items() if k not in ("kind", "apiVersion")})
        obj = ordered
        meta = obj.get("metadata")
        if meta is None:
            meta = obj["metadata"] = {}
        if not isinstance(meta, dict):
            raise errors.bad_request("metadata must be an object")
        if rtype.namespaced:
            if meta.get("namespace") and meta["namespace"] != namespace:
                raise errors.bad_request("the namespace of the provided object does not match the namespace sent "
                                         "on the request")
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        if url_name is not None and meta.get("name") and meta["name"] != url_name:
            raise errors.bad_request(f"the name of the object ({meta['name']}) does not match the name on the URL "
                                     f"({url_name})")
        if url_name is not None:
            meta["name"] = url_name
        _normalize(rtype, obj)
        return obj

    def create(self, rtype, namespace, obj, manager, dry_run=False, seed=False):
        with self.lock:
            obj = self._prepare(rtype, namespace, obj)
            meta = obj["metadata"]
            keep = {k: meta[k] for k in ("creationTimestamp",) if seed and meta.get(k)}
            for k in SERVER_MANAGED_META:
                meta.pop(k, None)
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + "".join(random.choice(GENERATE_ALPHABET) for _ in range(5))
            status = obj.get("status") if seed else None
            errs = _validate(rtype, obj, None, self)
            if errs:
                raise errors.invalid(rtype, meta.get("name"), errs)
            self._require_namespace(rtype, namespace)
            if _key(obj, rtype) in self.index(rtype).objects:
                raise errors.already_exists(rtype, meta["name"])
            self._defaults(rtype, obj)
            if status is not None:
                obj["status"] = status
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = keep.get("creationTimestamp") or now_text()
            if rtype.has_generation:
                meta["generation"] = 1
            managers = fields.record_update([], None, obj, manager, rtype.api_version, now_text())
            obj = _order_meta(obj)
            if dry_run:
                return self._dry(rtype, obj, managers)
            return self._store(rtype, obj, managers)

    def _dry(self, rtype, obj, managers):
        obj["metadata"]["resourceVersion"] = str(self.rv)
        if managers:
            obj["metadata"]["managedFields"] = fields.render(managers)
        return Entry(obj, _dumps({k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}), managers)

    def _commit(self, rtype, old, new, managers, dry_run, subresource=None):
        """Finishes an update of `old` into `new`: server fields, validation, generation, no-op detection."""
        meta, old_meta = new["metadata"], old.obj["metadata"]
        for key in ("uid", "creationTimestamp", "generation", "name", "namespace"):
            if key in old_meta:
                meta[key] = old_meta[key]
            else:
                meta.pop(key, None)
        for key in ("resourceVersion", "managedFields", "deletionTimestamp", "selfLink"):
            meta.pop(key, None)
        if subresource == "status":
            status = new.get("status")
            new = copy.deepcopy(old.obj)
            new["metadata"].pop("resourceVersion", None)
            new["metadata"].pop("managedFields", None)
            if status is None:
                new.pop("status", None)
            else:
                new["status"] = status
            meta = new["metadata"]
        elif rtype.has_status:
            if "status" in old.obj:
                new["status"] = copy.deepcopy(old.obj["status"])
            else:
                new.pop("status", None)
        if rtype.kind == "Secret" and not new.get("type"):
            new["type"] = "Opaque"
        if rtype.kind == "Service":
            workloads.default_service(new, self.service_ips(), self.node_ports(), old.obj)
        elif rtype.kind == "Pod":
            workloads.default_pod_spec(new)
        errs = _validate(rtype, new, old.obj, self)
        if errs:
            raise errors.invalid(rtype, meta.get("name"), errs)
        if rtype.has_generation and _spec_of(new) != _spec_of(old.obj):
            meta["generation"] = old_meta.get("generation", 1) + 1
        new = _order_meta(new)
        if _same(new, old.obj) and _same_owners(managers, old.managers):
            return old
        if dry_run:
            return self._dry(rtype, new, managers)
        return self._store(rtype, new, managers)

    def update(self, rtype, namespace, name, obj, manager, dry_run=False, subresource=None):
        with self.lock:
            self._require_namespace(rtype, namespace)
            new = self._prepare(rtype, namespace, obj, url_name=name)
            old = self.get(rtype, namespace, name)
            rv = new["metadata"].get("resourceVersion")
            if rv and rv != old.obj["metadata"]["resourceVersion"]:
                raise errors.conflict(rtype, name)
            managers = fields.record_update(old.managers, old.obj, _with_status(new, old.obj, subresource, rtype),
                                            manager, rtype.api_version, now_text())
            return self._commit(rtype, old, new, managers, dry_run, subresource)

    def patch(self, rtype, namespace, name, patch_type, patch, manager, dry_run=False, subresource=None,
              force=False):
        with self.lock:
            self._require_namespace(rtype, namespace)
            if patch_type == "apply":
                return self._apply(rtype, namespace, name, patch, manager, force, dry_run, subresource)
            old = self.get(rtype, namespace, name)
            current = copy.deepcopy(old.obj) if rtype.from_storage is None else rtype.from_storage(old.obj)
            if patch_type == "merge":
                if not isinstance(patch, dict):
                    raise errors.bad_request("the body of a merge patch must be a JSON object")
                merged = patches.merge_patch(current, patch)
            elif patch_type == "strategic":
                if not isinstance(patch, dict):
                    raise errors.bad_request("the body of a strategic merge patch must be a JSON object")
                if rtype.crd:
                    raise errors.unsupported_media_type(
                        "the body of the request was in an unknown format - accepted media types include: "
                        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
                merged = patches.strategic_merge_patch(current, patch)
            else:
                merged = patches.json_patch(current, patch)
            if not isinstance(merged, dict):
                raise errors.bad_request("the patch did not produce an object")
            rv = (merged.get("metadata") or {}).get("resourceVersion")
            if rv and rv != old.obj["metadata"]["resourceVersion"]:
                raise errors.conflict(rtype, name)
            new = self._prepare(rtype, namespace, merged, url_name=name)
            managers = fields.record_update(old.managers, old.obj, _with_status(new, old.obj, subresource, rtype),
                                            manager, rtype.api_version, now_text())
            return self._commit(rtype, old, new, managers, dry_run, subresource)

    def _apply(self, rtype, namespace, name, applied, manager, force, dry_run, subresource):
        if not isinstance(applied, dict):
            raise errors.bad_request("the body of an apply patch must be a YAML or JSON object")
        applied = self._prepare(rtype, namespace, applied, url_name=name)
        for key in SERVER_MANAGED_META:
            applied["metadata"].pop(key, None)
        if subresource == "status":
            applied = {k: v for k, v in applied.items() if k in ("kind", "apiVersion", "metadata", "status")}
        key = _key(applied, rtype)
        old = self.index(rtype).objects.get(key)
        now = now_text()
        if old is None:
            if subresource:
                raise errors.not_found(rtype, name)
            obj, managers = fields.apply(None, applied, [], manager, force, rtype.api_version, now)
            if "status" in applied and rtype.has_status:
                obj.pop("status", None)
            obj = self._prepare(rtype, namespace, obj, url_name=name, stored=True)
            errs = _validate(rtype, obj, None, self)
            if errs:
                raise errors.invalid(rtype, name, errs)
            self._defaults(rtype, obj)
            meta = obj["metadata"]
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now
            if rtype.has_generation:
                meta["generation"] = 1
            obj = _order_meta(obj)
            if dry_run:
                return self._dry(rtype, obj, managers)
            return self._store(rtype, obj, managers)
        if subresource == "status":
            new = copy.deepcopy(old.obj)
            new["status"] = copy.deepcopy(applied.get("status"))
            managers = fields.copy_managers(old.managers)
        else:
            new, managers = fields.apply(old.obj, applied, old.managers, manager, force, rtype.api_version, now)
        new = self._prepare(rtype, namespace, new, url_name=name, stored=True)
        return self._commit(rtype, old, new, managers, dry_run, subresource)

    def delete(self, rtype, namespace, name, options=None, dry_run=False, policy="Background"):
        """Deletes one object; its dependents go as `policy` says (kts_gc)."""
        with self.lock:
            self._require_namespace(rtype, namespace)
            entry = self.get(rtype, namespace, name)
            pre = (options or {}).get("preconditions") or {}
            meta = entry.obj["metadata"]
            if pre.get("uid") and pre["uid"] != meta["uid"]:
                raise errors.conflict(rtype, name, f"Precondition failed: UID in precondition: {pre['uid']}, "
                                                   f"UID in object meta: {meta['uid']}")
            if pre.get("resourceVersion") and pre["resourceVersion"] != meta["resourceVersion"]:
                raise errors.conflict(rtype, name, "Precondition failed: ResourceVersion in precondition: "
                                                   f"{pre['resourceVersion']}, ResourceVersion in object meta: "
                                                   f"{meta['resourceVersion']}")
            if dry_run:
                return entry
            if policy == "Foreground":
                self.gc.owner_deleted(meta["uid"], policy)
            self._remove(rtype, _key(entry.obj, rtype))
            self.rv += 1
            if policy != "Foreground":
                self.gc.owner_deleted(meta["uid"], policy)
            if rtype.kind == "Namespace":
                for other in RESOURCES:
                    if other.namespaced:
                        index = self.index(other)
                        for key in [k for k in index.keys if k[0] == name]:
                            self._remove(other, key)
                obj = copy.deepcopy(entry.obj)
                obj["metadata"]["deletionTimestamp"] = now_text()
                obj["status"] = {"phase": "Terminating"}
                return Entry(obj, _dumps({k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}),
                             entry.managers)
            return entry

    def _remove(self, rtype, key):
        index = self.index(rtype)
        entry = index.objects.pop(key, None)
        if entry is not None:
            i = bisect.bisect_left(index.keys, key)
            if i < len(index.keys) and index.keys[i] == key:
                del index.keys[i]
            self.gc.removed(rtype.storage, key, entry.obj)

    def bind(self, namespace, name, binding):
        """A Binding (`pods/NAME/binding`): sets the Pod's spec.nodeName once, as the scheduler's bind does."""
        with self.lock:
            rtype = BY_KIND[("v1", "Pod")]
            self._require_namespace(rtype, namespace)
            entry = self.get(rtype, namespace, name)
            target = (binding or {}).get("target") if isinstance(binding, dict) else None
            node = target.get("name") if isinstance(target, dict) else None
            if not node:
                raise errors.invalid_kind("Binding", "", name, [FieldError("required", "target.name")])
            if entry.obj["spec"].get("nodeName"):
                raise errors.conflict(rtype, name, f"pod {name} is already assigned to node "
                                                   f'"{entry.obj["spec"]["nodeName"]}"')
            obj = copy.deepcopy(entry.obj)
            obj["spec"]["nodeName"] = node
            self._store(rtype, obj, entry.managers)

    # ------------------------------------------------------------------ what the garbage collector does (kts_gc)

    def collect(self, storage, key, policy):
        """Deletes a dependent whose owners are gone, its own dependents following by `policy`."""
        rtype = STORED_TYPE[storage]
        self.delete(rtype, key[0], key[1], policy=policy)

    def drop_owner_reference(self, storage, key, uid):
        """Removes the reference to the owner `uid` from a dependent, as the collector's patch does."""
        entry = self.indexes[storage].objects[key]
        obj = copy.deepcopy(entry.obj)
        refs = [r for r in obj["metadata"].get("ownerReferences") or [] if r.get("uid") != uid]
        if refs:
            obj["metadata"]["ownerReferences"] = refs
        else:
            obj["metadata"].pop("ownerReferences", None)
        self._store(STORED_TYPE[storage], obj, entry.managers)

    # ------------------------------------------------------------------ allocations

    def service_ips(self):
        return {e.obj["spec"].get("clusterIP") for e in self.index(BY_KIND[("v1", "Service")]).objects.values()
                if isinstance(e.obj.get("spec"), dict)}

    def node_ports(self):
        return {p.get("nodePort") for e in self.index(BY_KIND[("v1", "Service")]).objects.values()
                for p in (e.obj.get("spec") or {}).get("ports") or [] if isinstance(p, dict) and p.get("nodePort")}

    def _defaults(self, rtype, obj):
        if rtype.kind == "Service":
            workloads.default_service(obj, self.service_ips(), self.node_ports())
        else:
            _defaults(rtype, obj)

    def upsert_seed(self, obj):
        """Creates (or replaces) one seed object, creating its namespace when missing."""
        with self.lock:
            if not isinstance(obj, dict):
                raise errors.bad_request("a seed document is not an object")
            rtype = BY_KIND.get((obj.get("apiVersion"), obj.get("kind")))
            if rtype is None:
                raise errors.bad_request(f"seed: no resource for apiVersion {obj.get('apiVersion')!r} "
                                         f"kind {obj.get('kind')!r}")
            meta = obj.get("metadata") or {}
            namespace = (meta.get("namespace") or "default") if rtype.namespaced else ""
            if rtype.namespaced and not self.namespace_exists(namespace):
                self.create(BY_KIND[("v1", "Namespace")], "", {"metadata": {"name": namespace}}, "seed")
            if meta.get("name") and _key({"metadata": {"name": meta["name"], "namespace": namespace}}, rtype) \
                    in self.index(rtype).objects:
                self._remove(rtype, _key({"metadata": {"name": meta["name"], "namespace": namespace}}, rtype))
            return rtype, self.create(rtype, namespace, obj, "seed", seed=True)


# The resource whose shape each storage keeps (the first one listed for it: core v1 Events for both views).
STORED_TYPE = {}
for _r in RESOURCES:
    STORED_TYPE.setdefault(_r.storage, _r)


def _key(obj, rtype):
    meta = obj["metadata"]
    return (meta.get("namespace", "") if rtype.namespaced else "", meta.get("name", ""))


def _labels_ok(reqs, obj):
    from kts_selectors import labels_match
    return labels_match(reqs, obj["metadata"].get("labels"))


def _fields_ok(reqs, obj):
    from kts_selectors import fields_match
    return fields_match(reqs, obj)


def _with_status(new, old, subresource, rtype):
    """The object as it will be stored, for ownership bookkeeping (status is not tracked anyway)."""
    return new


def _spec_of(obj):
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "kind", "apiVersion")}


def _same(a, b):
    strip = ("resourceVersion", "managedFields")
    ma = {k: v for k, v in a["metadata"].items() if k not in strip}
    mb = {k: v for k, v in b["metadata"].items() if k not in strip}
    return ma == mb and {k: v for k, v in a.items() if k != "metadata"} == {k: v for k, v in b.items() if k != "metadata"}


def _same_owners(a, b):
    def key(ms):
        return sorted((m["manager"], m["operation"], tuple(sorted(m["paths"]))) for m in ms)
    return key(a) == key(b)


META_ORDER = ("name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
              "deletionTimestamp", "labels", "annotations", "ownerReferences", "finalizers", "managedFields")


def _order_meta(obj):
    meta = obj["metadata"]
    ordered = {k: meta[k] for k in META_ORDER if k in meta}
    ordered.update({k: v for k, v in meta.items() if k not in ordered})
    obj["metadata"] = ordered
    return obj


def _normalize(rtype, obj):
    """Turns a Secret's stringData into data and checks base64, and decodes a Lease's MicroTimes, as
    decoding does on the real server; the defaults of the RBAC bindings and CronJobs."""
    if rtype.kind == "Lease" and isinstance(obj.get("spec"), dict):
        for key in ("acquireTime", "renewTime"):
            if obj["spec"].get(key) is not None:
                obj["spec"][key] = times.micro_time_text("Lease", obj["spec"][key])
    if rtype.kind in ("ClusterRoleBinding", "RoleBinding"):
        rbac_batch.default_binding(obj)
    elif rtype.kind == "CronJob":
        rbac_batch.default_cronjob(obj)
    if rtype.kind == "Secret":
        data = obj.get("data")
        if data is not None and not isinstance(data, dict):
            raise errors.bad_request('Secret in version "v1" cannot be handled as a Secret: data must be an object')
        for key, value in (data or {}).items():
            if not isinstance(value, str):
                raise errors.bad_request(f'Secret in version "v1" cannot be handled as a Secret: json: cannot '
                                         f'unmarshal {type(value).__name__} into Go struct field Secret.data of '
                                         f'type []uint8')
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise errors.bad_request('Secret in version "v1" cannot be handled as a Secret: illegal base64 data '
                                         f'at input byte {_bad_base64_offset(value)}')
        string_data = obj.pop("stringData", None)
        if string_data:
            data = obj.setdefault("data", {}) if obj.get("data") is not None else obj.setdefault("data", {})
            for key, value in string_data.items():
                data[key] = base64.b64encode(str(value).encode()).decode()


def _bad_base64_offset(value):
    for i, ch in enumerate(value):
        if not (ch.isalnum() or ch in "+/="):
            return i
    return len(value)


def _defaults(rtype, obj):
    meta = obj["metadata"]
    if rtype.kind == "Namespace":
        labels = meta.setdefault("labels", {})
        labels["kubernetes.io/metadata.name"] = meta["name"]
        obj["spec"] = {"finalizers": ["kubernetes"]}
        obj["status"] = {"phase": "Active"}
    elif rtype.kind == "Secret":
        obj.setdefault("type", "Opaque")
    elif rtype.kind == "Ingress":
        obj["status"] = {"loadBalancer": {}}
    elif rtype.kind == "Pod":
        workloads.default_pod(obj)
    elif rtype.has_status:
        obj.pop("status", None)


def _validate(rtype, obj, old, store):
    errs = []
    meta = obj["metadata"]
    name = meta.get("name")
    if not name:
        errs.append(FieldError("required", "metadata.name", "name or generateName is required"))
    elif rtype.kind == "Namespace":
        if len(name) > 63:
            errs.append(FieldError("invalid", "metadata.name", "must be no more than 63 characters", name))
        elif not LABEL.match(name):
            errs.append(FieldError("invalid", "metadata.name", LABEL_MSG, name))
    else:
        if len(name) > 253:
            errs.append(FieldError("invalid", "metadata.name", "must be no more than 253 characters", name))
        elif not SUBDOMAIN.match(name):
            errs.append(FieldError("invalid", "metadata.name", SUBDOMAIN_MSG, name))
    for key, value in (meta.get("labels") or {}).items():
        if not QUALIFIED_NAME.match(str(key)):
            errs.append(FieldError("invalid", "metadata.labels", "name part must consist of alphanumeric "
                                   "characters, '-', '_' or '.', and must start and end with an alphanumeric "
                                   "character", key))
        if not isinstance(value, str) or len(value) > 63 or not LABEL_VALUE.match(value):
            errs.append(FieldError("invalid", "metadata.labels", "a valid label must be an empty string or consist "
                                   "of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                                   "alphanumeric character", value))
    for key, value in (meta.get("annotations") or {}).items():
        if not isinstance(value, str):
            errs.append(FieldError("invalid", f"metadata.annotations[{key}]", "must be a string", value))
    errs += _validate_owner_references(meta.get("ownerReferences"))
    if rtype.kind == "Event":
        return events.validate(obj, old, rtype.group == "events.k8s.io", errs)
    if rtype.kind == "Secret":
        errs += _validate_secret(obj, old)
    elif rtype.kind in ("ClusterRole", "Role"):
        errs += rbac_batch.validate_rules(obj, rtype.namespaced)
    elif rtype.kind in ("ClusterRoleBinding", "RoleBinding"):
        errs += rbac_batch.validate_binding(obj, old, rtype.namespaced)
    elif rtype.kind == "CronJob":
        errs += rbac_batch.validate_cronjob(obj)
    elif rtype.kind == "Job":
        errs += rbac_batch.validate_job(obj)
    elif rtype.kind == "Pod":
        errs += workloads.validate_pod(obj, old)
    elif rtype.kind == "Service":
        key = _key(obj, rtype)
        others = {e.obj["spec"].get("clusterIP") for k, e in store.index(rtype).objects.items()
                  if k != key and isinstance(e.obj.get("spec"), dict)}
        errs += workloads.validate_service(obj, old, others)
    elif rtype.kind == "IngressClass":
        errs += workloads.validate_ingress_class(obj, old)
    elif rtype.kind == "ConfigMap":
        for key in list((obj.get("data") or {})) + list((obj.get("binaryData") or {})):
            if not CONFIG_KEY.match(key):
                errs.append(FieldError("invalid", f"data[{key}]", CONFIG_KEY_MSG, key))
    elif rtype.kind == "Ingress":
        spec = obj.get("spec") or {}
        if not spec.get("rules") and not spec.get("defaultBackend"):
            errs.append(FieldError("invalid", "spec", "either `defaultBackend` or `rules` must be specified", spec))
    elif rtype.kind == "Certificate":
        spec = obj.get("spec")
        if not isinstance(spec, dict):
            errs.append(FieldError("required", "spec"))
        else:
            if not spec.get("secretName"):
                errs.append(FieldError("required", "spec.secretName"))
            if not isinstance(spec.get("issuerRef"), dict) or not spec["issuerRef"].get("name"):
                errs.append(FieldError("required", "spec.issuerRef.name"))
    elif rtype.kind == "CertificateRequest":
        spec = obj.get("spec")
        if not isinstance(spec, dict):
            errs.append(FieldError("required", "spec"))
        else:
            if not spec.get("request"):
                errs.append(FieldError("required", "spec.request"))
            if not isinstance(spec.get("issuerRef"), dict) or not spec["issuerRef"].get("name"):
                errs.append(FieldError("required", "spec.issuerRef.name"))
    return errs


def _validate_owner_references(refs):
    """metadata.ownerReferences as ValidateOwnerReferences checks them."""
    if refs is None:
        return []
    if not isinstance(refs, list):
        return [FieldError("invalid", "metadata.ownerReferences", "must be a list", refs)]
    errs, controllers = [], 0
    for ref in refs:
        if not isinstance(ref, dict):
            errs.append(FieldError("invalid", "metadata.ownerReferences", "must be an object", ref))
            continue
        for field in ("apiVersion", "kind", "name"):
            if not ref.get(field):
                errs.append(FieldError("invalid", f"metadata.ownerReferences.{field}", f"{field} must not be empty",
                                       ref.get(field) or ""))
        if not ref.get("uid"):
            errs.append(FieldError("invalid", "metadata.ownerReferences.uid", "uid must not be empty", ""))
        if ref.get("controller"):
            controllers += 1
    if controllers > 1:
        errs.append(FieldError("invalid", "metadata.ownerReferences", "Only one reference can have Controller set "
                               "to true", refs))
    return errs


def _validate_secret(obj, old):
    errs = []
    data = obj.get("data") or {}
    size = 0
    for key, value in data.items():
        if not CONFIG_KEY.match(key):
            errs.append(FieldError("invalid", f"data[{key}]", CONFIG_KEY_MSG, key))
        size += len(value) * 3 // 4
    if size > 1048576:
        errs.append(FieldError("toolong", "data", "must have at most 1048576 bytes"))
    kind = obj.get("type") or "Opaque"
    if kind == "kubernetes.io/tls":
        for key in ("tls.crt", "tls.key"):
            if key not in data:
                errs.append(FieldError("required", f"data[{key}]"))
    elif kind == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:
            errs.append(FieldError("required", "data[username]"))
    if old is not None:
        if (old.get("type") or "Opaque") != kind:
            errs.append(FieldError("invalid", "type", "field is immutable", kind))
        if old.get("immutable"):
            if (old.get("data") or {}) != data:
                errs.append(FieldError("forbidden", "data", "field is immutable when `immutable` is set"))
            if not obj.get("immutable"):
                errs.append(FieldError("forbidden", "immutable", "field is immutable when `immutable` is set"))
    return errs
