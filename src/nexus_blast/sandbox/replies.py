"""Error answers shaped like WAHA's (NestJS) ones, raised from anywhere in a sandbox handler."""

from __future__ import annotations

from starlette.responses import JSONResponse


class Reply(Exception):
    """An error answer, raised from anywhere in a handler."""

    def __init__(self, status: int, body: dict, headers: dict | None = None) -> None:
        self.response = JSONResponse(body, status_code=status, headers=headers)


def nest(status: int, message, error: str) -> Reply:
    return Reply(status, {"statusCode": status, "message": message, "error": error})
