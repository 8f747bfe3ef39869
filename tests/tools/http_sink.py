#!/usr/bin/env python3
"""A scripted HTTP server on loopback that stands in for an alert sink.

It answers each request with the next step of --script (comma-separated;
the last step repeats), records every request it received, and stops by
itself after --max-seconds or --max-requests.

Steps:
  200, 202, 400, 500, ...   answer with that status (an error answer
                            echoes the start of the request body)
  429:N                     429 with "Retry-After: N"
  slow:S                    wait S seconds, then answer 200
  drop                      close the connection without an answer

Each request is appended to --log as one JSON line:
  {"t": seconds since start, "path": ..., "headers": {...}, "body": "..."}
The port it listens on is written to --port-file once it is ready.
"""
import argparse
import http.server
import json
import threading
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--script", default="200")
    ap.add_argument("--max-seconds", type=float, default=120)
    ap.add_argument("--max-requests", type=int, default=1000)
    args = ap.parse_args()

    steps = args.script.split(",")
    lock = threading.Lock()
    state = {"n": 0}
    t0 = time.time()
    log = open(args.log, "a", encoding="utf-8")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n).decode("utf-8", "replace")
            with lock:
                step = steps[min(state["n"], len(steps) - 1)]
                state["n"] += 1
                log.write(json.dumps({"t": round(time.time() - t0, 3),
                                      "path": self.path,
                                      "headers": dict(self.headers),
                                      "body": body}) + "\n")
                log.flush()
                if state["n"] >= args.max_requests:
                    threading.Thread(target=server.shutdown).start()
            headers = {}
            if step == "drop":
                self.close_connection = True
                self.connection.close()
                return
            if step.startswith("slow:"):
                time.sleep(float(step[5:]))
                step = "200"
            if step.startswith("429:"):
                headers["Retry-After"] = step[4:]
                step = "429"
            code = int(step)
            # Error answers echo the start of the request, as some APIs do,
            # so that tests can check secrets are kept out of messages.
            msg = "scripted %d" % code
            if code >= 300:
                msg += ": " + body[:120]
            out = json.dumps({"status": "success" if code < 300 else "error",
                              "message": msg}).encode()
            try:
                self.send_response(code)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)
            except (BrokenPipeError, ConnectionResetError):
                pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(args.port_file + ".tmp", args.port_file)
    timer = threading.Timer(args.max_seconds, server.shutdown)
    timer.daemon = True
    timer.start()
    server.serve_forever()
    log.close()


if __name__ == "__main__":
    main()
