"""The reviews a user may ask about themselves, answered from the same rules that authorize requests:

- SelfSubjectAccessReview (`kubectl auth can-i VERB RESOURCE`): may I do this?
- SelfSubjectRulesReview (`kubectl auth can-i --list`): everything I may do in a namespace;
- SelfSubjectReview (`kubectl auth whoami`): who am I?

Every authenticated user may ask, as kube-apiserver's `system:basic-user` role allows; the rules review
lists that role's resource rules and the non-resource URLs this server opens to every authenticated user
(discovery, OpenAPI, health), as kube-apiserver's `system:discovery` role does."""

import kts_errors as errors
import kts_rbac
from kts_errors import FieldError

BASIC_USER_RULES = [
    {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
     "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]},
    {"verbs": ["create"], "apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"]},
]
DISCOVERY_RULES = [{"verbs": ["get"], "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez",
                                                          "/openapi", "/openapi/*", "/readyz", "/version", "/version/"]}]


def _spec(kind, review):
    if not isinstance(review, dict) or not isinstance(review.get("spec"), dict):
        raise errors.bad_request(f"the body of the request is not a {kind}")
    return review["spec"]


def access_review(app, user, review):
    spec = _spec("SelfSubjectAccessReview", review)
    attributes = spec.get("resourceAttributes")
    if not isinstance(attributes, dict):
        raise errors.invalid_kind("SelfSubjectAccessReview", "authorization.k8s.io", "", [
            FieldError("invalid", "spec.resourceAttributes", "exactly one of nonResourceAttributes or "
                       "resourceAttributes must be specified (non-resource URLs are not emulated)", None)])
    resource = attributes.get("resource") or ""
    if attributes.get("subresource"):
        resource += "/" + attributes["subresource"]
    allowed, reason = app.allowed(user, attributes.get("verb") or "", attributes.get("group") or "", resource,
                                  attributes.get("namespace") or "", attributes.get("name") or None)
    status = {"allowed": allowed}
    if reason:
        status["reason"] = reason
    return {"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
            "metadata": {"creationTimestamp": None}, "spec": spec, "status": status}


def rules_review(app, user, review):
    spec = _spec("SelfSubjectRulesReview", review)
    namespace = spec.get("namespace") or ""
    if not namespace:
        raise errors.invalid_kind("SelfSubjectRulesReview", "authorization.k8s.io", "", [
            FieldError("required", "spec.namespace")])
    resource_rules = [dict(rule) for rule in BASIC_USER_RULES]
    for rule in app.policy_rules(user, namespace):
        resource_rules.append({k: list(rule[k]) for k in ("verbs", "apiGroups", "resources") if k in rule})
    rules, reason = kts_rbac.rules_for(app.store, user, namespace)
    for rule in rules:
        resource_rules.append({k: list(rule[k]) for k in ("verbs", "apiGroups", "resources", "resourceNames")
                               if isinstance(rule.get(k), list) and rule[k]})
    status = {"resourceRules": resource_rules, "nonResourceRules": [dict(r) for r in DISCOVERY_RULES],
              "incomplete": bool(reason)}
    if reason:
        status["evaluationError"] = reason
    return {"kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1",
            "metadata": {"creationTimestamp": None}, "spec": spec, "status": status}


def who_am_i(user):
    return {"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
            "metadata": {"creationTimestamp": None},
            "status": {"userInfo": {"username": user.name, "groups": list(user.groups)}}}
