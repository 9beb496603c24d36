"""Serving rendered routines to a phone over the local network.

The use case (render, then serve until Ctrl-C) is ``voiceguide.app.serve``; these are its
HTTP parts, each with one job: ``net`` picks the address and opens the listening socket,
``token`` makes the secret in every URL, ``kept`` keeps the files served in the cache by
their content, ``page`` and ``feed`` write the page and the podcast feed (the routine
page's own style, markup and script are in ``routine_template``), ``site`` says what is
served under which name, ``asgi`` (an ASGI application on Starlette's requests and
responses) answers requests, and ``server`` runs it under uvicorn with its timeouts and
limits.
"""
