"""The OpenAPI documents kubectl reads.

v3 (`/openapi/v3`, one document per group version): PATCH operations that accept `fieldValidation`, so
kubectl leaves validating single objects to the server, and no strategic-merge-patch request body, so
client-side apply computes its patches from kubectl's built-in types (or JSON merge patches for the
cert-manager kinds).

v2 (`/openapi/v2`, JSON or gnostic protobuf): definitions with `x-kubernetes-group-version-kind`, which
kubectl uses to validate a `kind: List` (what `kubectl get -o yaml` prints) on the client, item by item,
before applying it. Top-level fields and ObjectMeta are described field by field, so a misspelt one is
refused as kube-apiserver's schema refuses it; `spec` and `status` are left open (any content)."""

import json

import kts_protobuf
from kts_resources import groups

# kubectl asks for the first; Go's mime parser refuses its "@", so the answer is labelled with the second,
# as kube-apiserver's is.
PROTOBUF_V2 = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
PROTOBUF_V2_ANSWER = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
META = "io.k8s.apimachinery.pkg.apis.meta.v1"


# ---------------------------------------------------------------------------------------------- v3

def v3_root():
    paths = {}
    for group, version, _ in groups():
        gv = f"api/{version}" if not group else f"apis/{group}/{version}"
        paths[gv] = {"serverRelativeURL": f"/openapi/v3/{gv}?hash=KTS{len(gv)}"}
    return {"paths": paths}


def v3_group(group, version):
    prefix = f"/api/{version}" if not group else f"/apis/{group}/{version}"
    paths, schemas = {}, {}
    for g, v, rtypes in groups():
        if (g, v) != (group, version):
            continue
        for r in rtypes:
            gvk = {"group": r.group, "version": r.version, "kind": r.kind}
            path = f"{prefix}/namespaces/{{namespace}}/{r.plural}/{{name}}" if r.namespaced else f"{prefix}/{r.plural}/{{name}}"
            params = [{"name": n, "in": "query", "schema": {"type": "string"}}
                      for n in ("dryRun", "fieldManager", "fieldValidation", "force")]
            paths[path] = {
                "get": {"operationId": f"read{r.kind}", "x-kubernetes-action": "get",
                        "x-kubernetes-group-version-kind": gvk, "responses": {"200": {"description": "OK"}}},
                "patch": {"operationId": f"patch{r.kind}", "x-kubernetes-action": "patch",
                          "x-kubernetes-group-version-kind": gvk, "parameters": params,
                          "responses": {"200": {"description": "OK"}}},
            }
            schemas[f"{r.group or 'core'}.{r.version}.{r.kind}"] = {
                "type": "object", "x-kubernetes-group-version-kind": [gvk]}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"}, "paths": paths,
            "components": {"schemas": schemas}}


# ---------------------------------------------------------------------------------------------- v2

def _string(fmt=None):
    return {"type": "string", "format": fmt} if fmt else {"type": "string"}


def _map(values):
    return {"type": "object", "additionalProperties": values}


OPEN = {"description": "Not described by the test server: any content."}

OBJECT_META = {
    "type": "object",
    "properties": {
        "annotations": _map(_string()),
        "creationTimestamp": _string("date-time"),
        "deletionGracePeriodSeconds": {"type": "integer", "format": "int64"},
        "deletionTimestamp": _string("date-time"),
        "finalizers": {"type": "array", "items": _string()},
        "generateName": _string(),
        "generation": {"type": "integer", "format": "int64"},
        "labels": _map(_string()),
        "managedFields": {"type": "array", "items": OPEN},
        "name": _string(),
        "namespace": _string(),
        "ownerReferences": {"type": "array", "items": OPEN},
        "resourceVersion": _string(),
        "selfLink": _string(),
        "uid": _string(),
    },
}

# The fields each kind has besides apiVersion, kind and metadata.
KIND_FIELDS = {
    "Secret": {"data": _map(_string("byte")), "immutable": {"type": "boolean"},
               "stringData": _map(_string()), "type": _string()},
    "ConfigMap": {"data": _map(_string()), "binaryData": _map(_string("byte")), "immutable": {"type": "boolean"}},
}
# Kinds without spec/status: their top-level fields, left open.
OPEN_FIELDS = {
    ("", "Event"): ("involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count",
                    "type", "eventTime", "series", "action", "related", "reportingComponent", "reportingInstance"),
    ("events.k8s.io", "Event"): ("eventTime", "series", "reportingController", "reportingInstance", "action",
                                 "reason", "regarding", "related", "note", "type", "deprecatedSource",
                                 "deprecatedFirstTimestamp", "deprecatedLastTimestamp", "deprecatedCount"),
    ("", "ServiceAccount"): ("secrets", "imagePullSecrets", "automountServiceAccountToken"),
    ("rbac.authorization.k8s.io", "ClusterRole"): ("rules", "aggregationRule"),
    ("rbac.authorization.k8s.io", "Role"): ("rules",),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): ("subjects", "roleRef"),
    ("rbac.authorization.k8s.io", "RoleBinding"): ("subjects", "roleRef"),
}


def _kind_fields(r):
    if r.kind in KIND_FIELDS:
        return KIND_FIELDS[r.kind]
    names = OPEN_FIELDS.get((r.group, r.kind), ("spec", "status"))
    return {name: OPEN for name in names}


def _definition_name(r):
    if not r.group:
        return f"io.k8s.api.core.{r.version}.{r.kind}"
    if r.crd:
        return ".".join(reversed(r.group.split("."))) + f".{r.version}.{r.kind}"
    return f"io.k8s.api.{r.group.split('.')[0]}.{r.version}.{r.kind}"


def v2_document():
    definitions = {f"{META}.ObjectMeta": OBJECT_META}
    for _, _, rtypes in groups():
        for r in rtypes:
            properties = {"apiVersion": _string(), "kind": _string(),
                          "metadata": {"$ref": f"#/definitions/{META}.ObjectMeta"}}
            properties.update(_kind_fields(r))
            definitions[_definition_name(r)] = {
                "type": "object", "properties": properties,
                "x-kubernetes-group-version-kind": [{"group": r.group, "kind": r.kind, "version": r.version}]}
    return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": "v1.32.0"}, "paths": {},
            "definitions": definitions}


# gnostic's openapi_v2 protobuf messages, only the fields v2_document uses:
# Document{1 swagger, 2 info, 9 definitions}, Info{1 title, 2 version}, Definitions/Properties{1 NamedSchema},
# NamedSchema{1 name, 2 value}, Schema{1 _ref, 2 format, 4 description, 21 additionalProperties, 22 type,
# 23 items, 25 properties, 31 vendorExtension}, AdditionalPropertiesItem{1 schema}, TypeItem{1 value},
# ItemsItem{1 schema}, NamedAny{1 name, 2 value}, Any{2 yaml}.

def _field(number, payload):
    return kts_protobuf.delimited(number, payload.encode() if isinstance(payload, str) else payload)


def _named(name, value):
    return _field(1, name) + _field(2, value)


def _schema(s):
    out = b""
    if "$ref" in s:
        out += _field(1, s["$ref"])
    if "format" in s:
        out += _field(2, s["format"])
    if "description" in s:
        out += _field(4, s["description"])
    if "additionalProperties" in s:
        out += _field(21, _field(1, _schema(s["additionalProperties"])))
    if "type" in s:
        out += _field(22, _field(1, s["type"]))
    if "items" in s:
        out += _field(23, _field(1, _schema(s["items"])))
    if "properties" in s:
        out += _field(25, b"".join(_field(1, _named(k, _schema(v))) for k, v in s["properties"].items()))
    for name, value in s.items():
        if name.startswith("x-"):
            # Any.yaml; JSON is YAML.
            out += _field(31, _named(name, _field(2, json.dumps(value))))
    return out


def v2_protobuf(document):
    info = _field(1, document["info"]["title"]) + _field(2, document["info"]["version"])
    definitions = b"".join(_field(1, _named(k, _schema(v))) for k, v in document["definitions"].items())
    return _field(1, document["swagger"]) + _field(2, info) + _field(9, definitions)


V2_DOCUMENT = v2_document()
V2_PROTOBUF = v2_protobuf(V2_DOCUMENT)
