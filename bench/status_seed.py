"""The status benchmark's objects: SECRETS TLS Secrets, each with a certificate and key of its
own (mostly EC P-256, 12% RSA-2048, 6% Ed25519; some expired, expiries over 1-90 days, some
chains with an intermediate), INGRESSES Ingresses and CERTIFICATES cert-manager Certificates
that refer to them, in 50 namespaces, as one JSON list the Kubernetes API test server seeds.

The keys take most of the time (RSA), so they are kept in CACHE_DIR by their counts, and the
seed file by its counts and the day (its expiries are counted from the day it was made)."""
import base64
import datetime
import glob
import json
import multiprocessing
import os
import random

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

NAMESPACES = 50
VERSION = 1
PEM = serialization.Encoding.PEM


def key_counts(secrets):
    rsa_count, ed_count = secrets * 12 // 100, secrets * 6 // 100
    return secrets - rsa_count - ed_count, rsa_count, ed_count


def _make_key(kind):
    if kind == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif kind == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    # As real clusters hold them: RSA as PKCS#1, EC mostly as SEC1, Ed25519 only has PKCS#8.
    pkcs8 = kind == "ed25519" or (kind == "ec" and random.random() < 0.3)
    form = serialization.PrivateFormat.PKCS8 if pkcs8 else serialization.PrivateFormat.TraditionalOpenSSL
    return kind, key.private_bytes(PEM, form, serialization.NoEncryption()).decode()


def _keys(secrets, cache_dir, pool):
    ec_count, rsa_count, ed_count = key_counts(secrets)
    path = os.path.join(cache_dir, "status-keys-v%d-ec%d-rsa%d-ed%d.json" % (VERSION, ec_count, rsa_count, ed_count))
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f), True
    kinds = ["rsa"] * rsa_count + ["ed25519"] * ed_count + ["ec"] * ec_count
    keys = pool.map(_make_key, kinds, chunksize=50)
    random.Random(7).shuffle(keys)
    tmp = path + ".tmp"
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        json.dump(keys, f)
    os.replace(tmp, path)
    return keys, False


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "bench"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _authorities(now):
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (x509.CertificateBuilder().subject_name(_name("bench root")).issuer_name(_name("bench root"))
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=30)).not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(root_key, hashes.SHA256()))
    middle_key = ec.generate_private_key(ec.SECP384R1())
    middle = (x509.CertificateBuilder().subject_name(_name("bench intermediate")).issuer_name(root.subject)
              .public_key(middle_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - datetime.timedelta(days=30)).not_valid_after(now + datetime.timedelta(days=1000))
              .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(root_key, hashes.SHA256()))
    return [(root_key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode(),
             root.public_bytes(PEM).decode()),
            (middle_key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode(),
             middle.public_bytes(PEM).decode())]


def host_of(index):
    return "app%d.team%d.bench.test" % (index, index % NAMESPACES)


def _secret(job):
    index, (kind, key_pem), authorities, now_text = job
    now = datetime.datetime.fromisoformat(now_text)
    rng = random.Random(index)
    key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    via_intermediate = rng.random() < 0.3
    signer_pem, issuer_pem = authorities[1 if via_intermediate else 0]
    signer = serialization.load_pem_private_key(signer_pem.encode(), password=None)
    issuer = x509.load_pem_x509_certificate(issuer_pem.encode())
    if rng.random() < 0.05:
        not_after = now - datetime.timedelta(days=rng.uniform(1, 30))
    else:
        not_after = now + datetime.timedelta(days=rng.uniform(1, 90))
    host = host_of(index)
    leaf = (x509.CertificateBuilder().subject_name(_name(host)).issuer_name(issuer.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(not_after - datetime.timedelta(days=90))
            .not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host), x509.DNSName("www." + host)]), critical=False)
            .sign(signer, hashes.SHA256()))
    chain = leaf.public_bytes(PEM).decode() + (issuer_pem if via_intermediate else "")
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
            "metadata": {"name": "tls-%d" % index, "namespace": "bench-%d" % (index % NAMESPACES)},
            "data": {"tls.crt": base64.b64encode(chain.encode()).decode(), "tls.key": base64.b64encode(key_pem.encode()).decode()}}


def seed_file(secrets, ingresses, certificates, cache_dir):
    """The seed's path and whether the keys came from the cache, the seed too."""
    os.makedirs(cache_dir, exist_ok=True)
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d")
    stem = "status-seed-v%d-s%d-i%d-c%d-" % (VERSION, secrets, ingresses, certificates)
    path = os.path.join(cache_dir, stem + today + ".json")
    if os.path.exists(path):
        return path, True, True
    for old in glob.glob(os.path.join(cache_dir, stem + "*.json")):
        os.unlink(old)
    now = datetime.datetime.now(datetime.timezone.utc)
    with multiprocessing.Pool(max(1, os.cpu_count() or 1)) as pool:
        keys, cached = _keys(secrets, cache_dir, pool)
        authorities = _authorities(now)
        jobs = [(i, keys[i], authorities, now.isoformat()) for i in range(secrets)]
        items = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench-%d" % n}} for n in range(NAMESPACES)]
        items += pool.map(_secret, jobs, chunksize=100)
    for i in range(ingresses):
        items.append({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                      "metadata": {"name": "web-%d" % i, "namespace": "bench-%d" % (i % NAMESPACES)},
                      "spec": {"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}},
                               "tls": [{"hosts": [host_of(i)], "secretName": "tls-%d" % i}]}})
    for i in range(certificates):
        target = (ingresses + i) % secrets
        items.append({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
                      "metadata": {"name": "cert-%d" % i, "namespace": "bench-%d" % (target % NAMESPACES)},
                      "spec": {"secretName": "tls-%d" % target, "dnsNames": [host_of(target), "www." + host_of(target)],
                               "issuerRef": {"name": "bench", "kind": "ClusterIssuer"}}})
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(items, f)
    os.replace(tmp, path)
    return path, cached, False
