"""Field ownership (managedFields) and server-side apply.

Ownership is tracked at a coarse granularity: each label, each annotation, metadata.finalizers and
metadata.ownerReferences as wholes, each key of data/stringData/binaryData, each top-level field of
spec, and every other top-level field (type, immutable, ...) as a whole. status is not tracked.
"""

import copy

from kts_errors import apply_conflict

SPLIT_MAPS = ("data", "stringData", "binaryData", "spec")
SKIP = ("apiVersion", "kind", "metadata", "status")


def field_paths(obj):
    out = {}
    if not obj:
        return out
    meta = obj.get("metadata") or {}
    for key in ("labels", "annotations"):
        for k, v in (meta.get(key) or {}).items():
            out[("metadata", key, k)] = v
    for key in ("finalizers", "ownerReferences"):
        if key in meta:
            out[("metadata", key)] = meta[key]
    for key, value in obj.items():
        if key in SKIP:
            continue
        if key in SPLIT_MAPS and isinstance(value, dict):
            for k, v in value.items():
                out[(key, k)] = v
        else:
            out[(key,)] = value
    return out


def path_text(path):
    return "." + ".".join(path)


def set_path(obj, path, value):
    node = obj
    for part in path[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[path[-1]] = copy.deepcopy(value)


def remove_path(obj, path):
    node = obj
    parents = []
    for part in path[:-1]:
        if not isinstance(node, dict) or part not in node:
            return
        parents.append((node, part))
        node = node[part]
    if isinstance(node, dict):
        node.pop(path[-1], None)
    # drop maps the removal emptied (labels, annotations, data), as the real server does
    for parent, part in reversed(parents):
        if parent[part] == {} and part in ("labels", "annotations", "data", "stringData", "binaryData"):
            del parent[part]


def _entry(managers, manager, operation, api_version, now):
    for m in managers:
        if m["manager"] == manager and m["operation"] == operation:
            m["time"] = now
            m["apiVersion"] = api_version
            return m
    m = {"manager": manager, "operation": operation, "apiVersion": api_version, "time": now, "paths": set()}
    managers.append(m)
    return m


def copy_managers(managers):
    return [dict(m, paths=set(m["paths"])) for m in managers]


def record_update(managers, old, new, manager, api_version, now):
    """The updater takes the fields it set or changed; everyone loses the fields that went away."""
    managers = copy_managers(managers)
    before, after = field_paths(old), field_paths(new)
    changed = {p for p, v in after.items() if p not in before or before[p] != v}
    removed = set(before) - set(after)
    if changed or removed:
        for m in managers:
            m["paths"] -= changed | removed
        if changed:
            _entry(managers, manager, "Update", api_version, now)["paths"] |= changed
    return [m for m in managers if m["paths"]]


def _manager_text(m):
    if m["operation"] == "Update":
        return f'"{m["manager"]}" using {m["apiVersion"]} at {m["time"]}'
    return f'"{m["manager"]}"'


def conflict_error(conflicts):
    causes = [{"reason": "FieldManagerConflict", "message": f"conflict with {_manager_text(m)}",
               "field": path_text(p)} for m, p in conflicts]
    if len(conflicts) == 1:
        m, p = conflicts[0]
        return apply_conflict(f"Apply failed with 1 conflict: conflict with {_manager_text(m)}: {path_text(p)}", causes)
    by_manager = {}
    for m, p in conflicts:
        by_manager.setdefault(_manager_text(m), []).append(p)
    lines = []
    for name in sorted(by_manager):
        lines.append(f"conflicts with {name}:")
        lines.extend(f"- {path_text(p)}" for p in by_manager[name])
    return apply_conflict(f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines), causes)


def apply(current, applied, managers, manager, force, api_version, now):
    """Server-side apply of `applied` by `manager` onto `current` (None when creating).

    Returns (new object, new managers); raises a 409 Conflict naming every field another manager
    owns with a different value, unless `force`.
    """
    managers = copy_managers(managers)
    wanted = field_paths(applied)
    have = field_paths(current)
    mine = next((m for m in managers if m["manager"] == manager and m["operation"] == "Apply"), None)
    conflicts = []
    for path in sorted(wanted):
        if path in have and have[path] != wanted[path]:
            for m in managers:
                if m is not mine and path in m["paths"]:
                    conflicts.append((m, path))
    if conflicts and not force:
        raise conflict_error(conflicts)
    result = copy.deepcopy(current) if current else {}
    for key in ("apiVersion", "kind"):
        if key in applied:
            result[key] = applied[key]
    meta = result.setdefault("metadata", {})
    for key in ("name", "namespace", "generateName"):
        if key in (applied.get("metadata") or {}) and key not in meta:
            meta[key] = applied["metadata"][key]
    previously = mine["paths"] if mine else set()
    for path in previously - set(wanted):
        if not any(path in m["paths"] for m in managers if m is not mine):
            remove_path(result, path)
    for path, value in wanted.items():
        set_path(result, path, value)
    for key, value in applied.items():
        # top-level fields not split into paths (an empty spec, say) still reach the object
        if key not in SKIP and key not in result:
            result[key] = copy.deepcopy(value)
    taken = {p for _, p in conflicts}
    for m in managers:
        if m is not mine:
            m["paths"] -= taken
    if mine is None:
        mine = _entry(managers, manager, "Apply", api_version, now)
    mine["paths"] = set(wanted)
    mine["time"] = now
    mine["apiVersion"] = api_version
    return result, [m for m in managers if m["paths"]]


def render(managers):
    out = []
    for m in managers:
        tree = {}
        for path in sorted(m["paths"]):
            node = tree
            for part in path:
                node = node.setdefault("f:" + part, {})
        out.append({"manager": m["manager"], "operation": m["operation"], "apiVersion": m["apiVersion"],
                    "time": m["time"], "fieldsType": "FieldsV1", "fieldsV1": tree})
    return out
