"""Issuing: kubectl-certs for 1, 2 (*.Z + Z), 10, 50 and 100 names, lego and certbot for
*.Z + Z (lego also for 10 with PEERS_AT_10=1), every round with names of its own, all against
the lab's Pebble and its BIND primary with the NOTIFY-fed Knot secondary. For *.Z + Z it also
polls the secondary every 10 ms beside kubectl-certs and reads `issue -v`'s lines (each
stamped with its arrival) for the detection delay and the time of each phase."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

NAMESPACE = "bench"
PREFIX = re.compile(r"^\[\s*[0-9.]+s\] (.*)$")
PUBLISHED = re.compile(r"^TXT published: (\S+) \"([^\"…]*)…?\"$")
SERVES = re.compile(r"^\s*(\S+) \((\S+)\) serves (\S+) \"([^\"…]*)…?\"$")
VISIBLE = re.compile(r"^every nameserver serves (\S+) ")
VALID = re.compile(r"^\S+: valid$")
STEP = re.compile(r": ([^:]+) took ([0-9.]+) s$")
DONE = re.compile(r": done in ([0-9.]+) s$")


def names_for(count, zone_label, zone):
    base = "%s.%s" % (zone_label, zone)
    if count == 1:
        return [base]
    if count == 2:
        return ["*." + base, base]
    return ["n%d.%s" % (i, base) for i in range(1, count + 1)]


class Issue:
    def __init__(self):
        e = os.environ
        self.env = e
        self.work = e["BENCH_WORK"]
        self.tsig_file = e["BENCH_TSIG_FILE"]
        self.zone = e["LAB_DNS_ZONE"]
        self.secondary = e["LAB_DNS_SECONDARY"]
        self.port = int(e.get("LAB_DNS_PORT", "53"))
        self.names = [int(n) for n in benchlib.env_list("NAMES", "1 2 10 50 100", "1 2 10")]
        self.peers = benchlib.env_list("PEERS", "lego certbot", "")
        self.peer_counts = [2] + ([10] if e.get("PEERS_AT_10", "") not in ("", "0") else [])
        resolv = os.path.join(self.work, "resolv.conf")
        with open(resolv, "w") as f:
            f.write("nameserver %s\n" % e["LAB_DNS_RESOLVER"].rsplit(":", 1)[0])
        self.resolv = resolv
        self.certbot_retries = 0

    # -- the tools ------------------------------------------------------------------------

    def dns_env(self):
        env = dict(self.env)
        env.update(RFC2136_NAMESERVER=self.env["LAB_DNS_PRIMARY"], RFC2136_TSIG_KEY=self.env["LAB_TSIG_KEY"],
                   RFC2136_TSIG_SECRET_FILE=self.tsig_file)
        env.pop("RFC2136_TSIG_SECRET", None)
        return env

    def kubectl_certs(self, names, zone_label):
        command = [os.path.join(self.env["BIN"], "kubectl-certs"), "issue", "-v"]
        for name in names:
            command += ["-d", name]
        command += ["--secret", "bench-" + zone_label, "-n", NAMESPACE, "--dns", "rfc2136",
                    "--server", self.env["PEBBLE_DIRECTORY_URL"], "--acme-ca-bundle", self.env["LAB_CA_BUNDLE"],
                    "--dns-resolver", self.env["LAB_DNS_RESOLVER"]]
        return command, self.dns_env()

    def lego(self, names, zone_label):
        env = self.dns_env()
        env.update(LEGO_CA_CERTIFICATES=self.env["LAB_CA_BUNDLE"], RFC2136_TSIG_ALGORITHM="hmac-sha256.")
        # lego finds the nameservers' addresses through the system resolver: in a mount
        # namespace of its own, /etc/resolv.conf names the lab's resolver; nothing else changes.
        command = ["unshare", "-m", "sh", "-c", 'mount --bind "$0" /etc/resolv.conf && exec "$@"', self.resolv,
                   "lego", "--server", self.env["PEBBLE_DIRECTORY_URL"], "--email", "bench@example.org", "--accept-tos",
                   "--path", os.path.join(self.work, "lego-" + zone_label), "--dns", "rfc2136"]
        for name in names:
            command += ["-d", name]
        return command + ["run"], env

    def certbot(self, names, zone_label):
        directory = os.path.join(self.work, "certbot-" + zone_label)
        os.makedirs(directory, mode=0o700)
        credentials = os.path.join(directory, "rfc2136.ini")
        with open(self.tsig_file) as f:
            secret = f.read().strip()
        fd = os.open(credentials, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("dns_rfc2136_server = %s\ndns_rfc2136_name = %s\ndns_rfc2136_secret = %s\n"
                    "dns_rfc2136_algorithm = HMAC-SHA256\n" % (self.env["LAB_DNS_PRIMARY"], self.env["LAB_TSIG_KEY"], secret))
        env = dict(self.env, REQUESTS_CA_BUNDLE=self.env["LAB_CA_BUNDLE"])
        command = ["certbot", "certonly", "--non-interactive", "--agree-tos", "-m", "bench@example.org",
                   "--server", self.env["PEBBLE_DIRECTORY_URL"], "--dns-rfc2136", "--dns-rfc2136-credentials", credentials,
                   "--config-dir", directory, "--work-dir", directory, "--logs-dir", directory]
        for name in names:
            command += ["-d", name]
        return command, env

    def bad_nonce(self, zone_label):
        try:
            with open(os.path.join(self.work, "certbot-" + zone_label, "letsencrypt.log")) as f:
                return "badNonce" in f.read()
        except OSError:
            return False

    # -- one round ------------------------------------------------------------------------

    def run(self, tool, count, round_number):
        zone_label = benchlib.label("z")
        names = names_for(count, zone_label, self.zone)
        command, env = getattr(self, tool.replace("-", "_"))(names, zone_label)
        watch = tool == "kubectl-certs" and count == 2
        challenge = "_acme-challenge.%s.%s" % (zone_label, self.zone)
        if watch:
            with benchlib.Poller(self.secondary, [challenge], port=self.port) as poller:
                run = benchlib.timed(command, env=env, timeout=900)
        else:
            poller, run = None, benchlib.timed(command, env=env, timeout=900)
        metric = "issue.%s.%d" % (tool, count)
        # The lab's Pebble rejects half of all nonces; certbot's ACME client tries a rejected
        # nonce again only once, so two rejections in a row end its run. Such a round is run
        # again with fresh names (counted in a note); only a finished run is timed.
        attempt = 1
        while tool == "certbot" and not run.ok and attempt < 4 and self.bad_nonce(zone_label):
            self.certbot_retries += 1
            benchlib.say("certbot, round %d: Pebble rejected a nonce twice in a row; trying again" % round_number)
            zone_label = benchlib.label("z")
            command, env = self.certbot(names_for(count, zone_label, self.zone), zone_label)
            run, attempt = benchlib.timed(command, env=env, timeout=900), attempt + 1
        if not run.ok:
            benchlib.record(metric + ".s", None, round=round_number, failed=True)
            benchlib.say("%s, %d names, round %d FAILED (exit %d):\n%s" % (tool, count, round_number, run.status, run.tail(8)))
            return
        benchlib.record(metric + ".s", run.seconds, round=round_number)
        if run.peak_mb is not None:
            benchlib.record(metric + ".peak_mb", run.peak_mb, round=round_number)
        benchlib.say("%s, %d names, round %d: %.2f s, %.0f MB" % (tool, count, round_number, run.seconds, run.peak_mb or 0))
        if tool == "kubectl-certs":
            subprocess.run(["kubectl", "delete", "secret", "-n", NAMESPACE, "bench-" + zone_label, "--ignore-not-found"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if watch:
            self.analyse(run, poller, challenge, round_number)

    def analyse(self, run, poller, challenge, round_number):
        """Detection and phases from the lines of `issue -v` and the poller's record."""
        published, serves, visible, valid, steps, done = [], {}, [], [], {}, None
        for when, raw in run.lines:
            step = STEP.search(raw)
            if step:
                steps[step.group(1)] = (when, float(step.group(2)))
                continue
            if DONE.search(raw):
                done = when
                continue
            text = PREFIX.match(raw)
            if not text:
                continue
            text = text.group(1)
            if PUBLISHED.match(text):
                published.append((when, PUBLISHED.match(text).group(2)))
            elif SERVES.match(text):
                _, address, fqdn, prefix = SERVES.match(text).groups()
                if address.split(":")[0] == self.secondary and fqdn.rstrip(".") == challenge:
                    serves.setdefault(prefix, when)
            elif VISIBLE.match(text):
                visible.append(when)
            elif VALID.match(text):
                valid.append(when)
        prefixes = [prefix for _, prefix in published]
        serving = poller.first_serving(challenge, lambda values: all(any(v.startswith(p) for v in values) for p in prefixes))
        if not prefixes or serving is None or len(serves) < len(prefixes):
            benchlib.say("round %d: -v did not show when the secondary served every value; no detection figure" % round_number)
        else:
            serving -= run.started
            benchlib.record("detection.ms", (max(serves.values()) - serving) * 1000, round=round_number)
            own_wait = serving - max(t for t, _ in published)
            benchlib.record("issue.kubectl-certs.2.own_floor.s", own_wait, round=round_number)
            benchlib.record("issue.kubectl-certs.2.beyond_floor.s", run.seconds - own_wait, round=round_number)
        needed = ["DNS solvers", "ACME account", "order", "finalize and download", "Secret write", "pending record"]
        dns01 = next((name for name in steps if name.startswith("DNS-01")), None)
        if any(name not in steps for name in needed) or not (dns01 and published and visible and valid):
            benchlib.say("round %d: -v did not show every step; no phase figures (steps seen: %s)" % (round_number, ", ".join(steps)))
            return
        phases = [
            ("start-up, settings, Kubernetes reads", steps["DNS solvers"][0]),
            ("ACME account and order", steps["ACME account"][1] + steps["order"][1]),
            ("authorizations, zone discovery, DNS update", max(t for t, _ in published) - steps["order"][0]),
            ("propagation (published -> every nameserver serves)", max(visible) - max(t for t, _ in published)),
            ("validation (CA asked -> every name valid)", max(valid) - max(visible)),
            ("cleanup (TXT removed)", steps[dns01][0] - max(valid)),
            ("finalize and download", steps["finalize and download"][1]),
            ("Secret write and pending record", steps["Secret write"][1] + steps["pending record"][1]),
            ("exit (after the last step)", run.seconds - (done if done is not None else steps["pending record"][0])),
        ]
        for index, (phase, seconds) in enumerate(phases):
            benchlib.record("phase.%d.s" % index, seconds, round=round_number, phase=phase)


def main():
    issue = Issue()
    if subprocess.run(["kubectl", "get", "namespace", NAMESPACE], capture_output=True).returncode != 0:
        subprocess.run(["kubectl", "create", "namespace", NAMESPACE], capture_output=True, check=True)
    for round_number in range(1, benchlib.rounds() + 1):
        for count in issue.names:
            issue.run("kubectl-certs", count, round_number)
        for peer in issue.peers:
            for count in issue.peer_counts:
                if peer == "lego" or count == 2:
                    issue.run(peer, count, round_number)
    if issue.peers and 10 not in issue.peer_counts:
        benchlib.note("lego at 10 names not run (about 10 minutes a round; PEERS_AT_10=1 runs it); peers not run at 50 and 100 names")
    elif issue.peers:
        benchlib.note("peers not run at 50 and 100 names (lego needs about a minute per name)")
    if issue.certbot_retries:
        benchlib.note("certbot: %d run(s) ended on Pebble's badNonce twice in a row (the lab's Pebble rejects half of all "
                      "nonces; certbot tries again only once) and were run again; only finished runs are timed" % issue.certbot_retries)
    if not issue.peers:
        benchlib.note("lego and certbot not run (PEERS is empty%s)" % (": QUICK=1" if benchlib.quick() else ""))


if __name__ == "__main__":
    main()
