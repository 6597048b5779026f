#!/usr/bin/env python3
"""Seeds 10,000 Secrets, 5,000 Ingresses and 2,000 Certificates into a running kube-test-server and
times listing them across all namespaces in pages of 500, as JSON, as Tables and as protobuf, several
rounds each (the first protobuf round encodes each object, later ones reuse the encoding). Prints, per
round, the time the client waited (reading only what paging needs) and the time the server spent
(its request log); asserts nothing.

    bench.py --url https://127.0.0.1:16443 --ca CA.pem --cert ADMIN.pem --key ADMIN-KEY.pem
"""

import argparse
import http.client
import json
import os
import ssl
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kts_protobuf  # noqa: E402

ANSWERS = (("json", "application/json"), ("table", "application/json;as=Table;v=v1;g=meta.k8s.io"),
           ("protobuf", "application/vnd.kubernetes.protobuf, application/json"))


def page_of(data, content_type):
    """(items, continue token) of one page; protobuf is read only as far as that needs."""
    if content_type == kts_protobuf.CONTENT_TYPE:
        envelope = dict(kts_protobuf.read_fields(data[len(kts_protobuf.MAGIC):]))
        items, token = 0, ""
        for number, value in kts_protobuf.read_fields(envelope[2]):
            if number == 1:
                token = dict(kts_protobuf.read_fields(value)).get(3, b"").decode()
            elif number == 2:
                items += 1
        return items, token
    body = json.loads(data)
    return len(body.get("items", body.get("rows", []))), body["metadata"].get("continue")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", default="https://127.0.0.1:16443")
    p.add_argument("--ca", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--secrets", type=int, default=10000)
    p.add_argument("--ingresses", type=int, default=5000)
    p.add_argument("--certificates", type=int, default=2000)
    p.add_argument("--page", type=int, default=500)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    url = urllib.parse.urlsplit(args.url)
    ctx = ssl.create_default_context(cafile=args.ca)
    ctx.load_cert_chain(args.cert, args.key)
    conn = http.client.HTTPSConnection(url.hostname, url.port, context=ctx)

    def call(method, path, body=None, ctype="application/json"):
        conn.request(method, path, body=body, headers={"Content-Type": ctype} if body else {})
        r = conn.getresponse()
        data = r.read()
        if r.status >= 300:
            raise SystemExit(f"{method} {path}: {r.status} {data[:300]!r}")
        return data

    call("POST", "/_test/reset")
    objects = []
    for i in range(args.secrets):
        objects.append({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                        "metadata": {"name": f"s-{i:05d}", "namespace": f"bench-{i % 20}",
                                     "labels": {"app.kubernetes.io/managed-by": "kubectl-certs"}},
                        "data": {"tls.crt": "QUJD" * 300, "tls.key": "REVG" * 60}})
    for i in range(args.ingresses):
        objects.append({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                        "metadata": {"name": f"i-{i:05d}", "namespace": f"bench-{i % 20}"},
                        "spec": {"tls": [{"hosts": [f"h{i}.example.test"], "secretName": f"s-{i:05d}"}],
                                 "rules": [{"host": f"h{i}.example.test"}]}})
    for i in range(args.certificates):
        objects.append({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
                        "metadata": {"name": f"c-{i:05d}", "namespace": f"bench-{i % 20}"},
                        "spec": {"secretName": f"s-{i:05d}", "dnsNames": [f"h{i}.example.test"],
                                 "issuerRef": {"name": "lab", "kind": "ClusterIssuer"}}})
    start = time.monotonic()
    call("POST", "/_test/seed", json.dumps(objects).encode())
    print(f"seeded {len(objects)} objects in {time.monotonic() - start:.2f}s")

    for path in ("/api/v1/secrets", "/apis/networking.k8s.io/v1/ingresses", "/apis/cert-manager.io/v1/certificates"):
        for kind, accept in ANSWERS:
            for round_ in range(1, args.rounds + 1):
                call("DELETE", "/_test/requests")
                token, pages, items, size, types = "", 0, 0, 0, set()
                start = time.monotonic()
                while True:
                    query = f"?limit={args.page}" + (f"&continue={token}" if token else "")
                    conn.request("GET", path + query, headers={"Accept": accept})
                    r = conn.getresponse()
                    data = r.read()
                    types.add(r.getheader("Content-Type"))
                    count, token = page_of(data, r.getheader("Content-Type"))
                    pages += 1
                    size += len(data)
                    items += count
                    if not token:
                        break
                elapsed = time.monotonic() - start
                log = json.loads(call("GET", "/_test/requests"))["requests"]
                server = sum(entry["ms"] for entry in log if entry["path"] == path) / 1000
                print(f"{path} {kind} #{round_} ({', '.join(sorted(types))}): {items} items, {pages} pages, "
                      f"{size / 1e6:.1f} MB: {elapsed:.2f}s, server {server:.2f}s ({server / pages * 1000:.0f} ms/page)")


if __name__ == "__main__":
    main()
