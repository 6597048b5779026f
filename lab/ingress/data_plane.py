#!/usr/bin/env python3
"""The lab's data plane: what a cluster's node and ingress controller do with the objects the Kubernetes API
test server stores, as far as HTTP-01 needs (README.md in this folder). `scripts/lab up ingress` runs it."""

import argparse
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cluster import ClusterView  # noqa: E402
from controller import Controller, Handler, Listener  # noqa: E402
from kube_api import KubeApi  # noqa: E402
from kubelet import Kubelet  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description="the lab's scheduler, kubelet and ingress controller")
    parser.add_argument("--address", default="127.0.0.7", help="the ingress controller's address (and the node's)")
    parser.add_argument("--port", type=int, default=80)
    parser.add_argument("--ingress-class", default="nginx")
    parser.add_argument("--server", required=True, help="the API test server, https://HOST:PORT")
    parser.add_argument("--ca", required=True, help="the CA of the server's certificate")
    parser.add_argument("--cert", required=True, help="client certificate (the lab's admin)")
    parser.add_argument("--key", required=True, help="its key")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between two polls of the server")
    args = parser.parse_args()
    if not args.address.startswith("127."):
        parser.error("--address must be a loopback address (127.0.0.0/8)")

    api = KubeApi(args.server, args.ca, args.cert, args.key)
    view = ClusterView(api, args.interval)
    view.refresh()  # listen only once the first read is done
    view.listeners.append(Kubelet(api, args.address))
    threading.Thread(target=view.run, daemon=True).start()

    listener = Listener((args.address, args.port), Handler)
    listener.controller = Controller(view, api, args.ingress_class)
    sys.stderr.write(f"data-plane: ingress class {args.ingress_class} on http://{args.address}:{args.port}, "
                     f"node lab-node, cluster {args.server}\n")
    sys.stderr.flush()
    try:
        listener.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
