"""Error answers shaped like WAHA's (NestJS) ones, raised from anywhere in a sandbox handler."""

from __future__ import annotations

import base64

from starlette.responses import JSONResponse

UNPROCESSABLE = "Unprocessable Entity"


class Reply(Exception):
    """An error answer, raised from anywhere in a handler."""

    def __init__(self, status: int, body: dict, headers: dict | None = None) -> None:
        self.response = JSONResponse(body, status_code=status, headers=headers)


def nest(status: int, message, error: str) -> Reply:
    return Reply(status, {"statusCode": status, "message": message, "error": error})


def not_started(name: str) -> Reply:
    return nest(404, f"We didn't find a session with name '{name}'.\nPlease start it first by using "
                     f"POST /api/sessions/{name}/start request", "Not Found")


def core_only_default(name: str) -> Reply:
    encoded = base64.b64encode(name.encode()).decode()
    return nest(422, f"WAHA Core support only 'default' session. You tried to access '{name}' session "
                     f"(base64: {encoded}). If you want to run more then one WhatsApp account - please get "
                     "WAHA PLUS version. Check this out: https://waha.devlike.pro/", UNPROCESSABLE)
