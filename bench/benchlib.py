"""What the benchmark parts share: a direct TXT query and a fast poller of one nameserver,
a timed run of a command with its peak memory and the arrival time of each stderr line, and
the results file every part appends to (bench/table.py turns it into the table)."""
import json
import os
import random
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

# ---------------------------------------------------------------------------------------------
# settings shared by every part


def quick():
    return os.environ.get("QUICK", "") not in ("", "0")


def rounds():
    return int(os.environ.get("ROUNDS") or (1 if quick() else 3))


def env_list(name, default, quick_default):
    value = os.environ.get(name)
    if value is None:
        value = quick_default if quick() else default
    return value.split()


def label(prefix="b"):
    """A name part no earlier round used: time plus randomness."""
    return "%s%x%04x" % (prefix, int(time.time() * 1000) % 0xFFFFFFF, random.randrange(0x10000))


def say(text):
    print("bench: %s" % text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# results: one JSON object a line in $BENCH_RESULTS


def _append(item):
    path = os.environ.get("BENCH_RESULTS")
    if not path:
        raise SystemExit("BENCH_RESULTS is not set: run this through bench/run or one of bench/<part>")
    with open(path, "a") as out:
        out.write(json.dumps(item) + "\n")


def record(metric, value, **extra):
    """Appends one measurement (seconds, MB, ms, count...) of `metric`."""
    _append(dict(metric=metric, value=value, **extra))


def note(text):
    """A line printed under the table (what was skipped, where data came from)."""
    _append({"note": text})
    say(text)


# ---------------------------------------------------------------------------------------------
# DNS: one non-recursive TXT query over UDP, no library needed


def _encode_name(name):
    out = b""
    for part in name.rstrip(".").split("."):
        data = part.encode("idna") if part else b""
        out += bytes([len(data)]) + data
    return out + b"\0"


def _skip_name(message, offset):
    while True:
        length = message[offset]
        if length == 0:
            return offset + 1
        if length & 0xC0 == 0xC0:
            return offset + 2
        offset += 1 + length


def txt_query(server, name, port=53, timeout=0.5, sock=None):
    """The TXT values `server` answers for `name` (authoritative, no recursion), or None when
    it did not answer in time or answered with an error other than NXDOMAIN."""
    ident = random.randrange(0x10000)
    query = struct.pack(">HHHHHH", ident, 0, 1, 0, 0, 0) + _encode_name(name) + struct.pack(">HH", 16, 1)
    own = sock is None
    if own:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.settimeout(timeout)
        sock.sendto(query, (server, port))
        deadline = time.monotonic() + timeout
        while True:
            try:
                message, _ = sock.recvfrom(65535)
            except socket.timeout:
                return None
            if len(message) >= 12 and struct.unpack(">H", message[:2])[0] == ident:
                break
            if time.monotonic() > deadline:
                return None
    finally:
        if own:
            sock.close()
    _, flags, qdcount, ancount, _, _ = struct.unpack(">HHHHHH", message[:12])
    rcode = flags & 0xF
    if rcode not in (0, 3):
        return None
    offset = 12
    for _ in range(qdcount):
        offset = _skip_name(message, offset) + 4
    values = []
    for _ in range(ancount):
        offset = _skip_name(message, offset)
        rtype, _, _, rdlength = struct.unpack(">HHIH", message[offset:offset + 10])
        offset += 10
        if rtype == 16:
            rdata, parts, i = message[offset:offset + rdlength], [], 0
            while i < len(rdata):
                parts.append(rdata[i + 1:i + 1 + rdata[i]].decode("utf-8", "replace"))
                i += 1 + rdata[i]
            values.append("".join(parts))
        offset += rdlength
    return values


class Poller:
    """Asks one nameserver for the TXT values of some names every `interval` seconds, in a
    thread, and keeps when each name's set of values changed (time.monotonic())."""

    def __init__(self, server, names, port=53, interval=0.01):
        self.server, self.names, self.port, self.interval = server, list(names), port, interval
        self.history = {name: [] for name in self.names}  # name -> [(time, frozenset of values)]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_):
        self._stop.set()
        self._thread.join()

    def _run(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            while not self._stop.is_set():
                tick = time.monotonic()
                for name in self.names:
                    values = txt_query(self.server, name, self.port, timeout=0.2, sock=sock)
                    if values is None:
                        continue
                    seen, now = frozenset(values), time.monotonic()
                    history = self.history[name]
                    if not history or history[-1][1] != seen:
                        history.append((now, seen))
                self._stop.wait(max(0.0, self.interval - (time.monotonic() - tick)))
        finally:
            sock.close()

    def first_serving(self, name, wanted):
        """When the server first answered `name` with every value `wanted(values)` accepts."""
        for when, values in self.history[name]:
            if wanted(values):
                return when
        return None


# ---------------------------------------------------------------------------------------------
# a timed run


class Run:
    """A finished command: wall seconds, peak resident memory (MB), exit status, its stderr
    lines each with the seconds after the start at which it arrived, and when it started
    (time.monotonic())."""

    def __init__(self, seconds, peak_mb, status, lines, started):
        self.seconds, self.peak_mb, self.status, self.lines, self.started = seconds, peak_mb, status, lines, started

    @property
    def ok(self):
        return self.status == 0

    def tail(self, count=5):
        return "\n".join(text for _, text in self.lines[-count:])


def timed(command, env=None, stdout=None, timeout=None):
    """Runs `command` under /usr/bin/time (peak memory), stdout to the file `stdout` (or
    nowhere), and returns a Run; stderr is read line by line as it comes so each line gets its
    arrival time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as t:
        time_file = t.name
    stdout_path = stdout or os.devnull
    lines = []
    with open(stdout_path, "wb") as out:
        started = time.monotonic()
        process = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", time_file] + list(command),
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE, env=env)

        def read():
            for raw in process.stderr:
                lines.append((time.monotonic() - started, raw.decode("utf-8", "replace").rstrip("\n")))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            status = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            status = process.wait()
            lines.append((time.monotonic() - started, "bench: killed after %s s" % timeout))
        seconds = time.monotonic() - started
        reader.join()
    try:
        with open(time_file) as f:
            kilobytes = [line for line in f.read().split() if line.isdigit()]
        peak_mb = int(kilobytes[-1]) / 1024 if kilobytes else None
    finally:
        os.unlink(time_file)
    return Run(seconds, peak_mb, status, lines, started)
