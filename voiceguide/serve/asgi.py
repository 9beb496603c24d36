"""The HTTP side: a read-only ASGI app that answers from a ``Site``'s table.

Every URL starts with the session's token; without it, for a Host header that does not
name this server, or for any name not in the table, the answer is 404, the same for every
path and method, so nothing tells a stranger what exists. Only GET and HEAD. Files are
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
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from voiceguide.serve.site import Document, LiveDocument, Site, StoredFile

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
        # In a worker thread: the "Your practice" view reads the journal and draws its
        # chart (a fifth of a second), which must not hold up a phone's audio download.
        response = await anyio.to_thread.run_sync(respond, site, Request(scope, receive))
        await response(scope, receive, send)

    return app


def respond(site: Site, request: Request) -> Response:
    """The response to ``request``: a page, the feed, a file, or 404."""
    if not site.serves_host(request.headers.get("host")):
        return _not_found()
    # The decoded path, exactly: "%2e%2e%2f" arrives here as "../" and names nothing.
    path: str = request.scope["path"]
    token, slash, name = path.removeprefix("/").partition("/")
    if not secrets.compare_digest(token.encode(), site.token.encode()):
        return _not_found()
    resource = site.resources.get(name)
    if resource is None:
        return _not_found()
    if not slash:  # /TOKEN without its slash: the relative links need it
        return RedirectResponse(f"/{token}/", headers=_PRIVATE)
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
