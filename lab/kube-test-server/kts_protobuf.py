"""Decodes the protobuf request bodies kubectl's typed clients send (`kubectl create namespace`,
`kubectl create secret ...`, `kubectl create configmap`, `kubectl create serviceaccount`, `kubectl create
token`, `kubectl create clusterrole|role|clusterrolebinding|rolebinding`, `kubectl auth can-i`): the `k8s\\0`
envelope (runtime.Unknown) around a Namespace, Secret, ConfigMap, ServiceAccount, TokenRequest, RBAC object or
SelfSubjectAccessReview. Only the fields those kinds carry are mapped (a ClusterRole's aggregationRule is not);
anything else is skipped."""

import base64
import datetime

MAGIC = b"k8s\x00"


def _varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def _fields(buf):
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 2:
            length, i = _varint(buf, i)
            value = buf[i:i + length]
            i += length
        elif wire == 1:
            value = buf[i:i + 8]
            i += 8
        elif wire == 5:
            value = buf[i:i + 4]
            i += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield num, value


S, B64, INT, BOOL, MAP_SS, MAP_SB, TIME = "s", "b64", "int", "bool", "map_ss", "map_sb", "time"

OWNER_REFERENCE = {1: ("kind", S), 3: ("name", S), 4: ("uid", S), 5: ("apiVersion", S), 6: ("controller", BOOL),
                   7: ("blockOwnerDeletion", BOOL)}
OBJECT_META = {1: ("name", S), 2: ("generateName", S), 3: ("namespace", S), 5: ("uid", S),
               6: ("resourceVersion", S), 7: ("generation", INT), 8: ("creationTimestamp", TIME),
               11: ("labels", MAP_SS), 12: ("annotations", MAP_SS),
               13: ("ownerReferences", ("list", OWNER_REFERENCE)), 14: ("finalizers", ("strings",))}
OBJECT_REFERENCE = {1: ("kind", S), 2: ("namespace", S), 3: ("name", S), 4: ("uid", S), 5: ("apiVersion", S),
                    6: ("resourceVersion", S), 7: ("fieldPath", S)}
POLICY_RULE = {1: ("verbs", ("strings",)), 2: ("apiGroups", ("strings",)), 3: ("resources", ("strings",)),
               4: ("resourceNames", ("strings",)), 5: ("nonResourceURLs", ("strings",))}
SUBJECT = {1: ("kind", S), 2: ("apiGroup", S), 3: ("name", S), 4: ("namespace", S)}
ROLE_REF = {1: ("apiGroup", S), 2: ("kind", S), 3: ("name", S)}
BINDING = {1: ("metadata", OBJECT_META), 2: ("subjects", ("list", SUBJECT)), 3: ("roleRef", ROLE_REF)}
MESSAGES = {
    "ServiceAccount": {1: ("metadata", OBJECT_META), 2: ("secrets", ("list", OBJECT_REFERENCE)),
                       3: ("imagePullSecrets", ("list", {1: ("name", S)})), 4: ("automountServiceAccountToken", BOOL)},
    "TokenRequest": {1: ("metadata", OBJECT_META),
                     2: ("spec", {1: ("audiences", ("strings",)), 4: ("expirationSeconds", INT),
                                  3: ("boundObjectRef", {1: ("kind", S), 2: ("apiVersion", S), 3: ("name", S),
                                                         4: ("uid", S)})})},
    "ClusterRole": {1: ("metadata", OBJECT_META), 2: ("rules", ("list", POLICY_RULE))},
    "Role": {1: ("metadata", OBJECT_META), 2: ("rules", ("list", POLICY_RULE))},
    "SelfSubjectAccessReview": {
        1: ("metadata", OBJECT_META),
        2: ("spec", {1: ("resourceAttributes", {1: ("namespace", S), 2: ("verb", S), 3: ("group", S), 4: ("version", S),
                                                5: ("resource", S), 6: ("subresource", S), 7: ("name", S)}),
                     2: ("nonResourceAttributes", {1: ("path", S), 2: ("verb", S)})})},
    "ClusterRoleBinding": BINDING,
    "RoleBinding": BINDING,
    "Secret": {1: ("metadata", OBJECT_META), 2: ("data", MAP_SB), 3: ("type", S), 4: ("stringData", MAP_SS),
               5: ("immutable", BOOL)},
    "ConfigMap": {1: ("metadata", OBJECT_META), 2: ("data", MAP_SS), 3: ("binaryData", MAP_SB),
                  4: ("immutable", BOOL)},
    "Namespace": {1: ("metadata", OBJECT_META), 2: ("spec", {1: ("finalizers", ("strings",))}),
                  3: ("status", {1: ("phase", S)})},
}


def _decode(buf, schema):
    out = {}
    for num, value in _fields(buf):
        if num not in schema:
            continue
        name, kind = schema[num]
        if kind == S:
            text = value.decode()
            if text:
                out[name] = text
        elif kind == INT:
            if value:
                out[name] = value
        elif kind == BOOL:
            out[name] = bool(value)
        elif kind in (MAP_SS, MAP_SB):
            entry = dict(_fields(value))
            key = entry.get(1, b"").decode()
            raw = entry.get(2, b"")
            out.setdefault(name, {})[key] = raw.decode() if kind == MAP_SS else base64.b64encode(raw).decode()
        elif kind == TIME:
            entry = dict(_fields(value))
            seconds = entry.get(1, 0)
            if seconds:
                out[name] = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        elif isinstance(kind, dict):
            out[name] = _decode(value, kind)
        elif kind[0] == "strings":
            out.setdefault(name, []).append(value.decode())
        elif kind[0] == "list":
            out.setdefault(name, []).append(_decode(value, kind[1]))
    return out


def decode(data):
    """The object as a JSON-style dict; raises ValueError for anything this decoder does not know."""
    if not data.startswith(MAGIC):
        raise ValueError("missing the k8s protobuf envelope")
    envelope = dict(_fields(data[len(MAGIC):]))
    type_meta = dict(_fields(envelope.get(1, b"")))
    api_version, kind = type_meta.get(1, b"").decode(), type_meta.get(2, b"").decode()
    if kind not in MESSAGES:
        raise ValueError(f"protobuf bodies of kind {kind!r} are not supported by kube-test-server; send JSON")
    obj = {"kind": kind, "apiVersion": api_version}
    obj.update(_decode(envelope.get(2, b""), MESSAGES[kind]))
    return obj
