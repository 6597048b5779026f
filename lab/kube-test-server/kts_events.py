"""Events: one storage, two views, as kube-apiserver keeps them.

Every Event is stored once, in the core `v1` shape. `events.k8s.io/v1` is a second view of the same
objects: writes through it are converted to the core shape before validation and storage, reads are
converted back. The field renames are those of kube-apiserver's conversion (pkg/apis/events/v1):
regarding <-> involvedObject, note <-> message, reportingController <-> reportingComponent,
deprecatedSource <-> source, deprecatedCount <-> count, deprecatedFirstTimestamp/LastTimestamp <->
firstTimestamp/lastTimestamp; eventTime, series, action, reason, type, related and reportingInstance
keep their names.

Validation follows kube-apiserver's (pkg/apis/core/validation/events.go): the legacy rules for every
write, and on create through events.k8s.io/v1 also the strict ones (eventTime, type Normal|Warning, the
deprecated fields unset). Field paths are the internal names (`message`, `reportingController`,
`firstTimestamp`, ...), whichever view was written, as the real server reports them.
"""

import datetime
import re

import kts_times as times
from kts_errors import FieldError

# (core v1 name, events.k8s.io/v1 name) for the renamed fields.
RENAMED = (
    ("involvedObject", "regarding"),
    ("message", "note"),
    ("reportingComponent", "reportingController"),
    ("source", "deprecatedSource"),
    ("count", "deprecatedCount"),
    ("firstTimestamp", "deprecatedFirstTimestamp"),
    ("lastTimestamp", "deprecatedLastTimestamp"),
)
TO_CORE = {new: old for old, new in RENAMED}
TO_EVENTS = {old: new for old, new in RENAMED}

# The order of each shape's fields, as Go serializes the structs; fields Go writes even when empty
# (struct values and timestamps, which are written as null) get a placeholder.
CORE_ORDER = ("metadata", "involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp",
              "count", "type", "eventTime", "series", "action", "related", "reportingComponent", "reportingInstance")
EVENTS_ORDER = ("metadata", "eventTime", "series", "reportingController", "reportingInstance", "action", "reason",
                "regarding", "related", "note", "type", "deprecatedSource", "deprecatedFirstTimestamp",
                "deprecatedLastTimestamp", "deprecatedCount")
ALWAYS_WRITTEN = {"involvedObject": {}, "source": {}, "firstTimestamp": None, "lastTimestamp": None,
                  "eventTime": None, "regarding": {}, "deprecatedSource": {}, "deprecatedFirstTimestamp": None,
                  "deprecatedLastTimestamp": None}
TIME_FIELDS = ("firstTimestamp", "lastTimestamp")
MICRO_TIME_FIELDS = ("eventTime",)

REPORTING_INSTANCE_LIMIT = 128
ACTION_LIMIT = 128
REASON_LIMIT = 128
NOTE_LIMIT = 1024
SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _ordered(obj, order):
    out = {k: obj[k] for k in ("kind", "apiVersion") if k in obj}
    for key in order:
        if key in obj:
            out[key] = obj[key]
        elif key in ALWAYS_WRITTEN:
            out[key] = ALWAYS_WRITTEN[key]
    out.update({k: v for k, v in obj.items() if k not in out})
    return out


def to_core(obj):
    """An events.k8s.io/v1 Event (a dict, kind/apiVersion already checked) in the core v1 shape."""
    converted = {TO_CORE.get(k, k): v for k, v in obj.items() if k not in ("kind", "apiVersion")}
    return normalize_core(converted)


def normalize_core(obj):
    """A core v1 Event with its timestamps decoded and written back as kube-apiserver does (kts_times) and
    its fields in Go's order."""
    out = dict(obj)
    for key in TIME_FIELDS:
        if out.get(key) is not None:
            out[key] = times.time_text("Event", out[key])
    for key in MICRO_TIME_FIELDS:
        if out.get(key) is not None:
            out[key] = times.micro_time_text("Event", out[key])
    series = out.get("series")
    if isinstance(series, dict) and series.get("lastObservedTime") is not None:
        series = dict(series)
        series["lastObservedTime"] = times.micro_time_text("Event", series["lastObservedTime"])
        out["series"] = series
    if not out.get("count"):
        out.pop("count", None)
    return _ordered(out, CORE_ORDER)


def to_events(obj):
    """A stored (core v1) Event in the events.k8s.io/v1 shape, without kind/apiVersion."""
    converted = {TO_EVENTS.get(k, k): v for k, v in obj.items() if k not in ("kind", "apiVersion")}
    return _ordered(converted, EVENTS_ORDER)


def _bytes(text):
    """The length Go's len() gives a string: its UTF-8 bytes (the limits say "characters" but count bytes)."""
    return len(text.encode())


def _text(obj, key):
    value = obj.get(key)
    return value if isinstance(value, str) else ""


def validate(obj, old, strict, meta_errors):
    """The field errors for an Event in the core shape. `strict`: written through events.k8s.io/v1."""
    errs = []
    involved = obj.get("involvedObject") if isinstance(obj.get("involvedObject"), dict) else {}
    namespace = obj["metadata"].get("namespace", "")
    involved_ns = _text(involved, "namespace")
    if obj.get("eventTime") is None:
        if not involved_ns:
            if namespace not in ("", "default"):
                errs.append(FieldError("invalid", "involvedObject.namespace", "does not match event.namespace",
                                       involved_ns))
        elif namespace != involved_ns:
            errs.append(FieldError("invalid", "involvedObject.namespace", "does not match event.namespace",
                                   involved_ns))
    else:
        if not involved_ns and namespace not in ("default", "kube-system"):
            errs.append(FieldError("invalid", "involvedObject.namespace", "does not match event.namespace",
                                   involved_ns))
        controller = _text(obj, "reportingComponent")
        if not controller:
            errs.append(FieldError("required", "reportingController"))
        errs += _qualified_name_errors(controller)
        errs += _required_and_limited(obj, "reportingInstance", "reportingInstance", REPORTING_INSTANCE_LIMIT)
        errs += _required_and_limited(obj, "action", "action", ACTION_LIMIT)
        errs += _required_and_limited(obj, "reason", "reason", REASON_LIMIT)
        if _bytes(_text(obj, "message")) > NOTE_LIMIT:
            errs.append(FieldError("invalid", "message", f"can have at most {NOTE_LIMIT} characters", ""))
    if namespace and (len(namespace) > 253 or not SUBDOMAIN.match(namespace)):
        errs.append(FieldError("invalid", "namespace", "a lowercase RFC 1123 subdomain must consist of lower case "
                               "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
                               "character", namespace))
    if not strict:
        return meta_errors + errs
    errs += meta_errors
    if old is None or obj.get("series") != old.get("series"):
        errs += _series_errors(obj)
    if old is not None:
        return errs + _immutable_errors(obj, old)
    if obj.get("eventTime") is None:
        errs.append(FieldError("required", "eventTime"))
    if obj.get("type") not in ("Normal", "Warning"):
        errs.append(FieldError("invalid", "type", f"has invalid value: {_go_text(obj.get('type'))}", ""))
    if obj.get("firstTimestamp") is not None:
        errs.append(FieldError("invalid", "firstTimestamp", "needs to be unset", ""))
    if obj.get("lastTimestamp") is not None:
        errs.append(FieldError("invalid", "lastTimestamp", "needs to be unset", ""))
    if obj.get("count"):
        errs.append(FieldError("invalid", "count", "needs to be unset", ""))
    source = obj.get("source") if isinstance(obj.get("source"), dict) else {}
    if source.get("component") or source.get("host"):
        errs.append(FieldError("invalid", "source", "needs to be unset", ""))
    return errs


def _go_text(value):
    return "" if value is None else str(value)


QUALIFIED_NAME_RULE = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                       "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                       "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
NAME_PART = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")


def _qualified_name_errors(value):
    """apimachinery's IsQualifiedName, each message an Invalid error on reportingController."""
    messages = []
    parts = value.split("/")
    if len(parts) > 2:
        messages.append("a qualified name " + QUALIFIED_NAME_RULE + " with an optional DNS subdomain prefix and '/' "
                        "(e.g. 'example.com/MyName')")
    else:
        name = parts[-1]
        if len(parts) == 2:
            if not parts[0]:
                messages.append("prefix part must be non-empty")
            elif len(parts[0]) > 253 or not SUBDOMAIN.match(parts[0]):
                messages.append("prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                                "characters, '-' or '.', and must start and end with an alphanumeric character")
        if not name:
            messages.append("name part must be non-empty")
        elif len(name) > 63:
            messages.append("name part must be no more than 63 characters")
        if not NAME_PART.match(name):
            messages.append("name part " + QUALIFIED_NAME_RULE)
    return [FieldError("invalid", "reportingController", m, value) for m in messages]


def _required_and_limited(obj, key, path, limit):
    value = _text(obj, key)
    if not value:
        return [FieldError("required", path)]
    if _bytes(value) > limit:
        return [FieldError("invalid", path, f"can have at most {limit} characters", "")]
    return []


def _series_errors(obj):
    series = obj.get("series")
    if not isinstance(series, dict):
        return []
    errs = []
    if not isinstance(series.get("count"), int) or series["count"] < 2:
        errs.append(FieldError("invalid", "series.count", "should be at least 2", ""))
    if series.get("lastObservedTime") is None:
        errs.append(FieldError("required", "series.lastObservedTime"))
    return errs


# Immutable after creation through events.k8s.io/v1, in kube-apiserver's order (reason is checked twice there,
# so a changed reason is reported twice).
IMMUTABLE = ("involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count", "reason",
             "type", "eventTime", "action", "related", "reportingComponent", "reportingInstance")


def _immutable_errors(obj, old):
    errs = []
    for key in IMMUTABLE:
        if obj.get(key) != old.get(key):
            path = "reportingController" if key == "reportingComponent" else key
            errs.append(FieldError("invalid", path, "field is immutable", obj.get(key)))
    return errs


# ---------------------------------------------------------------------------------------------- tables

def _since(text, now, micro):
    if not text:
        return "<unknown>"
    layout = "%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ"
    try:
        then = datetime.datetime.strptime(text, layout).replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return "<unknown>"
    from kts_resources import human_duration
    return human_duration((now - then).total_seconds())


def first_seen(obj, now):
    if obj.get("firstTimestamp"):
        return _since(obj["firstTimestamp"], now, micro=False)
    return _since(obj.get("eventTime"), now, micro=True)


def last_seen(obj, now):
    series = obj.get("series")
    if isinstance(series, dict):
        return _since(series.get("lastObservedTime"), now, micro=True)
    if obj.get("lastTimestamp"):
        return _since(obj["lastTimestamp"], now, micro=False)
    return first_seen(obj, now)


def count(obj, now):
    series = obj.get("series")
    if isinstance(series, dict):
        return series.get("count") or 0
    return obj.get("count") or 1


def target(obj, now):
    involved = obj.get("involvedObject") or {}
    kind = str(involved.get("kind") or "").lower()
    return f"{kind}/{involved['name']}" if involved.get("name") else kind


def source(obj, now):
    src = obj.get("source") or {}
    component = src.get("component") or obj.get("reportingComponent") or ""
    instance = src.get("host") or obj.get("reportingInstance") or ""
    return f"{component}, {instance}" if instance else component


def sub_object(obj, now):
    return (obj.get("involvedObject") or {}).get("fieldPath") or ""


def message(obj, now):
    return str(obj.get("message") or "").strip()


# Selectable fields, by the core name (kube-apiserver's EventToSelectableFields), and the names the
# events.k8s.io/v1 view accepts for them.
def _involved(key):
    return lambda o: str((o.get("involvedObject") or {}).get(key) or "")


CORE_FIELDS = {
    "involvedObject.kind": _involved("kind"),
    "involvedObject.namespace": _involved("namespace"),
    "involvedObject.name": _involved("name"),
    "involvedObject.uid": _involved("uid"),
    "involvedObject.apiVersion": _involved("apiVersion"),
    "involvedObject.resourceVersion": _involved("resourceVersion"),
    "involvedObject.fieldPath": _involved("fieldPath"),
    "reason": lambda o: str(o.get("reason") or ""),
    "reportingComponent": lambda o: str(o.get("reportingComponent") or ""),
    "source": lambda o: str((o.get("source") or {}).get("component") or ""),
    "type": lambda o: str(o.get("type") or ""),
}
EVENTS_FIELDS = {
    "reason": CORE_FIELDS["reason"],
    "reportingController": CORE_FIELDS["reportingComponent"],
    "type": CORE_FIELDS["type"],
    **{"regarding." + k.split(".", 1)[1]: v for k, v in CORE_FIELDS.items() if k.startswith("involvedObject.")},
}
