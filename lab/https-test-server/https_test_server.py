#!/usr/bin/env python3
"""HTTPS echo server and CONNECT proxy for the transport tests.

Started by the tests themselves (never by hand). Prints "READY <port>" on stdout once it
listens on 127.0.0.1.

  https_test_server.py serve --cert C --key K [--client-ca CA]
      HTTP/1.1 with keep-alive over TLS. With --client-ca, a client certificate signed by
      that CA is required. Endpoints:
        /echo          JSON: method, path, headers, body, client certificate subject, SNI,
                       the number of the TLS connection that carried the request
        /status/NNN    answers with status NNN
        /slow?ms=N     answers after N milliseconds with its query string
        /stats         JSON: connections accepted, handshakes refused
  https_test_server.py proxy
      An HTTP CONNECT proxy; /stats is not served, but it prints "CONNECT host:port" to
      stdout for every tunnel it opens.
"""
import argparse
import json
import os
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs


class Stats:
    lock = threading.Lock()
    connections = 0
    refused = 0


class EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _reply(self, status, payload, content_type="application/json"):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Test-Server", "echo")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlparse(self.path)
        if url.path == "/echo":
            cert = self.connection.getpeercert() or {}
            subject = ",".join("%s=%s" % pair for rdn in cert.get("subject", ()) for pair in rdn)
            self._reply(200, {
                "method": self.command,
                "path": self.path,
                "headers": [[k, v] for k, v in self.headers.items()],
                "body": body.decode("utf-8", "replace"),
                "clientSubject": subject,
                "sni": getattr(self.connection, "sni_name", None),
                "connection": getattr(self.connection, "connection_number", None),
            })
        elif url.path.startswith("/status/"):
            self._reply(int(url.path.split("/")[2]), {"status": url.path})
        elif url.path == "/slow":
            time.sleep(int(parse_qs(url.query).get("ms", ["1000"])[0]) / 1000)
            self._reply(200, {"slow": True, "query": url.query})
        elif url.path == "/stats":
            with Stats.lock:
                self._reply(200, {"connections": Stats.connections, "refused": Stats.refused})
        else:
            self._reply(404, {"error": "not found"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address, context):
        self.context = context
        super().__init__(address, EchoHandler)

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, on the connection's own thread.
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            with Stats.lock:
                Stats.refused += 1
            # Let the client read the alert before the socket goes: closing with its request
            # still unread would send a reset that overtakes the alert.
            try:
                request.shutdown(socket.SHUT_WR)
                request.settimeout(1)
                while request.recv(4096):
                    pass
            except OSError:
                pass
            return
        with Stats.lock:
            Stats.connections += 1
            tls.connection_number = Stats.connections
        super().finish_request(tls, client_address)


def serve(args):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(args.client_ca)
    server = TLSServer(("127.0.0.1", 0), context)

    def remember_sni(tls_object, server_name, ctx):
        tls_object.sni_name = server_name

    context.sni_callback = remember_sni
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()


def pipe(source, target):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, target):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def proxy_connection(client):
    request = b""
    while b"\r\n\r\n" not in request:
        chunk = client.recv(4096)
        if not chunk:
            client.close()
            return
        request += chunk
    line = request.split(b"\r\n", 1)[0].decode()
    method, target, _ = line.split(" ", 2)
    if method != "CONNECT":
        client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
        client.close()
        return
    host, port = target.rsplit(":", 1)
    try:
        upstream = socket.create_connection((host.strip("[]"), int(port)))
    except OSError:
        client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        client.close()
        return
    print("CONNECT %s" % target, flush=True)
    client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
    threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
    pipe(client, upstream)


def proxy(args):
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print("READY %d" % listener.getsockname()[1], flush=True)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=proxy_connection, args=(client,), daemon=True).start()


def exit_when_stdin_closes():
    """The test that started us holds our stdin; when it goes away, so do we."""
    sys.stdin.read()
    os._exit(0)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--cert", required=True)
    s.add_argument("--key", required=True)
    s.add_argument("--client-ca")
    sub.add_parser("proxy")
    args = parser.parse_args()
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    serve(args) if args.mode == "serve" else proxy(args)


if __name__ == "__main__":
    main()
