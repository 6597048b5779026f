"""Service-account tokens: the TokenRequest API (`POST .../serviceaccounts/NAME/token`, what
`kubectl create token` calls) and their authentication.

A token is a JWT with kube-apiserver's claims (`sub: system:serviceaccount:NS:NAME`, the
`kubernetes.io` claim naming the namespace and the account's name and uid, `aud`, `iat`, `nbf`, `exp`),
signed with HS256 under a key this process draws at start (kube-apiserver signs with RS256; nobody but
this server checks these signatures). As on the real server, a token is accepted only while it has not
expired, its audiences include the server's, and the ServiceAccount it names still exists with the same
uid; the user it authenticates is `system:serviceaccount:NS:NAME` in the groups `system:serviceaccounts` and
`system:serviceaccounts:NS`."""

import base64
import datetime
import hashlib
import hmac
import json
import os
import time

import kts_errors as errors
from kts_errors import FieldError

API_AUDIENCE = "https://kubernetes.default.svc.cluster.local"
ISSUER = "https://kubernetes.default.svc.cluster.local"
DEFAULT_SECONDS = 3600
MIN_SECONDS = 600
MAX_SECONDS = 1 << 32
TOKEN_REQUEST = {"group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest"}


def _b64(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _timestamp(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class ServiceAccountTokens:
    def __init__(self):
        self.key = os.urandom(32)

    def _sign(self, signing_input):
        return _b64(hmac.new(self.key, signing_input.encode(), hashlib.sha256).digest())

    def request(self, service_account, body):
        """The TokenRequest answer (201) for an existing ServiceAccount object and the request's body."""
        if not isinstance(body, dict):
            raise errors.bad_request("the body of the request is not a JSON or YAML object")
        spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
        meta = service_account["metadata"]
        seconds = spec.get("expirationSeconds", DEFAULT_SECONDS)
        if not isinstance(seconds, int) or seconds < MIN_SECONDS or seconds > MAX_SECONDS:
            detail = ("may not specify a duration less than 10 minutes" if isinstance(seconds, int) and
                      seconds < MIN_SECONDS else "may not specify a duration larger than 2^32 seconds")
            raise errors.invalid_kind("TokenRequest", "authentication.k8s.io", meta["name"],
                                      [FieldError("invalid", "spec.expirationSeconds", detail, seconds)])
        audiences = spec.get("audiences") or [API_AUDIENCE]
        now = int(time.time())
        claims = {"aud": audiences, "exp": now + seconds, "iat": now, "iss": ISSUER,
                  "kubernetes.io": {"namespace": meta["namespace"],
                                    "serviceaccount": {"name": meta["name"], "uid": meta["uid"]}},
                  "nbf": now, "sub": f"system:serviceaccount:{meta['namespace']}:{meta['name']}"}
        header = {"alg": "HS256", "kid": "kube-test-server"}
        signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
        token = signing_input + "." + self._sign(signing_input)
        return {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
                "metadata": {"name": meta["name"], "namespace": meta["namespace"], "creationTimestamp": None},
                "spec": {"audiences": audiences, "expirationSeconds": seconds, "boundObjectRef": None},
                "status": {"token": token, "expirationTimestamp": _timestamp(now + seconds)}}

    def authenticate(self, token, find_service_account):
        """(user name, groups) for a valid token, else None. `find_service_account(ns, name)` → the object or None."""
        parts = token.split(".")
        if len(parts) != 3:
            return None
        if not hmac.compare_digest(self._sign(parts[0] + "." + parts[1]), parts[2]):
            return None
        try:
            claims = json.loads(_unb64(parts[1]))
            namespace = claims["kubernetes.io"]["namespace"]
            name = claims["kubernetes.io"]["serviceaccount"]["name"]
            uid = claims["kubernetes.io"]["serviceaccount"]["uid"]
        except (ValueError, KeyError, TypeError):
            return None
        now = time.time()
        if not claims.get("nbf", 0) <= now < claims.get("exp", 0) or API_AUDIENCE not in (claims.get("aud") or []):
            return None
        account = find_service_account(namespace, name)
        if account is None or account["metadata"].get("uid") != uid:
            return None
        return f"system:serviceaccount:{namespace}:{name}", ["system:serviceaccounts", f"system:serviceaccounts:{namespace}"]
