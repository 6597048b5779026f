#!/usr/bin/env python3
"""An HTTPS server whose answers a test scripts, standing in for a DNS provider's HTTP API.

Started by Tests/TestSupport/ScriptedHTTPSServer.swift (never by hand). Prints "READY <port>" on stdout
once it listens on 127.0.0.1; exits when its stdin closes.

  scripted_https_server.py --cert C --key K --script SCRIPT.json --log LOG.jsonl

SCRIPT.json, read again for every request so a test can change it between requests:
  {"routes": [{"method": "GET", "path": "/v1/zones",
               "replies": [{"status": 429, "headers": {"Retry-After": "1"}, "body": ""},
                           {"status": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}]}]}
A route matches the method and the path without its query. Its replies are given in turn; the last one
repeats. A route whose replies change starts again from the first. A request no route matches gets 404
with a JSON message naming it.

LOG.jsonl gets one line per request before it is answered:
  {"method", "path" (without query), "query" (raw), "headers": [[name, value], ...], "body": base64}
"""
import argparse
import base64
import json
import os
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class Script:
    lock = threading.Lock()
    served = {}  # (method, path, replies as JSON) -> answers given so far

    def __init__(self, script_path, log_path):
        self.script_path = script_path
        self.log_path = log_path

    def answer(self, record):
        with self.lock:
            with open(self.log_path, "a") as log:
                log.write(json.dumps(record) + "\n")
            with open(self.script_path) as file:
                routes = json.load(file).get("routes", [])
            for route in routes:
                if route["method"] == record["method"] and route["path"] == record["path"]:
                    replies = route["replies"]
                    key = (route["method"], route["path"], json.dumps(replies, sort_keys=True))
                    count = self.served.get(key, 0)
                    self.served[key] = count + 1
                    return replies[min(count, len(replies) - 1)]
        message = "no scripted answer for %s %s" % (record["method"], record["path"])
        return {"status": 404, "headers": {"Content-Type": "application/json"},
                "body": json.dumps({"message": message})}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        reply = self.server.script.answer({
            "method": self.command,
            "path": url.path,
            "query": url.query,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body": base64.b64encode(body).decode(),
        })
        payload = reply.get("body", "").encode()
        self.send_response(reply.get("status", 200))
        for name, value in reply.get("headers", {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


def exit_when_stdin_closes():
    """The test that started us holds our stdin; when it goes away, so do we."""
    sys.stdin.read()
    os._exit(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--script", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket.listen(128)  # room for a burst of connections: socketserver listens with 5
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.script = Script(args.script, args.log)
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
