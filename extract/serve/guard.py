"""What keeps a page from another site, or a paper's own text, from acting through the workbench.

A state-changing request (anything but GET, HEAD, OPTIONS) must come from the
workbench's own pages: its Origin header (or, if a browser sent none, its Referer)
names the host the request was sent to. The Host header itself is checked against
the names the server listens under (Starlette's TrustedHostMiddleware, set up in
app.py), so a site that rebinds its DNS name to 127.0.0.1 is refused too. Every
response carries a Content-Security-Policy that allows only the workbench's own
scripts and styles: even a paper's text that slipped past escaping could not run.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-resource-policy": "same-origin",
}


def same_origin(headers: Headers) -> bool:
    """The request names, as its origin, the host it was sent to."""
    host = (headers.get("host") or "").lower()
    claimed = headers.get("origin")
    if claimed is None or claimed == "null":
        claimed = headers.get("referer")
    if not host or not claimed:
        return False
    parts = urlsplit(claimed)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host


class SameOriginGuard:
    """Refuses cross-site state changes with 403 and adds the security headers to every response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS and not same_origin(Headers(scope=scope)):
            response = PlainTextResponse(
                "refused: a change to the dataset must come from the workbench's own pages (same origin)", status_code=403
            )
            await response(scope, receive, self._with_headers(send))
            return
        await self.app(scope, receive, self._with_headers(send))

    @staticmethod
    def _with_headers(send: Send) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.decode("latin-1").lower() not in SECURITY_HEADERS]
                headers += [(name.encode("latin-1"), value.encode("latin-1")) for name, value in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        return sending
