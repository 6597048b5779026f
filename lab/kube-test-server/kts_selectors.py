"""labelSelector and fieldSelector parsing and matching."""

import re

from kts_errors import bad_request

_LABEL_KEY = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                        r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")


def _split_top(text):
    """Splits at commas outside parentheses."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _check_key(key, selector):
    if not _LABEL_KEY.match(key) or len(key.split("/")[-1]) > 63:
        raise bad_request(f'unable to parse requirement: <nil>: Invalid value: "{key}": name part must consist '
                          "of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                          "alphanumeric character")


def _check_value(value):
    if len(value) > 63 or not _LABEL_VALUE.match(value):
        raise bad_request(f'unable to parse requirement: values[0][key]: Invalid value: "{value}": a valid label '
                          "must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                          "and must start and end with an alphanumeric character")


_SET = re.compile(r"^(\S+)\s+(in|notin)\s*\((.*)\)$")
_CMP = re.compile(r"^([^=!\s]+)\s*(==|=|!=)\s*(.*)$")


def parse_label_selector(text):
    """A list of (key, op, values) requirements; op in =, !=, in, notin, exists, !exists."""
    reqs = []
    if not text:
        return reqs
    for part in _split_top(text):
        m = _SET.match(part)
        if m:
            key, op, values = m.group(1), m.group(2), [v.strip() for v in m.group(3).split(",") if v.strip()]
            _check_key(key, text)
            for v in values:
                _check_value(v)
            reqs.append((key, op, set(values)))
            continue
        m = _CMP.match(part)
        if m:
            key, op, value = m.group(1), m.group(2), m.group(3).strip()
            _check_key(key, text)
            _check_value(value)
            reqs.append((key, "!=" if op == "!=" else "=", {value}))
            continue
        if part.startswith("!"):
            key = part[1:].strip()
            _check_key(key, text)
            reqs.append((key, "!exists", set()))
            continue
        if re.match(r"^\S+$", part):
            _check_key(part, text)
            reqs.append((part, "exists", set()))
            continue
        raise bad_request(f"unable to parse requirement: found '{part}', expected: in, notin, =, ==, !=, gt, lt")
    return reqs


def labels_match(reqs, labels):
    labels = labels or {}
    for key, op, values in reqs:
        present = key in labels
        if op == "=" or op == "in":
            if not present or labels[key] not in values:
                return False
        elif op == "!=" or op == "notin":
            if present and labels[key] in values:
                return False
        elif op == "exists":
            if not present:
                return False
        elif op == "!exists":
            if present:
                return False
    return True


FIELD_GETTERS = {
    "metadata.name": lambda o: o["metadata"].get("name", ""),
    "metadata.namespace": lambda o: o["metadata"].get("namespace", ""),
}
TYPE_FIELDS = {
    "Secret": {"type": lambda o: o.get("type", "")},
    "Namespace": {"status.phase": lambda o: (o.get("status") or {}).get("phase", "")},
    # kube-apiserver's PodToSelectableFields.
    "Pod": {
        "spec.nodeName": lambda o: (o.get("spec") or {}).get("nodeName", ""),
        "spec.restartPolicy": lambda o: (o.get("spec") or {}).get("restartPolicy", ""),
        "spec.schedulerName": lambda o: (o.get("spec") or {}).get("schedulerName", ""),
        "spec.serviceAccountName": lambda o: (o.get("spec") or {}).get("serviceAccountName", ""),
        "spec.hostNetwork": lambda o: "true" if (o.get("spec") or {}).get("hostNetwork") else "false",
        "status.phase": lambda o: (o.get("status") or {}).get("phase", ""),
        "status.podIP": lambda o: (o.get("status") or {}).get("podIP", ""),
        "status.nominatedNodeName": lambda o: (o.get("status") or {}).get("nominatedNodeName", ""),
    },
}


def parse_field_selector(text, rtype):
    reqs = []
    if not text:
        return reqs
    getters = dict(FIELD_GETTERS)
    getters.update(TYPE_FIELDS.get(rtype.kind, {}))
    getters.update(rtype.selectable)
    for part in _split_top(text):
        m = re.match(r"^([^=!]+)(==|=|!=)(.*)$", part)
        if not m:
            raise bad_request(f'invalid selector: \'{text}\'; can\'t understand \'{part}\'')
        field, op, value = m.group(1).strip(), m.group(2), m.group(3).strip()
        if field not in getters:
            raise bad_request(f'field label not supported: {field}')
        reqs.append((getters[field], op != "!=", value))
    return reqs


def fields_match(reqs, obj):
    for getter, equal, value in reqs:
        if (getter(obj) == value) != equal:
            return False
    return True
