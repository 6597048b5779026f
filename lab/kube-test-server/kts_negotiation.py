"""The encoding of an answer, chosen from the request's Accept header as kube-apiserver chooses it.

The clauses are ordered as Go's goautoneg orders them (higher `q` first, then concrete types before
wildcards, otherwise as written) and the first one the server can serve wins. Served here: JSON
(`application/json`, `application/*`, `*/*`), the meta.k8s.io Table conversion in JSON
(`application/json;as=Table;v=v1|v1beta1;g=meta.k8s.io`; kube-apiserver serves Tables only as JSON or YAML)
and protobuf (`application/vnd.kubernetes.protobuf`) for the kinds kts_protobuf encodes. Custom resources
have no protobuf: a protobuf clause is passed over, and a request that accepts nothing else gets
`406 NotAcceptable` with kube-apiserver's message. An error Status is encoded in the first of JSON and protobuf
the request accepts (any kind's errors can be protobuf, as on the real server). Accept headers that name
nothing served here (YAML, CBOR, other conversions such as PartialObjectMetadata) are answered in JSON."""

import kts_errors as errors

JSON, PROTOBUF, TABLE = "json", "protobuf", "table"
PROTOBUF_TYPE = ("application", "vnd.kubernetes.protobuf")
CRD_MEDIA_TYPES = "application/json, application/yaml, application/vnd.kubernetes.protobuf"


def clauses(header):
    """[(type, subtype, params)] in the order kube-apiserver tries them."""
    parsed = []
    for part in (header or "").split(","):
        pieces = part.split(";")
        media = pieces[0].strip().split("/")
        if len(media) == 1 and media[0] == "*":
            kind, sub = "*", "*"
        elif len(media) == 2:
            kind, sub = media[0].strip(), media[1].strip()
        else:
            continue
        q, params = 1.0, {}
        for param in pieces[1:]:
            name, eq, value = param.partition("=")
            if not eq:
                continue
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
            else:
                params[name.strip()] = value.strip()
        parsed.append((-q, kind == "*", sub == "*", len(parsed), (kind, sub, params)))
    return [entry[-1] for entry in sorted(parsed)]


def _matches(clause, kind, sub):
    return clause[0] == "*" or (clause[0] == kind and clause[1] in ("*", sub))


def _conversion(params):
    return any(k in params for k in ("as", "g", "v"))


def for_object(header, protobuf, refusal=None):
    """(JSON|PROTOBUF, None) or (TABLE, version) for an object or list answer. `protobuf`: the kind is answered
    in protobuf; `refusal`: the message of the 406 when protobuf is all the request accepts (None: JSON then)."""
    found = clauses(header)
    for clause in found:
        params = clause[2]
        if _conversion(params):
            if params.get("as") == "Table" and params.get("g") == "meta.k8s.io" and \
                    params.get("v") in ("v1", "v1beta1") and _matches(clause, "application", "json"):
                return TABLE, params["v"]
            continue
        if _matches(clause, "application", "json"):
            return JSON, None
        if protobuf and _matches(clause, *PROTOBUF_TYPE):
            return PROTOBUF, None
    if refusal and found and all(clause[:2] == PROTOBUF_TYPE for clause in found):
        raise errors.not_acceptable(refusal)
    return JSON, None


def refusal(rtype):
    """The 406 message for a protobuf-only request about a kind that is not answered in protobuf."""
    if rtype.crd:
        return f"only the following media types are accepted: {CRD_MEDIA_TYPES}"
    return f"kube-test-server has no protobuf encoding of {rtype.kind}: accept application/json"


def for_status(header):
    """JSON or PROTOBUF for an error (or a delete's success) Status."""
    for clause in clauses(header):
        if _conversion(clause[2]):
            continue
        if _matches(clause, "application", "json"):
            return JSON
        if _matches(clause, *PROTOBUF_TYPE):
            return PROTOBUF
    return JSON
