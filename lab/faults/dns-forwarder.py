#!/usr/bin/env python3
"""A DNS forwarder for fault tests: it stands between a client and one upstream server, over
UDP and TCP on one port, and can go down on its own after forwarding a given number of UPDATE
messages — the way a primary nameserver fails between publishing a record and removing it.

    dns-forwarder.py --upstream 127.0.0.2:53 [--port N] [--down-after-updates N]

Prints `READY <port>` once it listens; exits when stdin closes, or when it goes down (it then
closes its sockets, so clients see the port refused).
"""
import argparse
import os
import socket
import socketserver
import sys
import threading

OPCODE_UPDATE = 5


def opcode(message):
    return (message[2] >> 3) & 0x0F if len(message) > 2 else -1


class Forwarder:
    def __init__(self, upstream, down_after):
        host, _, port = upstream.rpartition(":")
        self.upstream = (host, int(port))
        self.down_after = down_after
        self.updates = 0
        self.lock = threading.Lock()

    def ask_udp(self, message):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(5)
            s.sendto(message, self.upstream)
            return s.recvfrom(65535)[0]

    def ask_tcp(self, message):
        with socket.create_connection(self.upstream, timeout=5) as s:
            s.sendall(len(message).to_bytes(2, "big") + message)
            length = int.from_bytes(read_exactly(s, 2), "big")
            return read_exactly(s, length)

    def forwarded(self, message):
        """Counts an UPDATE once its answer went back; goes down after the last one allowed."""
        if opcode(message) != OPCODE_UPDATE or self.down_after is None:
            return
        with self.lock:
            self.updates += 1
            if self.updates >= self.down_after:
                print(f"DOWN after {self.updates} update(s)", flush=True)
                os._exit(0)


def read_exactly(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


class UDPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        message, sock = self.request
        forwarder = self.server.forwarder
        try:
            answer = forwarder.ask_udp(message)
        except OSError:
            return
        sock.sendto(answer, self.client_address)
        forwarder.forwarded(message)


class TCPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        forwarder = self.server.forwarder
        try:
            while True:
                length = int.from_bytes(read_exactly(self.request, 2), "big")
                message = read_exactly(self.request, length)
                answer = forwarder.ask_tcp(message)
                self.request.sendall(len(answer).to_bytes(2, "big") + answer)
                forwarder.forwarded(message)
        except (OSError, ConnectionError):
            return


class UDPServer(socketserver.ThreadingMixIn, socketserver.UDPServer):
    allow_reuse_address = True
    daemon_threads = True


class TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="HOST:PORT of the server to forward to")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    parser.add_argument("--down-after-updates", type=int, help="go down after forwarding this many UPDATE messages")
    args = parser.parse_args()
    forwarder = Forwarder(args.upstream, args.down_after_updates)
    tcp = TCPServer(("127.0.0.1", args.port), TCPHandler)
    udp = UDPServer(("127.0.0.1", tcp.server_address[1]), UDPHandler)
    for server in (tcp, udp):
        server.forwarder = forwarder
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"READY {tcp.server_address[1]}", flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
