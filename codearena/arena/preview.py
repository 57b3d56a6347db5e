"""Live previews of web apps, served from an origin of their own.

The Gradio app and the previews never share an origin: previews come from this server on its own
port, each site under an unguessable path (`/<token>/...`, 192 random bits per run). The app shows
them in `<iframe sandbox="allow-scripts">`, and every response also carries a Content-Security-Policy
with `sandbox allow-scripts` (a preview opened in a tab of its own is still sandboxed) and sources
limited to this server, `https:`, `data:` and `blob:`, so previewed code can neither script the app's
page (opaque origin) nor send requests to the app's plain-http loopback origin.

Each HTML page served gets a small script that reports what the visitor does (load, clicks, keys,
scrolling, resizing, errors) back to this server: a plain `fetch` every half second, and a beacon when
the page goes away (beacons alone are held back by Chromium while Playwright intercepts requests). The
events are handed to `on_events` with the run they belong to. `/api/placeholder/W/H` (the generation
prompt suggests it) answers with a generated grey SVG.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import re
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from codearena.browser import PLACEHOLDER_PATH, placeholder_svg

log = logging.getLogger(__name__)

EVENTS_PATH = "__codearena/events"
MAX_EVENT_BODY = 64 * 1024
MAX_EVENTS_PER_SITE = 2000  # a page that fakes events in a loop does not fill the database
EVENT_KINDS = {"load", "click", "keydown", "scroll", "resize", "error"}
MIME_EXTRA = {".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
              ".svg": "image/svg+xml", ".json": "application/json", ".css": "text/css"}

CAPTURE_JS = """<script>(function(){
var url=%(url)s,q=[],timer=null,last={};
function send(e){timer=null;if(!q.length)return;var b=JSON.stringify(q);q=[];
try{if(e&&e.type==="pagehide")navigator.sendBeacon(url,b);
else fetch(url,{method:"POST",body:b,mode:"no-cors",credentials:"omit"})}catch(x){}}
function push(kind,data,wait){if(q.length<100)q.push({kind:kind,time:new Date().toISOString(),data:data});
if(!timer)timer=setTimeout(send,wait||500)}
function later(kind,fn,ms){return function(){clearTimeout(last[kind]);last[kind]=setTimeout(function(){push(kind,fn())},ms)}}
addEventListener("load",function(){push("load",{width:innerWidth,height:innerHeight})});
addEventListener("click",function(e){push("click",{x:e.clientX,y:e.clientY,target:e.target&&e.target.tagName||""})},true);
addEventListener("keydown",function(e){push("keydown",{key:e.key})},true);
addEventListener("scroll",later("scroll",function(){return {top:scrollY,left:scrollX}},100),true);
addEventListener("resize",later("resize",function(){return {width:innerWidth,height:innerHeight}},500));
addEventListener("error",function(e){push("error",{message:String(e.message||"").slice(0,500)})});
addEventListener("pagehide",send);
})();</script>"""
_HEAD = re.compile(rb"<head\b[^>]*>", re.I)
_HTML = re.compile(rb"<html\b[^>]*>", re.I)
_DOCTYPE = re.compile(rb"^\s*<!doctype[^>]*>", re.I)


@dataclass
class Site:
    """One published directory: the files of one run."""

    token: str
    root: Path
    entry: str
    run_id: int | None = None  # set once the run is stored; events before that are kept here
    pending: list[dict] = field(default_factory=list)
    events: int = 0


def _inject(page: bytes, script: bytes) -> bytes:
    """The capture script placed first in <head> (or after <html>/the doctype), never before the
    doctype: that would switch the page to quirks mode."""
    for pattern in (_HEAD, _HTML, _DOCTYPE):
        match = pattern.search(page)
        if match:
            return page[:match.end()] + script + page[match.end():]
    return script + page


def _clean_events(raw: object) -> list[dict]:
    """Only well-formed events of known kinds, with small plain data."""
    if not isinstance(raw, list):
        return []
    events = []
    for item in raw[:100]:
        if not isinstance(item, dict) or item.get("kind") not in EVENT_KINDS:
            continue
        data = item.get("data") if isinstance(item.get("data"), dict) else {}
        data = {str(k)[:40]: v if isinstance(v, (int, float, bool)) or v is None else str(v)[:500]
                for k, v in list(data.items())[:10]}
        events.append({"kind": item["kind"], "time": str(item.get("time", ""))[:40], "data": data})
    return events


class PreviewServer:
    """Serves published sites on `host:port` (0 = a free port) until `stop()`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, public_url: str | None = None,
                 on_events: Callable[[int, list[dict]], None] | None = None) -> None:
        self.on_events = on_events
        self._sites: dict[str, Site] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self._httpd.daemon_threads = True
        self._public_url = public_url.rstrip("/") if public_url else None
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        """Where visitors' browsers reach this server."""
        if self._public_url:
            return self._public_url
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "PreviewServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="codearena-preview", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    # -- sites ------------------------------------------------------------------------------------
    def publish(self, root: Path, entry: str) -> Site:
        site = Site(token=secrets.token_urlsafe(24), root=Path(root).resolve(), entry=entry)
        with self._lock:
            self._sites[site.token] = site
        return site

    def url(self, site: Site) -> str:
        return f"{self.origin}/{site.token}/{site.entry}"

    def attach(self, site: Site, run_id: int) -> None:
        """The run is stored: hand it the events that came in before, and send later ones straight on."""
        with self._lock:
            site.run_id, pending, site.pending = run_id, site.pending, []
        if pending and self.on_events:
            self.on_events(run_id, pending)

    def withdraw(self, token: str) -> None:
        with self._lock:
            self._sites.pop(token, None)

    def site(self, token: str) -> Site | None:
        with self._lock:
            return self._sites.get(token)

    def _receive(self, site: Site, events: list[dict]) -> None:
        with self._lock:
            room = MAX_EVENTS_PER_SITE - site.events
            events = events[:max(room, 0)]
            site.events += len(events)
            if site.run_id is None:
                site.pending.extend(events)
                return
            run_id = site.run_id
        if events and self.on_events:
            try:
                self.on_events(run_id, events)
            except Exception as e:  # a failed write loses these events, never the preview
                log.warning("preview: could not store %d events of run %s: %s", len(events), run_id, e)

    # -- HTTP -------------------------------------------------------------------------------------
    # Sources: this server, https:, data: and blob: (the app's http loopback origin is none of them).
    CSP = ("default-src 'self' https: data: blob: 'unsafe-inline' 'unsafe-eval'; "
           "form-action 'self'; base-uri 'self'; sandbox allow-scripts")

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, body: bytes = b"", content_type: str = "text/plain; charset=utf-8") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Content-Security-Policy", server.CSP)
                self.send_header("X-Content-Type-Options", "nosniff")
                self.send_header("Referrer-Policy", "no-referrer")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _site_and_rest(self) -> tuple[Site | None, str]:
                path = urlsplit(self.path).path
                token, _, rest = path.lstrip("/").partition("/")
                return server.site(token), unquote(rest)

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                match = PLACEHOLDER_PATH.match(path)
                if match:
                    width = int(match.group(1))
                    return self._send(200, placeholder_svg(width, int(match.group(2) or width)), "image/svg+xml")
                site, rest = self._site_and_rest()
                if site is None:
                    return self._send(404, b"not found")
                file = self._file(site, rest or site.entry)
                if file is None:
                    return self._send(404, b"not found")
                body = file.read_bytes()
                ctype = MIME_EXTRA.get(file.suffix.lower()) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                if file.suffix.lower() in (".html", ".htm"):
                    url = json.dumps(f"/{site.token}/{EVENTS_PATH}")
                    body = _inject(body, (CAPTURE_JS % {"url": url}).encode())
                    ctype = "text/html; charset=utf-8"
                self._send(200, body, ctype)

            do_HEAD = do_GET

            def do_POST(self) -> None:
                site, rest = self._site_and_rest()
                length = int(self.headers.get("Content-Length") or 0)
                if site is None or rest != EVENTS_PATH or length > MAX_EVENT_BODY:
                    self.close_connection = True
                    return self._send(404, b"not found")
                try:
                    events = _clean_events(json.loads(self.rfile.read(length) or b"[]"))
                except ValueError:
                    return self._send(400, b"events must be a JSON list")
                server._receive(site, events)
                self._send(204)

            @staticmethod
            def _file(site: Site, rel: str) -> Path | None:
                """The file under the site's root a path names; symlinks leading outside do not count."""
                target = (site.root / rel).resolve()
                if target != site.root and site.root not in target.parents:
                    return None
                if target.is_dir():
                    target = target / "index.html"
                return target if target.is_file() else None

        return Handler
