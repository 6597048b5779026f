"""Start-up: STARTUP_RUNS runs (20 by default) each, interleaved, of `kubectl-certs version`,
`kubectl-certs status -n <an empty namespace>`, `kubectl version --client` and
`kubectl get secrets -n <the same namespace>` against the lab's Kubernetes API test server;
the plugin binary is run directly (through kubectl it would add kubectl's own start)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

NAMESPACE = "bench-empty"


def main():
    runs = int(os.environ.get("STARTUP_RUNS") or (5 if benchlib.quick() else 20))
    binary = os.path.join(os.environ["BIN"], "kubectl-certs")
    if subprocess.run(["kubectl", "get", "namespace", NAMESPACE], capture_output=True).returncode != 0:
        subprocess.run(["kubectl", "create", "namespace", NAMESPACE], capture_output=True, check=True)
    commands = [
        ("kubectl-certs-version", [binary, "version"]),
        ("kubectl-version", ["kubectl", "version", "--client"]),
        ("kubectl-certs-status", [binary, "status", "-n", NAMESPACE]),
        ("kubectl-get-secrets", ["kubectl", "get", "secrets", "-n", NAMESPACE]),
    ]
    for _, command in commands:  # once untimed: page cache, kubectl's discovery cache
        subprocess.run(command, capture_output=True)
    for _ in range(runs):
        for metric, command in commands:
            run = benchlib.timed(command, timeout=60)
            if not run.ok:
                raise SystemExit("startup: %s failed (exit %d):\n%s" % (" ".join(command), run.status, run.tail()))
            benchlib.record("startup.%s.ms" % metric, run.seconds * 1000)
            benchlib.record("startup.%s.peak_mb" % metric, run.peak_mb)
    benchlib.say("startup: %d runs of each command" % runs)


if __name__ == "__main__":
    main()
