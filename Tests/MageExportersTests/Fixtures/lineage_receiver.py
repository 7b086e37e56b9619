#!/usr/bin/env python3
"""A stand-in OpenLineage server for tests: listens on 127.0.0.1 (port 0: any free port), prints the
port on its first line of output, answers every POST with STATUS, and appends one JSON line per request
to RECORD: {"method", "path", "content_type", "authorization", "body"}.

It stops when its standard input closes, so it never outlives the test that started it.

usage: lineage_receiver.py RECORD [STATUS]
"""
import http.server
import json
import os
import sys
import threading

record_path = sys.argv[1]
status = int(sys.argv[2]) if len(sys.argv) > 2 else 201


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
        with open(record_path, "a", encoding="utf-8") as record:
            record.write(json.dumps({
                "method": "POST", "path": self.path, "content_type": self.headers.get("Content-Type"),
                "authorization": self.headers.get("Authorization"), "body": body}) + "\n")
        answer = b'{"error": "the receiver was told to fail"}' if status >= 400 else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def exit_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
print(server.server_address[1], flush=True)
server.serve_forever()
