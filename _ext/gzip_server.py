"""Serve a built site the way a real host does: gzip for text, cache headers, nothing else.

    python _ext/gzip_server.py [--port 8000] [--bind 127.0.0.1] DIRECTORY

Used by ``make serve``, ``make bench`` (Lighthouse and page weights) and the browser tests, so that
what they measure is what a reader on a static host (GitHub Pages, Netlify, nginx) receives:
HTML, CSS, JavaScript, JSON and SVG are sent with ``Content-Encoding: gzip`` when the browser
accepts it (compressed once per file and kept in memory), and every response says how long it may be
cached. Standard library only.
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import os
import threading
from pathlib import Path

COMPRESSIBLE = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".txt", ".xml", ".csv", ".map", ".md", ".ico"}


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """SimpleHTTPRequestHandler that gzips text responses and records what it sent.

    ``sent`` (a list on the class) receives ``(path, status, body_bytes, encoding)`` per response.
    """

    sent: list = []
    _cache: dict = {}
    _lock = threading.Lock()

    def log_message(self, *args):  # quiet: the caller reports what matters
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "public, max-age=600")
        super().end_headers()

    def _compressed(self, path: str) -> bytes:
        stat = os.stat(path)
        key = (path, stat.st_mtime_ns, stat.st_size)
        with self._lock:
            body = self._cache.get(key)
        if body is None:
            with open(path, "rb") as f:
                body = gzip.compress(f.read(), compresslevel=6, mtime=0)
            with self._lock:
                self._cache[key] = body
        return body

    def send_head(self):
        path = self.translate_path(self.path)
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if os.path.isdir(path):
            index = os.path.join(path, "index.html")
            if not self.path.split("?")[0].endswith("/") or not os.path.isfile(index):
                return self._plain_head()
            path = index
        if not (wants_gzip and os.path.isfile(path) and Path(path).suffix.lower() in COMPRESSIBLE):
            return self._plain_head()
        body = self._compressed(path)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", self.date_time_string(int(os.stat(path).st_mtime)))
        self.end_headers()
        self.sent.append((self.path.split("?")[0], 200, len(body), "gzip"))
        return io.BytesIO(body)

    def _plain_head(self):
        f = super().send_head()
        size = 0
        if f is not None and hasattr(f, "fileno"):
            try:
                size = os.fstat(f.fileno()).st_size
            except OSError:
                size = 0
        self.sent.append((self.path.split("?")[0], getattr(self, "_status", 0), size, ""))
        return f

    def send_response(self, code, message=None):
        self._status = code
        super().send_response(code, message)


def make_server(directory: Path | str, port: int = 0, bind: str = "127.0.0.1"):
    """A started ThreadingHTTPServer on ``directory``; returns (server, sent-log, base URL)."""
    handler = type("Handler", (GzipHandler,), {"sent": [], "_cache": {}})
    server = http.server.ThreadingHTTPServer((bind, port), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, handler.sent, f"http://{bind}:{server.server_address[1]}/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--bind", default="127.0.0.1")
    args = parser.parse_args()
    handler = type("Handler", (GzipHandler,), {"sent": [], "_cache": {}})
    server = http.server.ThreadingHTTPServer((args.bind, args.port), functools.partial(handler, directory=args.directory))
    print(f"Serving {args.directory} with gzip on http://{args.bind}:{args.port}/  (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
