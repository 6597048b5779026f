"""The floor: the BIND primary accepts an update (nsupdate returns) -> the Knot secondary
serves it. Each round publishes a TXT at a name of its own, polls the secondary every 10 ms
until it answers with the value, and removes the record again."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lab"))
import benchlib  # noqa: E402
from dnsupdate import nsupdate  # noqa: E402


def main():
    lab_dir, zone = os.environ["LAB_DIR"], os.environ["LAB_DNS_ZONE"]
    primary, secondary = os.environ["LAB_DNS_PRIMARY"], os.environ["LAB_DNS_SECONDARY"]
    port = int(os.environ.get("LAB_DNS_PORT", "53"))
    key_file = os.path.join(lab_dir, "dns", "keys", os.environ["LAB_TSIG_KEY"] + ".key")
    for round_number in range(1, benchlib.rounds() + 1):
        name = "_floor.%s.%s" % (benchlib.label("f"), zone)
        value = benchlib.label("v")
        with benchlib.Poller(secondary, [name], port=port) as poller:
            problem = nsupdate("%s:%d" % (primary, port), zone, ["update add %s. 5 TXT %s" % (name, value)], key_file)
            accepted = time.monotonic()
            if problem:
                raise SystemExit("floor: the primary refused the update: %s" % problem)
            deadline = accepted + 60
            served = None
            while served is None and time.monotonic() < deadline:
                time.sleep(0.01)
                served = poller.first_serving(name, lambda values: value in values)
        nsupdate("%s:%d" % (primary, port), zone, ["update delete %s. TXT" % name], key_file)
        if served is None:
            raise SystemExit("floor: the secondary %s did not serve %s within 60 s" % (secondary, name))
        seconds = max(0.0, served - accepted)
        benchlib.record("floor.s", seconds, round=round_number)
        benchlib.say("floor round %d: %.3f s" % (round_number, seconds))


if __name__ == "__main__":
    main()
