"""The floor: the BIND primary accepts an update -> the Knot secondary serves it. Each round
publishes a TXT at a name of its own with nsupdate, polls both servers every 10 ms until the
secondary answers with the value, and removes the record again."""
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
    # The floor swings between ~0 and ~5 s (below), so it gets more rounds than the rest.
    count = int(os.environ.get("FLOOR_ROUNDS") or 3 * benchlib.rounds())
    figures = []
    for round_number in range(1, count + 1):
        name = "_floor.%s.%s" % (benchlib.label("f"), zone)
        value = benchlib.label("v")
        serves = lambda values: value in values  # noqa: E731
        with benchlib.Poller(primary, [name], port=port) as at_primary, benchlib.Poller(secondary, [name], port=port) as at_secondary:
            problem = nsupdate("%s:%d" % (primary, port), zone, ["update add %s. 5 TXT %s" % (name, value)], key_file)
            returned = time.monotonic()
            if problem:
                raise SystemExit("floor: the primary refused the update: %s" % problem)
            deadline = returned + 60
            served = None
            while served is None and time.monotonic() < deadline:
                time.sleep(0.01)
                served = at_secondary.first_serving(name, serves)
            time.sleep(0.02)
        nsupdate("%s:%d" % (primary, port), zone, ["update delete %s. TXT" % name], key_file)
        if served is None:
            raise SystemExit("floor: the secondary %s did not serve %s within 60 s" % (secondary, name))
        # The primary has accepted the update when it serves it (it applies an update before it
        # answers) or, at the latest, when nsupdate returns, whichever the poller saw first.
        accepted = min(returned, at_primary.first_serving(name, serves) or returned)
        # Both servers are polled in one 10 ms tick, the primary first: the secondary can be
        # seen a moment before the primary's answer is noted; that is no lag at all.
        seconds = max(0.0, served - accepted)
        benchlib.record("floor.s", seconds, round=round_number)
        benchlib.say("floor round %d: %.3f s" % (round_number, seconds))
        figures.append(seconds)
    quick = [f for f in figures if f < 0.1]
    slow = [f for f in figures if f >= 0.1]
    if quick and slow:
        benchlib.note("floor: %d of %d rounds under 0.1 s, the others %.1f–%.1f s: BIND sends a zone's NOTIFY at once "
                      "unless it sent one within notify-delay (5 s by default), so the secondary's lag depends on "
                      "the zone's previous update" % (len(quick), len(figures), min(slow), max(slow)))


if __name__ == "__main__":
    main()
