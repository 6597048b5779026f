"""metav1.Status bodies for every error the test server returns, worded like kube-apiserver's."""

import json


class ApiError(Exception):
    """An error answered as a metav1.Status with an HTTP status code."""

    def __init__(self, code, reason, message, details=None, headers=None, list_meta=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}
        self.list_meta = list_meta

    def status(self):
        body = {"kind": "Status", "apiVersion": "v1", "metadata": self.list_meta or {},
                "status": "Failure", "message": self.message}
        if self.reason:
            body["reason"] = self.reason
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body

    def body(self):
        return json.dumps(self.status(), separators=(",", ":")).encode()


def _details(rtype, name=None):
    details = {}
    if name:
        details["name"] = name
    if rtype is not None and rtype.group:
        details["group"] = rtype.group
    details["kind"] = rtype.plural if rtype is not None else ""
    return details


def not_found(rtype, name):
    return ApiError(404, "NotFound", f'{rtype.group_resource} "{name}" not found', _details(rtype, name))


def namespace_not_found(namespace):
    return ApiError(404, "NotFound", f'namespaces "{namespace}" not found',
                    {"name": namespace, "kind": "namespaces"})


def already_exists(rtype, name):
    return ApiError(409, "AlreadyExists", f'{rtype.group_resource} "{name}" already exists',
                    _details(rtype, name))


def conflict(rtype, name, detail=None):
    detail = detail or ("the object has been modified; please apply your changes to the latest "
                        "version and try again")
    return ApiError(409, "Conflict", f'Operation cannot be fulfilled on {rtype.group_resource} "{name}": {detail}',
                    _details(rtype, name))


def apply_conflict(message, causes):
    return ApiError(409, "Conflict", message, {"causes": causes})


def forbidden(rtype, name, reason):
    if rtype is None:
        return ApiError(403, "Forbidden", f"forbidden: {reason}", {})
    prefix = f'{rtype.group_resource} "{name}"' if name else rtype.group_resource
    return ApiError(403, "Forbidden", f"{prefix} is forbidden: {reason}", _details(rtype, name))


def unauthorized():
    return ApiError(401, "Unauthorized", "Unauthorized", None)


def bad_request(message):
    return ApiError(400, "BadRequest", message, None)


def method_not_allowed(message):
    return ApiError(405, "MethodNotAllowed", message, {})


def unsupported_media_type(message):
    return ApiError(415, "UnsupportedMediaType", message, {})


def not_acceptable(message):
    return ApiError(406, "NotAcceptable", message, {})


def path_not_found():
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def expired(message, continue_token=None):
    meta = {"continue": continue_token} if continue_token else None
    return ApiError(410, "Expired", message, None, list_meta=meta)


class FieldError:
    """One field.Error: `path: Type: detail`."""

    TYPES = {
        "invalid": ("FieldValueInvalid", "Invalid value"),
        "required": ("FieldValueRequired", "Required value"),
        "forbidden": ("FieldValueForbidden", "Forbidden"),
        "toolong": ("FieldValueTooLong", "Too long"),
        "notsupported": ("FieldValueNotSupported", "Unsupported value"),
        "duplicate": ("FieldValueDuplicate", "Duplicate value"),
    }

    def __init__(self, kind, field, detail="", value=None, has_value=False):
        self.kind = kind
        self.field = field
        self.detail = detail
        self.value = value
        self.has_value = has_value or kind in ("invalid", "notsupported", "duplicate")

    def body(self):
        cause, label = self.TYPES[self.kind]
        text = label
        if self.has_value:
            text += ": " + render_value(self.value)
        if self.detail:
            text += ": " + self.detail
        return cause, text

    def __str__(self):
        return f"{self.field}: {self.body()[1]}"


def render_value(value):
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def invalid(rtype, name, errors):
    """422 Invalid: `Secret "x" is invalid: <errors>` (several errors in [a, b])."""
    return invalid_kind(rtype.kind, rtype.group, name, errors)


def invalid_kind(kind, group, name, errors):
    """422 Invalid for an object of `kind` in `group` (which may be a kind no resource serves, as TokenRequest)."""
    qualified = kind if not group else f"{kind}.{group}"
    texts = []
    for e in errors:  # the message, like field.ErrorList.ToAggregate, names a repeated error once
        if str(e) not in texts:
            texts.append(str(e))
    summary = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    causes = []
    for e in errors:
        cause, text = e.body()
        causes.append({"reason": cause, "message": text, "field": e.field})
    details = {"name": name or "", "kind": kind}
    if group:
        details["group"] = group
    details["causes"] = causes
    return ApiError(422, "Invalid", f'{qualified} "{name or ""}" is invalid: {summary}', details)


REASONS = {
    400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
    409: "Conflict", 410: "Expired", 422: "Invalid", 429: "TooManyRequests", 500: "InternalError",
    503: "ServiceUnavailable", 504: "Timeout",
}


def injected(code, retry_after=None):
    reason = REASONS.get(code, "")
    if code == 429:
        details = {"retryAfterSeconds": int(retry_after)} if retry_after is not None else {}
        message = "Too many requests, please try again later."
    elif code == 500:
        details = {"causes": [{"message": "injected fault"}]}
        message = "Internal error occurred: injected fault"
    elif code == 503:
        details = {"retryAfterSeconds": int(retry_after)} if retry_after is not None else {}
        message = "The server is currently unable to handle the request (injected fault)"
    else:
        details = {}
        message = f"injected fault ({code})"
    headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else {}
    return ApiError(code, reason, message, details, headers=headers)
