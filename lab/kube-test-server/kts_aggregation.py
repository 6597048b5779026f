"""API aggregation, as kube-aggregator does it: an APIService `<version>.<group>` sends every
request under /apis/<group>/<version>/ to the service behind it.

kube-aggregator finds the backend through `spec.service` (namespace, name, port) and the
Service's endpoints. This server runs no Services: the annotation `kube-test-server.lab/backend`
on the APIService gives the backend's HTTPS base URL (e.g. https://127.0.0.1:41234) in their
place. As in kube-aggregator, the backend's certificate is verified against `spec.caBundle`
(base64 PEM) unless `spec.insecureSkipTLSVerify` is true, the caller must be allowed the verb on
the resource, and an unreachable backend is 503 ServiceUnavailable.

Not emulated: the front-proxy client certificate and X-Remote-* headers the aggregator adds,
the Available condition, discovery merging (the group does not appear under /apis).
"""
import base64
import http.client
import ssl
import urllib.parse

import kts_errors as errors

BACKEND_ANNOTATION = "kube-test-server.lab/backend"


def find(store, rtype, group, version):
    """The APIService object for group/version, or None."""
    entry = store.index(rtype).objects.get(("", "%s.%s" % (version, group)))
    if entry is None:
        return None
    spec = entry.obj.get("spec") or {}
    if spec.get("group") != group or spec.get("version") != version or not spec.get("service"):
        return None
    return entry.obj


def proxy(apiservice, method, path, query_string, headers, raw):
    """Sends the request to the APIService's backend; returns (status, body, content type)."""
    meta = apiservice.get("metadata") or {}
    backend = (meta.get("annotations") or {}).get(BACKEND_ANNOTATION)
    service = apiservice["spec"]["service"]
    where = "%s/%s" % (service.get("namespace", ""), service.get("name", ""))
    if not backend:
        raise errors.ApiError(503, "ServiceUnavailable", 'no endpoints available for service "%s"' % where, {})
    url = urllib.parse.urlsplit(backend)
    context = ssl.create_default_context()
    if apiservice["spec"].get("insecureSkipTLSVerify"):
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        bundle = apiservice["spec"].get("caBundle")
        if not bundle:
            raise errors.ApiError(503, "ServiceUnavailable", "error trying to reach service: the APIService has no caBundle", {})
        context.load_verify_locations(cadata=base64.b64decode(bundle).decode())
    forwarded = {k: v for k, v in headers.items() if k.lower() in ("content-type", "accept", "user-agent")}
    forwarded["Content-Length"] = str(len(raw))
    try:
        connection = http.client.HTTPSConnection(url.hostname, url.port or 443, context=context, timeout=30)
        connection.request(method, path + ("?" + query_string if query_string else ""), body=raw, headers=forwarded)
        answer = connection.getresponse()
        body = answer.read()
        return answer.status, body, answer.getheader("Content-Type") or "application/json"
    except (OSError, http.client.HTTPException, ssl.SSLError) as error:
        raise errors.ApiError(503, "ServiceUnavailable", "error trying to reach service: %s" % error, {})
