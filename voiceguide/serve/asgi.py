"""The HTTP side: a read-only ASGI app that answers from a ``Site``'s table.

Every URL starts with the session's token; without it, for a Host header that does not
name this server, or for any name not in the table, the answer is 404, the same for every
path and method, so nothing tells a stranger what exists. Only GET and HEAD, but for the
one endpoint that records the phone's sessions (``sessions``), which takes only a POST
from the page's own origin, of a small JSON body. Files are
served by Starlette's ``FileResponse`` (Range requests with 206, Content-Length, ETag,
Last-Modified); this module adds conditional requests (304), caching and privacy headers.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from email.utils import formatdate

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.types import ASGIApp, Receive, Scope, Send

from voiceguide.errors import PhoneRequestError
from voiceguide.serve.sessions import MAX_BODY
from voiceguide.serve.site import Document, Endpoint, LiveDocument, Resource, Site, StoredFile

METHODS = ("GET", "HEAD")
# The token is in every URL: no page may pass it on in a Referer header.
_PRIVATE = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
# A file's name carries its content's digest (``site``): the same name is the same bytes
# for ever, so a phone may keep it for a year and never ask again.
_FILE_CACHE = "private, max-age=31536000, immutable"
# Pages and the feed name the files of this run: asked again each time (ETag, 304).
_DOCUMENT_CACHE = "private, no-cache"


def create_app(site: Site) -> ASGIApp:
    """The app: every request of every method reaches ``respond``, so that without the
    token even a PROPFIND is a 404."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and websockets: nothing is served to them
            return
        request = Request(scope, receive)
        # Read only when it is for the one endpoint, with the token: nothing of a stranger's
        # body is taken in.
        posting = request.method == "POST" and isinstance(_addressed(site, request), Endpoint)
        body = await _read_body(request) if posting else b""
        # In a worker thread: the "Your practice" view reads the journal and draws its
        # chart (a fifth of a second), which must not hold up a phone's audio download.
        response = await anyio.to_thread.run_sync(respond, site, request, body)
        await response(scope, receive, send)

    return app


async def _read_body(request: Request) -> bytes | None:
    """The request's body; None when it is longer than ``MAX_BODY``, read no further."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return None
    return body


def respond(site: Site, request: Request, body: bytes | None = b"") -> Response:
    """The response to ``request`` (whose ``body`` is None when too long): a page, the
    feed, a file, what the endpoint answers, or 404."""
    resource = _addressed(site, request)
    if resource is None:
        return _not_found()
    if not request.scope["path"].removeprefix("/").count("/"):
        # /TOKEN without its slash: the relative links need it
        return RedirectResponse(f"/{site.token}/", headers=_PRIVATE)
    if isinstance(resource, Endpoint):
        return _post(resource, request, body)
    if request.method not in METHODS:
        return PlainTextResponse(
            "Method not allowed: this server is read-only\n",
            405,
            headers={"Allow": ", ".join(METHODS), **_PRIVATE},
        )
    if isinstance(resource, LiveDocument):
        return _document(resource.make(), request)
    if isinstance(resource, Document):
        return _document(resource, request)
    return _file(resource, request)


def _addressed(site: Site, request: Request) -> Resource | None:
    """What ``request`` names, when it comes to a host the site serves with the token."""
    if not site.serves_host(request.headers.get("host")):
        return None
    # The decoded path, exactly: "%2e%2e%2f" arrives here as "../" and names nothing.
    path: str = request.scope["path"]
    token, _, name = path.removeprefix("/").partition("/")
    if not secrets.compare_digest(token.encode(), site.token.encode()):
        return None
    return site.resources.get(name)


def _post(endpoint: Endpoint, request: Request, body: bytes | None) -> Response:
    """The endpoint's answer to a POST from the page's own origin: the Host header has
    been checked, so a page elsewhere (another site open on the phone) cannot send one."""
    if request.method != "POST":
        return PlainTextResponse(
            "Method not allowed: only the page posts here\n",
            405,
            headers={"Allow": "POST", **_PRIVATE},
        )
    origin = request.headers.get("origin", "")
    if origin.lower() != f"{request.url.scheme}://{request.headers.get('host', '')}".lower():
        return _json(403, {"error": "not from this server's page"})
    if body is None:
        return _json(413, {"error": f"a body of at most {MAX_BODY} bytes"})
    if request.headers.get("content-type", "").partition(";")[0].strip() != "application/json":
        return _json(400, {"error": "the body is JSON (Content-Type: application/json)"})
    try:
        status, answer = endpoint.handle(body)
    except PhoneRequestError as exc:
        return _json(400, {"error": str(exc)})
    return _json(status, answer)


def _json(status: int, answer: dict[str, object]) -> Response:
    return JSONResponse(answer, status, headers={"Cache-Control": "no-store", **_PRIVATE})


def _document(document: Document, request: Request) -> Response:
    etag = '"' + hashlib.sha256(document.body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": _DOCUMENT_CACHE, **_PRIVATE}
    if document.policy:
        headers["Content-Security-Policy"] = document.policy
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(document.body, media_type=document.media_type, headers=headers)


def _file(stored: StoredFile, request: Request) -> Response:
    try:
        # lstat, not stat: a file that has become a symlink is not followed.
        info = os.lstat(stored.path)
    except OSError:
        return _not_found()
    if not stat.S_ISREG(info.st_mode):
        return _not_found()
    headers = {"Cache-Control": _FILE_CACHE, **_PRIVATE}
    response = FileResponse(
        stored.path,
        media_type=stored.media_type,
        headers=headers,
        stat_result=info,
        filename=stored.path.name,
        content_disposition_type="inline",
    )
    etag = response.headers["etag"]
    if _matches(request.headers.get("if-none-match"), etag) or (
        "if-none-match" not in request.headers
        and request.headers.get("if-modified-since") == formatdate(info.st_mtime, usegmt=True)
    ):
        return Response(
            status_code=304,
            headers={"ETag": etag, "Last-Modified": response.headers["last-modified"], **headers},
        )
    return response


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


def _not_found() -> Response:
    return PlainTextResponse("Not found\n", 404, headers=_PRIVATE)
