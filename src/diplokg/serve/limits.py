"""Request limits as ASGI middleware: oversized headers (431) and bodies (413) are refused before use.

The HTTP parser's own limit only applies to headers that arrive in pieces, so
the total size is checked here as well.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _TooLarge(Exception):
    pass


MAX_HEADER_BYTES = 16 * 1024


class RequestLimits:
    def __init__(self, app: ASGIApp, max_bytes: int, max_header_bytes: int = MAX_HEADER_BYTES):
        self.app = app
        self.max_bytes = max_bytes
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if sum(len(name) + len(value) for name, value in scope["headers"]) > self.max_header_bytes:
            await _plain(send, 431, f"the request headers are larger than {self.max_header_bytes} bytes")
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _plain(send, 400, "Content-Length is not a number")
                return
            if int(declared) > self.max_bytes:
                await _plain(send, 413, self._message())
                return
        received = 0
        started = rejected = False

        async def limited_receive() -> Message:
            nonlocal received, rejected
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes and not started:  # chunked: no Content-Length to check first
                    # Answer now: whatever the application sends after the abort is dropped below.
                    rejected = True
                    await _plain(send, 413, self._message())
                    raise _TooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if rejected:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except _TooLarge:
            pass

    def _message(self) -> str:
        return f"the request body is larger than {self.max_bytes} bytes, the limit of this server"


async def _plain(send: Send, status: int, text: str) -> None:
    body = (text + "\n").encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
