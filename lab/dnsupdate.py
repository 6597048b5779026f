"""One RFC 2136 update transaction against a lab nameserver with `nsupdate` and a BIND key
file, shared by the lab's stand-ins that publish what they are given into real DNS."""
import subprocess


def nsupdate(nameserver, zone, commands, key_file, timeout=60):
    """Sends `commands` ("update add …", "update delete …") for `zone` to `nameserver`
    (HOST[:PORT]) signed with the key in `key_file`; returns nsupdate's complaint, or None."""
    host, _, port = nameserver.partition(":")
    script = "server %s %s\nzone %s\n%s\nsend\n" % (host, port or "53", zone.rstrip(".") + ".", "\n".join(commands))
    try:
        result = subprocess.run(["nsupdate", "-k", key_file], input=script, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "nsupdate did not finish within %d s" % timeout
    if result.returncode == 0:
        return None
    return "nsupdate: " + (result.stderr.strip() or result.stdout.strip() or "exited %d" % result.returncode)
