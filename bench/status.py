"""`kubectl certs status -A` (table and -o json) beside kubectl's own fetch of the same objects
(`kubectl get secrets,ingresses,certificates -A -o json`), against a Kubernetes API test server
of this part's own (a free port, a CA made for the run) seeded by bench/status_seed.py; rounds
interleaved, wall time and peak memory of each. When the test server has a JSON-only switch,
kubectl's fetch is also timed against a second server that answers JSON only."""
import datetime
import ipaddress
import json
import os
import secrets as tokens
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
import status_seed  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SERVER = os.path.join(REPO, "lab", "kube-test-server", "kube-test-server.py")


def server_certificate(work):
    """A CA and a certificate for 127.0.0.1 signed by it, for this run only."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench status CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = {name: os.path.join(work, name) for name in ("ca.pem", "server.pem", "server-key.pem")}
    with open(paths["ca.pem"], "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(paths["server.pem"], "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(os.open(paths["server-key.pem"], os.O_WRONLY | os.O_CREAT, 0o600), "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return paths


def json_only_switch():
    """The test server's switch for answering JSON only, when it has one."""
    text = subprocess.run([sys.executable, SERVER, "--help"], capture_output=True, text=True).stdout
    for word in text.replace(",", " ").split():
        if word.startswith("--") and "json" in word and "only" in word:
            return word
    return None


class Server:
    """The test server on a free port; it exits when its standard input closes."""

    def __init__(self, work, name, seed, paths, token, extra=()):
        tokens_file = os.path.join(work, "tokens.csv")
        with open(os.open(tokens_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write('%s,admin,uid-admin,"system:masters"\n' % token)
        self.log = open(os.path.join(work, name + ".log"), "w")
        self.process = subprocess.Popen(
            [sys.executable, SERVER, "--address", "127.0.0.1", "--port", "0", "--ready", "--quiet", "--cert", paths["server.pem"],
             "--key", paths["server-key.pem"], "--tokens", tokens_file, "--seed", seed] + list(extra),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("READY "):
            self.stop()
            raise SystemExit("status: the Kubernetes API test server did not start; see %s" % self.log.name)
        self.port = int(line.split()[1])
        self.kubeconfig = os.path.join(work, name + ".kubeconfig")
        with open(os.open(self.kubeconfig, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write("apiVersion: v1\nkind: Config\ncurrent-context: bench\n"
                    "clusters: [{name: bench, cluster: {server: \"https://127.0.0.1:%d\", certificate-authority: \"%s\"}}]\n"
                    "users: [{name: bench, user: {token: %s}}]\n"
                    "contexts: [{name: bench, context: {cluster: bench, user: bench}}]\n" % (self.port, paths["ca.pem"], token))

    def stop(self):
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def main():
    work = os.environ["BENCH_WORK"]
    counts = [int(n) for n in benchlib.env_list("STATUS_COUNTS", "10000 5000 2000", "1000 500 200")]
    secrets, ingresses, certificates = counts
    cache_dir = os.environ.get("BENCH_CACHE") or os.path.join(REPO, ".lab", "bench-cache")
    benchlib.say("status: %d Secrets, %d Ingresses, %d Certificates..." % (secrets, ingresses, certificates))
    seed, keys_cached, seed_cached = status_seed.seed_file(secrets, ingresses, certificates, cache_dir)
    if seed_cached:
        benchlib.note("status: the seed (%d distinct certificates and keys) came from the cache %s" % (secrets, seed))
    elif keys_cached:
        benchlib.note("status: the %d keys came from the cache in %s; certificates made for today" % (secrets, cache_dir))
    else:
        benchlib.note("status: %d keys and certificates generated and cached in %s" % (secrets, cache_dir))
    benchlib.record("status.objects", secrets, ingresses=ingresses, certificates=certificates)
    paths = server_certificate(work)
    token = tokens.token_hex(16)
    servers = {"": Server(work, "kube", seed, paths, token)}
    switch = json_only_switch()
    try:
        if switch:
            servers["json-only"] = Server(work, "kube-json-only", seed, paths, token, [switch])
        else:
            benchlib.note("status: the test server has no JSON-only switch yet; no row for kubectl's fetch with JSON only")
        binary = os.path.join(os.environ["BIN"], "kubectl-certs")
        cache = os.path.join(work, "kube-cache")
        commands = [("kubectl-get", "", ["kubectl", "--cache-dir", cache, "get", "secrets,ingresses,certificates", "-A", "-o", "json"])]
        if switch:
            commands.append(("kubectl-get-json-only", "json-only", ["kubectl", "--cache-dir", cache, "get", "secrets,ingresses,certificates", "-A", "-o", "json"]))
        commands += [("table", "", [binary, "status", "-A"]), ("json", "", [binary, "status", "-A", "-o", "json"])]
        # kubectl keeps the API discovery in a cache, as on a user's machine: fill it first.
        for server in servers.values():
            subprocess.run(["kubectl", "--cache-dir", cache, "--kubeconfig", server.kubeconfig, "api-resources"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = os.path.join(work, "status.out")
        for round_number in range(1, benchlib.rounds() + 1):
            for metric, server, command in commands:
                env = dict(os.environ, KUBECONFIG=servers[server].kubeconfig)
                run = benchlib.timed(command, env=env, stdout=out, timeout=600)
                if not run.ok:
                    benchlib.record("status.%s.s" % metric, None, round=round_number, failed=True)
                    benchlib.say("status: %s failed (exit %d):\n%s" % (" ".join(command), run.status, run.tail()))
                    continue
                benchlib.record("status.%s.s" % metric, run.seconds, round=round_number)
                benchlib.record("status.%s.peak_mb" % metric, run.peak_mb, round=round_number)
                benchlib.say("status round %d: %-22s %6.2f s %5.0f MB" % (round_number, metric, run.seconds, run.peak_mb))
                if metric == "json":
                    with open(out) as f:
                        benchlib.record("status.rows", len(json.load(f)["items"]), round=round_number)
    finally:
        for server in servers.values():
            server.stop()


if __name__ == "__main__":
    main()
