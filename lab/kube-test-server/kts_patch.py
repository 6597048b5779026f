"""JSON merge patch (RFC 7386), a strategic merge patch for the served types, JSON patch (RFC 6902)."""

import copy

from kts_errors import ApiError, bad_request


def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# Lists that a strategic merge patch merges instead of replacing, by path: a merge key, or None for
# lists of scalars merged as sets. Every other list (Ingress spec.rules and spec.tls included) is
# replaced wholesale, which is what the real server does for lists without a patch strategy.
MERGED_LISTS = {
    ("metadata", "ownerReferences"): "uid",
    ("metadata", "finalizers"): None,
    ("spec", "ports"): "port",  # a Service's ports (no other served kind has top-level spec.ports)
}
# In a Pod's spec and in a pod template (`...template.spec`, as in Jobs and CronJobs), the PodSpec lists with a merge key, and
# those of its containers: merged by that key, as the real server does for PodSpec and Container.
POD_SPEC_LISTS = {"containers": "name", "initContainers": "name", "ephemeralContainers": "name", "volumes": "name",
                  "imagePullSecrets": "name", "hostAliases": "ip"}
CONTAINER_LISTS = {"env": "name", "volumeMounts": "mountPath", "ports": "containerPort", "volumeDevices": "devicePath"}
CONTAINER_KINDS = ("containers", "initContainers", "ephemeralContainers")
_NO_MERGE = object()


def merge_key(path):
    """The merge key of the list at `path` (None: a set of scalars), or _NO_MERGE for a list that is replaced."""
    if path in MERGED_LISTS:
        return MERGED_LISTS[path]
    pod_spec = path[:-1] == ("spec",) or path[-3:-1] == ("template", "spec")
    if pod_spec and path[-1] in POD_SPEC_LISTS:
        return POD_SPEC_LISTS[path[-1]]
    in_pod_spec = path[:-2] == ("spec",) or path[-4:-2] == ("template", "spec")
    if in_pod_spec and path[-2] in CONTAINER_KINDS and path[-1] in CONTAINER_LISTS:
        return CONTAINER_LISTS[path[-1]]
    return _NO_MERGE


def strategic_merge_patch(target, patch, path=()):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    directive = patch.get("$patch")
    if directive == "delete":
        return None
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if not k.startswith("$")}
    result = dict(target) if isinstance(target, dict) else {}
    retain = patch.get("$retainKeys")
    for key, value in patch.items():
        if key.startswith("$setElementOrder/") or key in ("$patch", "$retainKeys"):
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            if isinstance(result.get(field), list):
                result[field] = [x for x in result[field] if x not in value]
            continue
        if value is None:
            result.pop(key, None)
            continue
        sub = path + (key,)
        list_key = merge_key(sub) if isinstance(value, list) else _NO_MERGE
        if list_key is not _NO_MERGE:
            result[key] = _merge_list(result.get(key) if isinstance(result.get(key), list) else [], value, list_key,
                                      sub)
            continue
        merged = strategic_merge_patch(result.get(key), value, sub)
        if merged is None and isinstance(value, dict) and value.get("$patch") == "delete":
            result.pop(key, None)
        else:
            result[key] = merged
    if isinstance(retain, list):
        result = {k: v for k, v in result.items() if k in retain}
    return result


def _merge_list(current, patch, key, path):
    """Merges a patch list into a list: scalars as a set (key None), objects by their merge key; the
    patch's `$patch: delete` items remove, null fields of new items are dropped."""
    if key is None:
        out = list(current)
        for item in patch:
            if item not in out:
                out.append(item)
        return out
    out = [copy.deepcopy(x) for x in current]
    for item in patch:
        if not isinstance(item, dict):
            continue
        match = next((i for i, x in enumerate(out) if isinstance(x, dict) and x.get(key) == item.get(key)), None)
        if item.get("$patch") == "delete":
            if match is not None:
                del out[match]
        elif match is None:
            out.append(strategic_merge_patch({}, item, path))
        else:
            out[match] = strategic_merge_patch(out[match], item, path)
    return out


def _pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise bad_request(f'the server rejected our request due to an error in our request: invalid JSON pointer "{path}"')
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _parent(doc, parts, op):
    node = doc
    for p in parts[:-1]:
        if isinstance(node, list):
            try:
                node = node[int(p)]
            except (ValueError, IndexError):
                raise _patch_error(op)
        elif isinstance(node, dict) and p in node:
            node = node[p]
        else:
            raise _patch_error(op)
    return node


def _patch_error(op):
    path = op.get("path", "")
    return ApiError(422, "Invalid", f"the server rejected our request due to an error in our request: "
                    f"jsonpatch {op.get('op')} operation does not apply: doc is missing path: \"{path}\"", {})


def _get(doc, parts, op):
    node = _parent(doc, parts, op) if parts else None
    if not parts:
        return doc
    last = parts[-1]
    if isinstance(node, list):
        try:
            return node[int(last)]
        except (ValueError, IndexError):
            raise _patch_error(op)
    if isinstance(node, dict) and last in node:
        return node[last]
    raise _patch_error(op)


def _remove(doc, parts, op):
    node = _parent(doc, parts, op)
    last = parts[-1]
    if isinstance(node, list):
        try:
            return node.pop(int(last))
        except (ValueError, IndexError):
            raise _patch_error(op)
    if isinstance(node, dict) and last in node:
        return node.pop(last)
    raise _patch_error(op)


def _add(doc, parts, value, op, replace=False):
    if not parts:
        return value
    node = _parent(doc, parts, op)
    last = parts[-1]
    if isinstance(node, list):
        if last == "-":
            node.append(value)
            return doc
        try:
            index = int(last)
        except ValueError:
            raise _patch_error(op)
        if replace:
            if index >= len(node):
                raise _patch_error(op)
            node[index] = value
        elif index > len(node):
            raise _patch_error(op)
        else:
            node.insert(index, value)
    elif isinstance(node, dict):
        if replace and last not in node:
            raise _patch_error(op)
        node[last] = value
    else:
        raise _patch_error(op)
    return doc


def json_patch(target, operations):
    if not isinstance(operations, list):
        raise bad_request("the server rejected our request due to an error in our request: "
                          "json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = copy.deepcopy(target)
    for op in operations:
        kind = op.get("op")
        parts = _pointer(op.get("path", ""))
        if kind == "add":
            doc = _add(doc, parts, copy.deepcopy(op.get("value")), op)
        elif kind == "remove":
            _remove(doc, parts, op)
        elif kind == "replace":
            doc = _add(doc, parts, copy.deepcopy(op.get("value")), op, replace=True)
        elif kind == "move":
            value = _remove(doc, _pointer(op.get("from", "")), op)
            doc = _add(doc, parts, value, op)
        elif kind == "copy":
            value = copy.deepcopy(_get(doc, _pointer(op.get("from", "")), op))
            doc = _add(doc, parts, value, op)
        elif kind == "test":
            if _get(doc, parts, op) != op.get("value"):
                raise ApiError(422, "Invalid", "the server rejected our request due to an error in our request: "
                               f"testing value {op.get('path')} failed: test failed", {})
        else:
            raise bad_request(f"the server rejected our request due to an error in our request: "
                              f"Unexpected kind: {kind}")
    return doc
