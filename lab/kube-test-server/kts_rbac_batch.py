"""Validation and defaults of the RBAC and batch kinds, worded as kube-apiserver's
(pkg/apis/rbac/validation, pkg/apis/batch/validation, their v1 defaults). Only the rules a client
writing these objects by hand can trip over; no controllers act on the objects."""

import re

from kts_errors import FieldError

RBAC_GROUP = "rbac.authorization.k8s.io"
SUBJECT_KINDS = ("ServiceAccount", "User", "Group")
RESTART_POLICIES = ("OnFailure", "Never")
CONCURRENCY_POLICIES = ("Allow", "Forbid", "Replace")
COMPLETION_MODES = ("NonIndexed", "Indexed")
CONTAINER_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def _list(value):
    return value if isinstance(value, list) else []


def _dict(value):
    return value if isinstance(value, dict) else {}


# ---------------------------------------------------------------------------------------------- RBAC

def validate_rules(obj, namespaced):
    errs = []
    for i, rule in enumerate(_list(obj.get("rules"))):
        rule, path = _dict(rule), f"rules[{i}]"
        if not _list(rule.get("verbs")):
            errs.append(FieldError("required", f"{path}.verbs", "verbs must contain at least one value"))
        urls = _list(rule.get("nonResourceURLs"))
        if urls:
            if namespaced:
                errs.append(FieldError("invalid", f"{path}.nonResourceURLs",
                                       "namespaced rules cannot apply to non-resource URLs", urls))
            if _list(rule.get("apiGroups")) or _list(rule.get("resources")) or _list(rule.get("resourceNames")):
                errs.append(FieldError("invalid", f"{path}.nonResourceURLs",
                                       "rules cannot apply to both regular resources and non-resource URLs", urls))
            continue
        if not _list(rule.get("apiGroups")):
            errs.append(FieldError("required", f"{path}.apiGroups", "resource rules must supply at least one api group"))
        if not _list(rule.get("resources")):
            errs.append(FieldError("required", f"{path}.resources", "resource rules must supply at least one resource"))
    return errs


def validate_binding(obj, old, namespaced):
    errs = []
    ref = _dict(obj.get("roleRef"))
    if ref.get("apiGroup") != RBAC_GROUP:
        errs.append(FieldError("notsupported", "roleRef.apiGroup", f'supported values: "{RBAC_GROUP}"',
                               ref.get("apiGroup") or ""))
    kinds = ("Role", "ClusterRole") if namespaced else ("ClusterRole",)
    if ref.get("kind") not in kinds:
        errs.append(FieldError("notsupported", "roleRef.kind", "supported values: " +
                               ", ".join(f'"{k}"' for k in kinds), ref.get("kind") or ""))
    if not ref.get("name"):
        errs.append(FieldError("required", "roleRef.name"))
    for i, subject in enumerate(_list(obj.get("subjects"))):
        errs += _validate_subject(_dict(subject), namespaced, f"subjects[{i}]")
    if old is not None and _dict(old.get("roleRef")) != ref:
        errs.append(FieldError("invalid", "roleRef", "cannot change roleRef", ref))
    return errs


def _validate_subject(subject, namespaced, path):
    errs = []
    name, kind, group = subject.get("name") or "", subject.get("kind") or "", subject.get("apiGroup") or ""
    if not name:
        errs.append(FieldError("required", f"{path}.name"))
    if kind == "ServiceAccount":
        if group:
            errs.append(FieldError("notsupported", f"{path}.apiGroup", 'supported values: ""', group))
        if not namespaced and not subject.get("namespace"):
            errs.append(FieldError("required", f"{path}.namespace"))
    elif kind in ("User", "Group"):
        if group != RBAC_GROUP:
            errs.append(FieldError("notsupported", f"{path}.apiGroup", f'supported values: "{RBAC_GROUP}"', group))
    else:
        errs.append(FieldError("notsupported", f"{path}.kind", "supported values: " +
                               ", ".join(f'"{k}"' for k in SUBJECT_KINDS), kind))
    return errs


def default_binding(obj):
    """rbac/v1 defaults: roleRef.apiGroup, and a User's or Group's apiGroup."""
    ref = obj.get("roleRef")
    if isinstance(ref, dict) and not ref.get("apiGroup"):
        ref["apiGroup"] = RBAC_GROUP
    for subject in _list(obj.get("subjects")):
        if isinstance(subject, dict) and not subject.get("apiGroup") and subject.get("kind") in ("User", "Group"):
            subject["apiGroup"] = RBAC_GROUP


# ---------------------------------------------------------------------------------------------- batch

def validate_cronjob(obj):
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [FieldError("required", "spec.schedule")]
    errs = []
    schedule = spec.get("schedule")
    if not schedule:
        errs.append(FieldError("required", "spec.schedule"))
    elif _cron_error(str(schedule)):
        errs.append(FieldError("invalid", "spec.schedule", _cron_error(str(schedule)), schedule))
    if spec.get("concurrencyPolicy") not in CONCURRENCY_POLICIES:
        errs.append(FieldError("notsupported", "spec.concurrencyPolicy", 'supported values: "Allow", "Forbid", '
                               '"Replace"', spec.get("concurrencyPolicy") or ""))
    job_spec = _dict(spec.get("jobTemplate")).get("spec")
    errs += validate_job_spec(_dict(job_spec), "spec.jobTemplate.spec")
    return errs


def validate_job(obj):
    return validate_job_spec(_dict(obj.get("spec")), "spec")


def validate_job_spec(spec, path):
    errs = []
    mode = spec.get("completionMode") or "NonIndexed"
    if mode not in COMPLETION_MODES:
        errs.append(FieldError("notsupported", f"{path}.completionMode", 'supported values: "NonIndexed", "Indexed"',
                               mode))
    if mode == "Indexed" and spec.get("completions") is None:
        errs.append(FieldError("required", f"{path}.completions", "when completion mode is Indexed"))
    for key in ("parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"):
        value = spec.get(key)
        if value is not None and (not isinstance(value, int) or value < 0):
            errs.append(FieldError("invalid", f"{path}.{key}", "must be greater than or equal to 0", value))
    pod = _dict(_dict(spec.get("template")).get("spec"))
    pod_path = f"{path}.template.spec"
    containers = _list(pod.get("containers"))
    if not containers:
        errs.append(FieldError("required", f"{pod_path}.containers"))
    for i, container in enumerate(containers):
        container = _dict(container)
        name = container.get("name") or ""
        if not name:
            errs.append(FieldError("required", f"{pod_path}.containers[{i}].name"))
        elif len(name) > 63 or not CONTAINER_NAME.match(name):
            errs.append(FieldError("invalid", f"{pod_path}.containers[{i}].name", "a lowercase RFC 1123 label must "
                                   "consist of lower case alphanumeric characters or '-', and must start and end "
                                   "with an alphanumeric character", name))
        if not container.get("image"):
            errs.append(FieldError("required", f"{pod_path}.containers[{i}].image"))
    if pod.get("restartPolicy") not in RESTART_POLICIES:
        errs.append(FieldError("required", f"{pod_path}.restartPolicy", 'valid values: "OnFailure", "Never"'))
    return errs


def _cron_error(schedule):
    """Why robfig/cron's standard parser (which kube-apiserver uses) refuses a schedule, or None."""
    if schedule.startswith("@"):
        if schedule in ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly") or \
                re.match(r"^@every \d+(\.\d+)?(ns|us|ms|s|m|h)$", schedule):
            return None
        return f"unrecognized descriptor: {schedule}"
    parts = schedule.split()
    if len(parts) != 5:
        return f"expected exactly 5 fields, found {len(parts)}: [{' '.join(parts)}]"
    item = r"(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(/\d+)?"
    for part in parts:
        if not re.match(rf"^{item}(,{item})*$", part):
            return f"failed to parse field: {part}"
    return None


def default_cronjob(obj):
    """batch/v1 CronJob defaults that show in `kubectl get`: concurrencyPolicy, suspend, history limits."""
    spec = obj.get("spec")
    if isinstance(spec, dict):
        spec.setdefault("concurrencyPolicy", "Allow")
        spec.setdefault("suspend", False)
        spec.setdefault("successfulJobsHistoryLimit", 3)
        spec.setdefault("failedJobsHistoryLimit", 1)
