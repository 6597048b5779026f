"""Authorization by the RBAC objects in the store, as kube-apiserver's RBAC authorizer decides
(plugin/pkg/auth/authorizer/rbac): a request is allowed when a rule of a role bound to the user allows it.

- ClusterRoleBindings grant their ClusterRole's rules everywhere; RoleBindings in the request's namespace
  grant the rules of the Role (in that namespace) or ClusterRole they name, in that namespace only.
- A subject is a `User` (by name), a `Group` (any of the user's groups) or a `ServiceAccount`
  (`system:serviceaccount:NS:NAME`; a RoleBinding's subject without a namespace means the binding's).
- A rule matches when its verbs, apiGroups and resources hold the request's (`*` for any;
  `resource/subresource` names a subresource, `*/subresource` that subresource of any resource), and its
  resourceNames, when it has any, hold the name in the URL (so they never allow list, watch or create).
- A binding whose role does not exist grants nothing; the denial then ends with the real server's
  `: RBAC: clusterrole.rbac.authorization.k8s.io "x" not found` (several in `[a, b]`).

Not emulated: aggregated ClusterRoles (`aggregationRule`), non-resource URLs (discovery is open to every
authenticated user here), the escalation check on writing roles and bindings.
"""

from kts_resources import BY_KIND


def _subject_matches(subject, user, binding_namespace):
    if not isinstance(subject, dict):
        return False
    kind, name = subject.get("kind"), subject.get("name")
    if kind == "User":
        return name == user.name
    if kind == "Group":
        return name in user.groups
    if kind == "ServiceAccount":
        namespace = subject.get("namespace") or binding_namespace
        return f"system:serviceaccount:{namespace}:{name}" == user.name
    return False


def _has(values, wanted):
    return isinstance(values, list) and ("*" in values or wanted in values)


def _resource_matches(rule_resources, resource):
    if not isinstance(rule_resources, list):
        return False
    if "*" in rule_resources or resource in rule_resources:
        return True
    if "/" in resource:
        return "*/" + resource.split("/", 1)[1] in rule_resources
    return False


def rule_allows(rule, verb, group, resource, name):
    if not isinstance(rule, dict):
        return False
    if not _has(rule.get("verbs"), verb) or not _has(rule.get("apiGroups"), group):
        return False
    if not _resource_matches(rule.get("resources"), resource):
        return False
    names = rule.get("resourceNames")
    return not names or (isinstance(names, list) and name in names)


def authorize(store, user, verb, group, resource, namespace, name):
    """(allowed, reason): the reason names the roles that bindings of this user refer to and that are missing."""
    cluster_roles = BY_KIND[("rbac.authorization.k8s.io/v1", "ClusterRole")]
    roles = BY_KIND[("rbac.authorization.k8s.io/v1", "Role")]
    missing = []
    with store.lock:
        bindings = [(b, "") for b in _objects(store, "ClusterRoleBinding", "")]
        if namespace:
            bindings += [(b, namespace) for b in _objects(store, "RoleBinding", namespace)]
        for binding, binding_namespace in bindings:
            if not any(_subject_matches(s, user, binding_namespace) for s in binding.get("subjects") or []):
                continue
            ref = binding.get("roleRef") or {}
            if ref.get("kind") == "Role" and binding_namespace:
                role = store.index(roles).objects.get((binding_namespace, ref.get("name")))
                what = "role"
            else:
                role = store.index(cluster_roles).objects.get(("", ref.get("name")))
                what = "clusterrole"
            if role is None:
                missing.append(f'{what}.rbac.authorization.k8s.io "{ref.get("name")}" not found')
                continue
            if any(rule_allows(rule, verb, group, resource, name) for rule in role.obj.get("rules") or []):
                return True, ""
    if not missing:
        return False, ""
    return False, "RBAC: " + (missing[0] if len(missing) == 1 else "[" + ", ".join(missing) + "]")


def _objects(store, kind, namespace):
    index = store.index(BY_KIND[("rbac.authorization.k8s.io/v1", kind)])
    return [e.obj for key, e in index.objects.items() if key[0] == namespace]
