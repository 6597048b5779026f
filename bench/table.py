"""Prints the results file of a benchmark run as one markdown table: what, ours as the median
of the rounds with their range, the peers' medians, the ratio (or multiple of the floor), the
aim from issue 15 and whether it was met; then the notes the parts left."""
import json
import statistics
import sys
from collections import defaultdict

DASH = "—"


class Results:
    def __init__(self, path):
        self.values, self.failed, self.extra, self.notes = defaultdict(list), defaultdict(int), {}, []
        with open(path) as f:
            for line in f:
                item = json.loads(line)
                if "note" in item:
                    self.notes.append(item["note"])
                elif item.get("failed"):
                    self.failed[item["metric"]] += 1
                else:
                    self.values[item["metric"]].append(item["value"])
                    self.extra[item["metric"]] = item

    def median(self, metric):
        values = self.values.get(metric)
        return statistics.median(values) if values else None

    def has(self, metric):
        return bool(self.values.get(metric)) or self.failed.get(metric, 0) > 0

    def show(self, metric, unit, digits=2):
        """"median unit (min–max, n rounds)", with failures counted."""
        values = self.values.get(metric, [])
        failed = self.failed.get(metric, 0)
        if not values:
            return "failed (%d of %d)" % (failed, failed) if failed else DASH
        text = "%.*f %s" % (digits, statistics.median(values), unit)
        low, high = "%.*f" % (digits, min(values)), "%.*f" % (digits, max(values))
        if low != high:
            text += " (%s–%s)" % (low, high)
        if failed:
            text += ", %d of %d failed" % (failed, failed + len(values))
        return text


def yes(condition):
    return DASH if condition is None else ("yes" if condition else "**no**")


def ratio(a, b):
    return None if a is None or not b else a / b


def issue_rows(r, rows):
    floor = r.median("floor.s")
    if r.has("floor.s"):
        rows.append(["floor: BIND primary accepts an update → Knot secondary serves it", r.show("floor.s", "s"), DASH, DASH, DASH, DASH])
    one = r.median("issue.kubectl-certs.1.s")
    for count in (1, 2, 10, 50, 100):
        metric = "issue.kubectl-certs.%d.s" % count
        if not r.has(metric):
            continue
        ours = r.median(metric)
        what = {1: "`issue`, one name", 2: "`issue`, `*.Z` + `Z`"}.get(count, "`issue`, %d names" % count)
        peers, ratios, aims, met = [], [], [], []
        if floor and ours:
            ratios.append("%.2f× floor" % (ours / floor))
        for peer in ("lego", "certbot"):
            peer_metric = "issue.%s.%d.s" % (peer, count)
            if r.has(peer_metric):
                peers.append("%s %s" % (peer, r.show(peer_metric, "s", 1)))
        lego = r.median("issue.lego.%d.s" % count)
        if lego and ours:
            ratios.append("lego ÷ ours %.1f×" % (lego / ours))
        if count == 2:
            aims += ["≤ floor + 0.5 s", "≥ 14× faster than lego"]
            met.append(yes(None if floor is None or ours is None else ours <= floor + 0.5))
            met.append(yes(None if not lego or not ours else lego / ours >= 14))
        if count >= 10 and one and ours:
            ratios.append("%.2f× one name" % (ours / one))
        if count == 100:
            aims.append("≤ 1.5× one name")
            met.append(yes(ratio(ours, one) and ratio(ours, one) <= 1.5))
        if not peers:
            peers.append("not run" if count in (1, 50, 100) else DASH)
        rows.append([what, r.show(metric, "s"), "; ".join(peers), "; ".join(ratios) or DASH, "; ".join(aims) or DASH, "; ".join(met) or DASH])
    if r.has("issue.kubectl-certs.2.beyond_floor.s"):
        beyond = r.median("issue.kubectl-certs.2.beyond_floor.s")
        rows.append(["`issue` `*.Z` + `Z` minus the secondary's lag seen in the same round", r.show("issue.kubectl-certs.2.beyond_floor.s", "s"),
                     DASH, "lag itself: " + r.show("issue.kubectl-certs.2.own_floor.s", "s"), "≤ 0.5 s (the floor aim, round by round)", yes(beyond <= 0.5)])
    if r.has("detection.ms"):
        rows.append(["detection: secondary starts serving → the checker reports it (`-v`)", r.show("detection.ms", "ms", 0), DASH, DASH,
                     "≤ 200 ms", yes(r.median("detection.ms") <= 200)])
    phases = sorted((m for m in r.values if m.startswith("phase.")), key=lambda m: int(m.split(".")[1]))
    for metric in phases:
        rows.append(["phase of `*.Z` + `Z`: %s" % r.extra[metric]["phase"], r.show(metric, "s", 3), DASH, DASH, DASH, DASH])
    for count in (2, 100):
        metric = "issue.kubectl-certs.%d.peak_mb" % count
        if not r.has(metric):
            continue
        peers = ["%s %s" % (p, r.show("issue.%s.%d.peak_mb" % (p, count), "MB", 0)) for p in ("lego", "certbot") if r.has("issue.%s.%d.peak_mb" % (p, count))]
        aim, met = (("≤ 60 MB", yes(r.median(metric) <= 60)) if count == 100 else (DASH, DASH))
        what = "`issue` peak memory, " + ("`*.Z` + `Z`" if count == 2 else "100 names")
        rows.append([what, r.show(metric, "MB", 0), "; ".join(peers) or DASH, DASH, aim, met])


def status_rows(r, rows):
    if not r.has("status.objects"):
        return
    objects = r.extra["status.objects"]
    scale = "{:,} Secrets (distinct certificates and keys), {:,} Ingresses, {:,} Certificates".format(objects["value"], objects["ingresses"], objects["certificates"])
    kubectl, kubectl_mb = r.median("status.kubectl-get.s"), r.median("status.kubectl-get.peak_mb")
    peer = "`kubectl get secrets,ingresses,certificates -A -o json` " + r.show("status.kubectl-get.s", "s")
    if r.has("status.kubectl-get-json-only.s"):
        peer += "; the same, server answering JSON only " + r.show("status.kubectl-get-json-only.s", "s")
    for metric, what in (("table", "`status -A`"), ("json", "`status -A -o json`")):
        ours = r.median("status.%s.s" % metric)
        if not r.has("status.%s.s" % metric):
            continue
        rows.append(["%s, %s" % (what, scale), r.show("status.%s.s" % metric, "s"), peer,
                     "%.2f× kubectl" % (ours / kubectl) if ours and kubectl else DASH, "≤ 1× kubectl's fetch",
                     yes(ours <= kubectl if ours and kubectl else None)])
    for metric, what in (("table", "`status -A`"), ("json", "`status -A -o json`")):
        ours = r.median("status.%s.peak_mb" % metric)
        if ours is None:
            continue
        peer_mb = "kubectl " + r.show("status.kubectl-get.peak_mb", "MB", 0)
        if r.has("status.kubectl-get-json-only.peak_mb"):
            peer_mb += "; JSON only " + r.show("status.kubectl-get-json-only.peak_mb", "MB", 0)
        rows.append(["%s peak memory" % what, r.show("status.%s.peak_mb" % metric, "MB", 0), peer_mb,
                     "%.2f of kubectl's" % (ours / kubectl_mb) if kubectl_mb else DASH, "< 1/3 of kubectl's; ≤ 100 MB",
                     "%s; %s" % (yes(ours < kubectl_mb / 3 if kubectl_mb else None), yes(ours <= 100))])
    if r.has("status.rows"):
        rows.append(["rows in `status -A -o json`", "{:,}".format(r.median("status.rows")), DASH, DASH, DASH, DASH])


def renew_rows(r, rows):
    one = r.median("renew.1.default.s")
    for metric in sorted((m for m in set(r.values) | set(r.failed) if m.startswith("renew.") and m.endswith(".s")),
                         key=lambda m: (int(m.split(".")[1]), m.split(".")[2] != "default", m)):
        _, count, concurrency, _ = metric.split(".")
        ours = r.median(metric)
        what = "`renew` of %s due certificate%s" % (count, "" if count == "1" else "s")
        if concurrency != "default":
            what += " at `--concurrency %s`" % concurrency
        peer = ("one: " + r.show("renew.1.default.s", "s")) if count != "1" and one else DASH
        rows.append([what, r.show(metric, "s"), peer, "%.1f× one" % (ours / one) if count != "1" and ours and one else DASH, DASH, DASH])


def startup_rows(r, rows):
    pairs = [("kubectl-certs-version", "`kubectl-certs version`", "kubectl-version", "`kubectl version --client`"),
             ("kubectl-certs-status", "`kubectl-certs status -n <empty>`", "kubectl-get-secrets", "`kubectl get secrets -n <empty>`")]
    for ours, what, peer, peer_what in pairs:
        metric, peer_metric = "startup.%s.ms" % ours, "startup.%s.ms" % peer
        if not r.has(metric):
            continue
        rows.append(["start-up: %s" % what, r.show(metric, "ms", 0), "%s %s" % (peer_what, r.show(peer_metric, "ms", 0)),
                     "%.2f× kubectl" % (r.median(metric) / r.median(peer_metric)) if r.median(peer_metric) else DASH, DASH, DASH])


def main():
    r = Results(sys.argv[1])
    rows = []
    for part in (issue_rows, status_rows, renew_rows, startup_rows):
        part(r, rows)
    header = ["what", "ours: median (min–max)", "peers: median (min–max)", "ratio / multiple of the floor", "aim", "met?"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    if r.notes:
        print()
        for text in r.notes:
            print("- " + text)


if __name__ == "__main__":
    main()
