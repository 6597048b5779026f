"""`kubectl certs renew` of RENEW_COUNT due certificates beside one, on the lab: each round makes
the managed Secrets as `issue` leaves them (every one with its own name, key and certificate
from a throwaway CA, over ten namespaces, labelled with the round), times
`renew -A -l bench-run=<round> --within 100000h` and checks that every one was renewed.
RENEW_CONCURRENCY lists the --concurrency settings to time the many at ("default" = none given)."""
import base64
import datetime
import json
import os
import subprocess
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

NAMESPACES = ["bench-renew-%d" % n for n in range(10)]


def due_secrets(count, run, zone, server):
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench renew CA %s" % run)])
    items = []
    for i in range(count):
        name = "r%d-%s.%s" % (i, run, zone)
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
                .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=60)).not_valid_after(now + datetime.timedelta(days=30))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False).sign(ca_key, hashes.SHA256()))
        pem = cert.public_bytes(serialization.Encoding.PEM)
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())
        items.append({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                      "metadata": {"name": "renew-%d-%s" % (i, run), "namespace": NAMESPACES[i % len(NAMESPACES)],
                                   "labels": {"app.kubernetes.io/managed-by": "kubectl-certs", "bench-run": run},
                                   "annotations": {"kubectl-certs.io/managed": "true", "kubectl-certs.io/domains": name,
                                                   "kubectl-certs.io/acme-server": server, "kubectl-certs.io/dns-provider": "rfc2136",
                                                   "kubectl-certs.io/key-type": "ec256"}},
                      "data": {"tls.crt": base64.b64encode(pem).decode(), "tls.key": base64.b64encode(key_pem).decode()}})
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": items})


def kubectl(*args, stdin=None):
    return subprocess.run(["kubectl"] + list(args), input=stdin, capture_output=True, text=True)


def main():
    e = os.environ
    work, zone, server = e["BENCH_WORK"], e["LAB_DNS_ZONE"], e["PEBBLE_DIRECTORY_URL"]
    many = int(e.get("RENEW_COUNT") or (20 if benchlib.quick() else 200))
    concurrencies = benchlib.env_list("RENEW_CONCURRENCY", "default %d" % many, "default")
    for namespace in NAMESPACES:
        if kubectl("get", "namespace", namespace).returncode != 0:
            kubectl("create", "namespace", namespace)
    env = dict(e, RFC2136_NAMESERVER=e["LAB_DNS_PRIMARY"], RFC2136_TSIG_KEY=e["LAB_TSIG_KEY"], RFC2136_TSIG_SECRET_FILE=e["BENCH_TSIG_FILE"])
    env.pop("RFC2136_TSIG_SECRET", None)
    cases = [(1, "default")] + [(many, c) for c in concurrencies]
    for round_number in range(1, benchlib.rounds() + 1):
        for count, concurrency in cases:
            run_label = benchlib.label("r")
            made = kubectl("create", "-f", "-", stdin=due_secrets(count, run_label, zone, server))
            if made.returncode != 0:
                raise SystemExit("renew: could not create the due Secrets: %s" % made.stderr.strip())
            command = [os.path.join(e["BIN"], "kubectl-certs"), "renew", "-A", "-l", "bench-run=" + run_label,
                       "--within", "100000h", "--acme-ca-bundle", e["LAB_CA_BUNDLE"], "--dns-resolver", e["LAB_DNS_RESOLVER"], "-o", "json"]
            if concurrency != "default":
                command += ["--concurrency", concurrency]
            out = os.path.join(work, "renew.json")
            run = benchlib.timed(command, env=env, stdout=out, timeout=900)
            try:
                with open(out) as f:
                    items = json.load(f)["items"]
            except (OSError, ValueError, KeyError):
                items = []
            renewed = sum(item.get("outcome") == "renewed" for item in items)
            reasons = Counter(item.get("reason", "") for item in items if item.get("outcome") != "renewed")
            metric = "renew.%d.%s" % (count, concurrency)
            if renewed != count:
                benchlib.record(metric + ".s", None, round=round_number, failed=True)
                why = "\n".join("  %d× %s" % (n, reason) for reason, n in reasons.most_common(5)) or run.tail(10)
                benchlib.say("renew: %d of %d renewed (exit %d); why the others were not:\n%s" % (renewed, count, run.status, why))
            else:
                benchlib.record(metric + ".s", run.seconds, round=round_number)
                benchlib.record(metric + ".peak_mb", run.peak_mb, round=round_number)
                benchlib.say("renew round %d: %d certificate(s), concurrency %s: %.2f s, %.0f MB" % (round_number, count, concurrency, run.seconds, run.peak_mb))
            for namespace in NAMESPACES:
                kubectl("delete", "secrets", "-n", namespace, "-l", "bench-run=" + run_label)


if __name__ == "__main__":
    main()
