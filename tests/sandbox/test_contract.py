"""The sandbox answers like WAHA (CONTRACT.md and WAHA's source), never more leniently than WAHA does."""

from __future__ import annotations

import httpx

KEY = "sandbox-contract-key-4f1a"


def test_create_without_start_leaves_the_session_stopped(make_sandbox):
    # WAHA's SessionsController.create: `const start = request.start || false` — a client that
    # forgets `start` must see a STOPPED session here too, not one the sandbox started for it.
    sb = make_sandbox()
    created = httpx.post(f"{sb.url}/api/sessions", json={"name": "nostart"})
    assert created.status_code == 201
    assert created.json()["status"] == "STOPPED"
    started = httpx.post(f"{sb.url}/api/sessions", json={"name": "withstart", "start": True})
    assert started.json()["status"] in ("STARTING", "SCAN_QR_CODE")


def test_unknown_api_route_without_the_key_is_401(make_sandbox):
    # WAHA's ApiKeyAuthMiddleware runs before routing: no key, no 404 either.
    sb = make_sandbox(api_key=KEY)
    missing = httpx.get(f"{sb.url}/api/contacts/check-exist", params={"phone": "5511987654321"})
    assert missing.status_code == 401
    assert missing.json() == {"message": "Unauthorized", "statusCode": 401}
    known_key = httpx.get(f"{sb.url}/api/contacts/check-exist", headers={"X-Api-Key": KEY})
    assert known_key.status_code == 404
    assert known_key.json()["message"] == "Cannot GET /api/contacts/check-exist"


def test_core_tier_media_422_is_wahas_text(make_sandbox):
    # src/core/exceptions.ts AvailableInPlusVersionAll: "<feature> is available only in Plus version. Check this out: <DOCS_URL>"
    sb = make_sandbox(tier="CORE", sessions=("default",))
    body = {"session": "default", "chatId": "5511987654321@c.us", "file": {"mimetype": "image/png", "filename": "a.png", "data": "cG5n"}}
    answer = httpx.post(f"{sb.url}/api/sendImage", json=body)
    assert answer.status_code == 422
    assert answer.json() == {
        "statusCode": 422,
        "message": "The feature is available only in Plus version. Check this out: https://waha.devlike.pro/",
        "error": "Unprocessable Entity",
    }
