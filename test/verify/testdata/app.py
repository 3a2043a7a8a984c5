"""A stand-in for a Streamlit server, for `streamsec verify` tests.

It serves what verify judges the way Streamlit 1.39+ does on Tornado: the
WebSocket at /_stcore/stream with Tornado's own check_origin override (the
Origin's hostname against an allowlist, scheme and port ignored, as
Streamlit's server does), /_stcore/metrics and /st-metrics in OpenMetrics
text, /_stcore/health, and index.html for every other path (single-page
fallback, status 200).

  --mode weak      origin check off (server.enableCORS=false), compression
                   on, 200 MB message limit (Streamlit's default)
  --mode hardened  hostname allowlist, no compression, 1 MiB message limit

It binds 127.0.0.1 on a free port and prints "PORT <n>" on stdout.
"""
import argparse
import sys
from urllib.parse import urlparse

import tornado.ioloop
import tornado.netutil
import tornado.web
import tornado.websocket

INDEX = b"""<!doctype html><html><head><title>Streamlit</title></head>
<body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div></body></html>
"""

METRICS = b"""# TYPE cache_memory_bytes gauge
# UNIT cache_memory_bytes bytes
# HELP Total memory consumed by a cache.
cache_memory_bytes{cache_type="st_memo",cache="app.load"} 1024
# TYPE session_events_total counter
session_events_total{type="start"} 3
# EOF
"""


class Stream(tornado.websocket.WebSocketHandler):
    def initialize(self, mode, allowed):
        self.mode = mode
        self.allowed = allowed

    def check_origin(self, origin):
        if self.mode == "weak":
            return True
        # Streamlit: allowed when the Origin's host:port is the Host, or its
        # hostname (scheme and port ignored) is in the allowlist.
        parsed = urlparse(origin)
        if parsed.netloc.lower() == self.request.headers.get("Host", "").lower():
            return True
        return (parsed.hostname or "") in self.allowed

    def get_compression_options(self):
        return {} if self.mode == "weak" else None

    def on_message(self, message):
        pass


class Metrics(tornado.web.RequestHandler):
    def get(self):
        self.set_header("Content-Type", "application/openmetrics-text")
        self.write(METRICS)


class Health(tornado.web.RequestHandler):
    def get(self):
        self.write("ok")


class Index(tornado.web.RequestHandler):
    def get(self, *args):
        self.set_header("Content-Type", "text/html")
        self.write(INDEX)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=["weak", "hardened"], required=True)
    p.add_argument("--allow", action="append", default=[])
    a = p.parse_args()
    allowed = {"localhost", "127.0.0.1", "0.0.0.0"} | set(h.lower() for h in a.allow)
    limit = 200 * 1000 * 1000 if a.mode == "weak" else 1 << 20
    app = tornado.web.Application(
        [
            (r"/_stcore/stream", Stream, dict(mode=a.mode, allowed=allowed)),
            (r"/_stcore/metrics", Metrics),
            (r"/st-metrics", Metrics),
            (r"/_stcore/health", Health),
            (r"/(.*)", Index),
        ],
        websocket_max_message_size=limit,
    )
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(app, max_body_size=limit)
    server.add_sockets(sockets)
    print("PORT %d" % sockets[0].getsockname()[1], flush=True)
    tornado.ioloop.IOLoop.current().start()


if __name__ == "__main__":
    import tornado.httpserver
    main()
