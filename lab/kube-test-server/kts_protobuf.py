"""kube-apiserver's protobuf encoding (`application/vnd.kubernetes.protobuf`), both ways.

Decodes the request bodies kubectl's typed commands send (`kubectl create namespace|secret|configmap|
serviceaccount|token|ingress|clusterrole|role|clusterrolebinding|rolebinding`, `kubectl auth can-i|whoami`) and
encodes the answers for the kinds listed in ANSWERS, their lists, and metav1.Status: the `k8s\\0` magic, then a
runtime.Unknown {typeMeta {apiVersion, kind}, raw = the message, contentEncoding "", contentType ""}.

One table per message drives both directions. Field numbers are those of the public generated.proto files
of k8s.io/api and k8s.io/apimachinery. The encoder writes what Go's generated (gogo) marshallers write:
fields in field-number order; every string, number, bool and embedded message that is a value in the Go
struct, even when empty; fields that are pointers in Go (marked OPTIONAL) only when set; map entries in key
order; repeated fields and maps only when non-empty. metav1.Time is seconds with nanos 0 (the real
marshaller drops the fraction) and an empty message when unset; MicroTime keeps microseconds.
Only the fields these kinds carry are mapped (a ClusterRole's aggregationRule is not); a decoder skips
anything else."""

import base64
import calendar
import datetime
import json

MAGIC = b"k8s\x00"
CONTENT_TYPE = "application/vnd.kubernetes.protobuf"

S, INT, BOOL, MAP_SS, MAP_SB, TIME, MICRO_TIME, FIELDS = \
    "s", "int", "bool", "map_ss", "map_sb", "time", "micro_time", "fields"
OPTIONAL = "optional"  # a pointer in the Go struct: encoded only when the JSON object has the field


def strings():
    return ("strings",)


def repeated(message):
    return ("list", message)


def inline(message):
    """An embedded struct whose fields JSON shows in the parent (IngressRule's ingressRuleValue)."""
    return ("inline", message)


# ---------------------------------------------------------------------------------------- meta/v1

OWNER_REFERENCE = {1: ("kind", S), 3: ("name", S), 4: ("uid", S), 5: ("apiVersion", S),
                   6: ("controller", BOOL, OPTIONAL), 7: ("blockOwnerDeletion", BOOL, OPTIONAL)}
MANAGED_FIELDS_ENTRY = {1: ("manager", S), 2: ("operation", S), 3: ("apiVersion", S), 4: ("time", TIME, OPTIONAL),
                        6: ("fieldsType", S), 7: ("fieldsV1", FIELDS, OPTIONAL), 8: ("subresource", S)}
OBJECT_META = {1: ("name", S), 2: ("generateName", S), 3: ("namespace", S), 4: ("selfLink", S), 5: ("uid", S),
               6: ("resourceVersion", S), 7: ("generation", INT), 8: ("creationTimestamp", TIME),
               9: ("deletionTimestamp", TIME, OPTIONAL), 10: ("deletionGracePeriodSeconds", INT, OPTIONAL),
               11: ("labels", MAP_SS), 12: ("annotations", MAP_SS),
               13: ("ownerReferences", repeated(OWNER_REFERENCE)), 14: ("finalizers", strings()),
               17: ("managedFields", repeated(MANAGED_FIELDS_ENTRY))}
LIST_META = {1: ("selfLink", S), 2: ("resourceVersion", S), 3: ("continue", S),
             4: ("remainingItemCount", INT, OPTIONAL)}
STATUS_CAUSE = {1: ("reason", S), 2: ("message", S), 3: ("field", S)}
STATUS_DETAILS = {1: ("name", S), 2: ("group", S), 3: ("kind", S), 4: ("causes", repeated(STATUS_CAUSE)),
                  5: ("retryAfterSeconds", INT), 6: ("uid", S)}
STATUS = {1: ("metadata", LIST_META), 2: ("status", S), 3: ("message", S), 4: ("reason", S),
          5: ("details", STATUS_DETAILS, OPTIONAL), 6: ("code", INT)}

# ---------------------------------------------------------------------------------------- core/v1

OBJECT_REFERENCE = {1: ("kind", S), 2: ("namespace", S), 3: ("name", S), 4: ("uid", S), 5: ("apiVersion", S),
                    6: ("resourceVersion", S), 7: ("fieldPath", S)}
SECRET = {1: ("metadata", OBJECT_META), 2: ("data", MAP_SB), 3: ("type", S), 4: ("stringData", MAP_SS),
          5: ("immutable", BOOL, OPTIONAL)}
CONFIG_MAP = {1: ("metadata", OBJECT_META), 2: ("data", MAP_SS), 3: ("binaryData", MAP_SB),
              4: ("immutable", BOOL, OPTIONAL)}
NAMESPACE_CONDITION = {1: ("type", S), 2: ("status", S), 4: ("lastTransitionTime", TIME), 5: ("reason", S),
                       6: ("message", S)}
NAMESPACE = {1: ("metadata", OBJECT_META), 2: ("spec", {1: ("finalizers", strings())}),
             3: ("status", {1: ("phase", S), 2: ("conditions", repeated(NAMESPACE_CONDITION))})}
SERVICE_ACCOUNT = {1: ("metadata", OBJECT_META), 2: ("secrets", repeated(OBJECT_REFERENCE)),
                   3: ("imagePullSecrets", repeated({1: ("name", S)})),
                   4: ("automountServiceAccountToken", BOOL, OPTIONAL)}
EVENT = {1: ("metadata", OBJECT_META), 2: ("involvedObject", OBJECT_REFERENCE), 3: ("reason", S),
         4: ("message", S), 5: ("source", {1: ("component", S), 2: ("host", S)}), 6: ("firstTimestamp", TIME),
         7: ("lastTimestamp", TIME), 8: ("count", INT), 9: ("type", S), 10: ("eventTime", MICRO_TIME),
         11: ("series", {1: ("count", INT), 2: ("lastObservedTime", MICRO_TIME)}, OPTIONAL), 12: ("action", S),
         13: ("related", OBJECT_REFERENCE, OPTIONAL), 14: ("reportingComponent", S), 15: ("reportingInstance", S)}

# ---------------------------------------------------------------------------------------- networking/v1

INGRESS_BACKEND = {
    3: ("resource", {1: ("apiGroup", S, OPTIONAL), 2: ("kind", S), 3: ("name", S)}, OPTIONAL),
    4: ("service", {1: ("name", S), 2: ("port", {1: ("name", S), 2: ("number", INT)})}, OPTIONAL),
}
HTTP_INGRESS_PATH = {1: ("path", S), 2: ("backend", INGRESS_BACKEND), 3: ("pathType", S, OPTIONAL)}
INGRESS_RULE = {1: ("host", S),
                2: ("ingressRuleValue", inline({1: ("http", {1: ("paths", repeated(HTTP_INGRESS_PATH))}, OPTIONAL)}))}
INGRESS_SPEC = {1: ("defaultBackend", INGRESS_BACKEND, OPTIONAL),
                2: ("tls", repeated({1: ("hosts", strings()), 2: ("secretName", S)})),
                3: ("rules", repeated(INGRESS_RULE)), 4: ("ingressClassName", S, OPTIONAL)}
INGRESS_PORT_STATUS = {1: ("port", INT), 2: ("protocol", S), 3: ("error", S, OPTIONAL)}
INGRESS_STATUS = {1: ("loadBalancer", {1: ("ingress", repeated({1: ("ip", S), 2: ("hostname", S),
                                                                4: ("ports", repeated(INGRESS_PORT_STATUS))}))})}
INGRESS = {1: ("metadata", OBJECT_META), 2: ("spec", INGRESS_SPEC), 3: ("status", INGRESS_STATUS)}

# ---------------------------------------------------------------------------------------- request-only kinds

POLICY_RULE = {1: ("verbs", strings()), 2: ("apiGroups", strings()), 3: ("resources", strings()),
               4: ("resourceNames", strings()), 5: ("nonResourceURLs", strings())}
SUBJECT = {1: ("kind", S), 2: ("apiGroup", S), 3: ("name", S), 4: ("namespace", S)}
ROLE_REF = {1: ("apiGroup", S), 2: ("kind", S), 3: ("name", S)}
BINDING = {1: ("metadata", OBJECT_META), 2: ("subjects", repeated(SUBJECT)), 3: ("roleRef", ROLE_REF)}
RBAC = "rbac.authorization.k8s.io/v1"

# The kinds answered in protobuf (each also as its List).
ANSWERS = {
    ("v1", "Secret"): SECRET,
    ("v1", "ConfigMap"): CONFIG_MAP,
    ("v1", "Namespace"): NAMESPACE,
    ("v1", "ServiceAccount"): SERVICE_ACCOUNT,
    ("v1", "Event"): EVENT,
    ("networking.k8s.io/v1", "Ingress"): INGRESS,
}
# The kinds read from protobuf request bodies.
MESSAGES = {**ANSWERS, **{
    ("authentication.k8s.io/v1", "TokenRequest"): {
        1: ("metadata", OBJECT_META),
        2: ("spec", {1: ("audiences", strings()), 4: ("expirationSeconds", INT),
                     3: ("boundObjectRef", {1: ("kind", S), 2: ("apiVersion", S), 3: ("name", S), 4: ("uid", S)})})},
    (RBAC, "ClusterRole"): {1: ("metadata", OBJECT_META), 2: ("rules", repeated(POLICY_RULE))},
    (RBAC, "Role"): {1: ("metadata", OBJECT_META), 2: ("rules", repeated(POLICY_RULE))},
    (RBAC, "ClusterRoleBinding"): BINDING,
    (RBAC, "RoleBinding"): BINDING,
    ("authorization.k8s.io/v1", "SelfSubjectAccessReview"): {
        1: ("metadata", OBJECT_META),
        2: ("spec", {1: ("resourceAttributes", {1: ("namespace", S), 2: ("verb", S), 3: ("group", S), 4: ("version", S),
                                                5: ("resource", S), 6: ("subresource", S), 7: ("name", S)}),
                     2: ("nonResourceAttributes", {1: ("path", S), 2: ("verb", S)})})},
    ("authorization.k8s.io/v1", "SelfSubjectRulesReview"): {1: ("metadata", OBJECT_META),
                                                            2: ("spec", {1: ("namespace", S)})},
    ("authentication.k8s.io/v1", "SelfSubjectReview"): {1: ("metadata", OBJECT_META)},
}}


# ---------------------------------------------------------------------------------------- wire format

def _read_varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def read_fields(buf):
    """(field number, value) pairs of a message: an int for a varint, bytes otherwise."""
    i = 0
    while i < len(buf):
        key, i = _read_varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _read_varint(buf, i)
        elif wire == 2:
            length, i = _read_varint(buf, i)
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
        if i > len(buf):
            raise ValueError("truncated protobuf message")
        yield num, value


_SMALL = [bytes([n]) for n in range(0x80)]


def varint(n):
    """Protobuf's base-128 varint; a negative number as Go writes an int32/int64: ten bytes, two's complement."""
    if 0 <= n < 0x80:
        return _SMALL[n]
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def delimited(number, payload):
    """A length-delimited field (wire type 2): key, length, payload."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


# ---------------------------------------------------------------------------------------- decoding

def _time_text(seconds, nanos=None):
    text = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return text + ("Z" if nanos is None else ".%06dZ" % (nanos // 1000))


def _decode(buf, schema, out=None):
    out = {} if out is None else out
    for num, value in read_fields(buf):
        if num not in schema:
            continue
        name, kind = schema[num][:2]
        if kind == S:
            text = value.decode()
            if text:
                out[name] = text
        elif kind == INT:
            if value:
                out[name] = value - (1 << 64) if value >= 1 << 63 else value
        elif kind == BOOL:
            out[name] = bool(value)
        elif kind in (MAP_SS, MAP_SB):
            entry = dict(read_fields(value))
            key = entry.get(1, b"").decode()
            raw = entry.get(2, b"")
            out.setdefault(name, {})[key] = raw.decode() if kind == MAP_SS else base64.b64encode(raw).decode()
        elif kind in (TIME, MICRO_TIME):
            entry = dict(read_fields(value))
            if entry.get(1, 0):
                out[name] = _time_text(entry[1], entry.get(2, 0) if kind == MICRO_TIME else None)
        elif kind == FIELDS:
            raw = dict(read_fields(value)).get(1)
            if raw:
                out[name] = json.loads(raw)
        elif isinstance(kind, dict):
            out[name] = _decode(value, kind)
        elif kind[0] == "inline":
            _decode(value, kind[1], out)
        elif kind[0] == "strings":
            out.setdefault(name, []).append(value.decode())
        elif kind[0] == "list":
            out.setdefault(name, []).append(_decode(value, kind[1]))
    return out


def decode(data):
    """The object as a JSON-style dict; raises ValueError for anything this decoder does not know."""
    if not data.startswith(MAGIC):
        raise ValueError("missing the k8s protobuf envelope")
    envelope = dict(read_fields(data[len(MAGIC):]))
    type_meta = dict(read_fields(envelope.get(1, b"")))
    api_version, kind = type_meta.get(1, b"").decode(), type_meta.get(2, b"").decode()
    schema = MESSAGES.get((api_version, kind))
    if schema is None:
        raise ValueError(f"protobuf bodies of kind {kind!r} ({api_version}) are not supported by kube-test-server; "
                         f"send JSON")
    obj = {"kind": kind, "apiVersion": api_version}
    obj.update(_decode(envelope.get(2, b""), schema))
    return obj


# ---------------------------------------------------------------------------------------- encoding

_PLANS = {}
_SECONDS = {}


def _plan(schema):
    """The schema's fields in field-number order, with their keys: [(key, name, kind, optional)]."""
    plan = _PLANS.get(id(schema))
    if plan is None:
        plan = []
        for num in sorted(schema):
            spec = schema[num]
            kind = spec[1]
            wire = 0 if kind in (INT, BOOL) else 2
            plan.append((varint(num << 3 | wire), spec[0], kind, len(spec) > 2 and spec[2] == OPTIONAL))
        _PLANS[id(schema)] = plan
    return plan


def _seconds(text):
    """Seconds since the epoch of an RFC 3339 time; the fraction separately, in nanoseconds (microsecond precision)."""
    cached = _SECONDS.get(text)
    if cached is None:
        if not isinstance(text, str):
            raise ValueError(f"not a timestamp: {text!r}")
        parsed = datetime.datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.timezone.utc)
        cached = (calendar.timegm(parsed.utctimetuple()), parsed.microsecond * 1000)
        if len(_SECONDS) > 100000:
            _SECONDS.clear()
        _SECONDS[text] = cached
    return cached


def _text(name, value):
    try:
        return value.encode()
    except AttributeError:
        raise ValueError(f"{name}: {value!r} is not a string") from None


def _put(out, key, data):
    """Appends a length-delimited field."""
    n = len(data)
    out += key
    out += _SMALL[n] if n < 0x80 else varint(n)
    out += data


def message(obj, schema):
    """The protobuf message for a JSON-style dict (None: an empty message)."""
    if obj is None:
        obj = {}
    elif not isinstance(obj, dict):
        raise ValueError(f"{obj!r} is not an object")
    out = bytearray()
    for key, name, kind, optional in _plan(schema):
        value = obj.get(name)
        if value is None and optional:
            continue
        if kind == S:
            data = b"" if value is None else _text(name, value)
            n = len(data)
            out += key
            out += _SMALL[n] if n < 0x80 else varint(n)
            out += data
        elif kind == INT:
            if isinstance(value, bool) or not isinstance(value, int) and value is not None:
                raise ValueError(f"{name}: {value!r} is not an integer")
            out += key
            out += varint(value or 0)
        elif kind == BOOL:
            out += key
            out += b"\x01" if value else b"\x00"
        elif kind in (TIME, MICRO_TIME):
            if value is None:
                _put(out, key, b"")
            else:
                seconds, nanos = _seconds(value)
                _put(out, key, b"\x08" + varint(seconds) + b"\x10" + varint(nanos if kind == MICRO_TIME else 0))
        elif kind in (MAP_SS, MAP_SB):
            for k in sorted(value or ()):
                entry = bytearray()
                _put(entry, b"\x0a", _text(name, k))
                v = value[k]
                _put(entry, b"\x12", base64.b64decode(v) if kind == MAP_SB else _text(f"{name}[{k}]", v))
                _put(out, key, entry)
        elif kind == FIELDS:
            payload = bytearray()
            _put(payload, b"\x0a", json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
            _put(out, key, payload)
        elif isinstance(kind, dict):
            _put(out, key, message(value, kind))
        elif kind[0] == "inline":
            _put(out, key, message(obj, kind[1]))
        elif kind[0] == "strings":
            for item in value or ():
                _put(out, key, _text(name, item))
        else:
            for item in value or ():
                _put(out, key, message(item, kind[1]))
    return bytes(out)


def answers(api_version, kind):
    """Whether objects of this kind (and its List) are answered in protobuf."""
    return (api_version, kind) in ANSWERS


def object_message(api_version, kind, obj):
    """The message of one stored object, without the envelope (what a list's items are)."""
    return message(obj, ANSWERS[(api_version, kind)])


def envelope(api_version, kind, raw):
    """The `k8s\\0` magic and runtime.Unknown around a message."""
    type_meta = delimited(1, api_version.encode()) + delimited(2, kind.encode())
    return MAGIC + delimited(1, type_meta) + delimited(2, raw) + b"\x1a\x00\x22\x00"


def list_answer(api_version, list_kind, list_meta, item_messages):
    """A List from its ListMeta (JSON-style dict) and its items' messages."""
    parts = [delimited(1, message(list_meta, LIST_META))]
    for item in item_messages:
        parts += (b"\x12", varint(len(item)), item)
    return envelope(api_version, list_kind, b"".join(parts))


def status_answer(status):
    """A metav1.Status (JSON-style dict) in its envelope."""
    return envelope("v1", "Status", message(status, STATUS))
