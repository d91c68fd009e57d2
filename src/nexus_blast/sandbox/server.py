"""Running the sandbox: uvicorn in a thread on a real socket, plus a small client for its control API."""

from __future__ import annotations

from typing import Any

from nexus_blast.serving import ThreadedServer
from nexus_blast.sandbox.app import create_app
from nexus_blast.sandbox.state import SandboxConfig


class SandboxServer:
    """`with SandboxServer(sessions=("s1",)) as sb: WahaClient(sb.url)...` — 127.0.0.1, ephemeral port."""

    def __init__(self, config: SandboxConfig | None = None, *, host: str = "127.0.0.1", port: int = 0, **options: Any) -> None:
        if config is not None and options:
            raise TypeError("pass either a SandboxConfig or options, not both")
        self.config = config or SandboxConfig(**options)
        self.host = host
        self.app = create_app(self.config)
        self.sandbox = self.app.state.sandbox
        self._http = ThreadedServer(self.app, host, port, lifespan="on", name="waha-sandbox")

    @property
    def url(self) -> str:
        return self._http.url

    @property
    def port(self) -> int:
        return self._http.port

    @property
    def world(self):
        """The sandbox's state (read it from tests; change it through the control API)."""
        return self.sandbox.world

    @property
    def alive(self) -> bool:
        return self._http.alive

    def start(self, wait: float = 10.0) -> SandboxServer:
        self._http.start(wait)
        return self

    def stop(self) -> None:
        self.sandbox.closing = True
        self._http.stop()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- control API (synchronous, for tests and demos) ---------------------------------------

    def _control(self, method: str, path: str, body: dict | None = None) -> Any:
        import httpx

        response = httpx.request(method, f"{self.url}/_sandbox{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def sent(self) -> list[dict]:
        """Every accepted send, in order."""
        return self._control("GET", "/sent")

    def webhooks(self) -> list[dict]:
        """Every webhook delivery attempted (url, event, session, status_code, attempts, error)."""
        return self._control("GET", "/webhooks")

    def requests(self) -> list[dict]:
        """Every WAHA API call received, in order (method, path, params, body)."""
        return self._control("GET", "/requests")

    def delete(self, session: str) -> dict:
        """Delete SESSION on the server now, as someone else would."""
        return self._control("POST", f"/sessions/{session}/delete")

    def pair(self, session: str) -> dict:
        return self._control("POST", f"/sessions/{session}/pair")

    def set_status(self, session: str, status: str) -> dict:
        return self._control("POST", f"/sessions/{session}/status", {"status": status})

    def incoming(self, session: str, sender: str, body: str) -> dict:
        return self._control("POST", f"/sessions/{session}/incoming", {"from": sender, "body": body})

    def capping(self, session: str, status: str | None, **fields: Any) -> dict:
        return self._control("POST", f"/sessions/{session}/capping", {"cappingStatus": status, **fields})

    def timelock(self, session: str, seconds: float) -> dict:
        return self._control("POST", f"/sessions/{session}/timelock", {"seconds": seconds})

    def faults(self, **body: Any) -> dict:
        """e.g. `faults(session="s1", fail_after=2)`, `faults(fail_rate=0.2)`, `faults(session="s1", rate_limit=1, retry_after=0.2)`."""
        return self._control("POST", "/faults", body)

    def clear_faults(self) -> dict:
        return self._control("DELETE", "/faults")

    def whatsapp(self, phone: str, exists: bool = True, chat_id: str | None = None, errors: int = 0) -> dict:
        """How WhatsApp knows PHONE (digits); ERRORS: its next look-ups that answer 500."""
        return self._control("POST", "/whatsapp", {"phone": phone, "exists": exists, "chat_id": chat_id, "errors": errors})

    def replies(self, *rules: dict) -> dict:
        """Script replies (see sandbox/control.py `_replies_control`); no RULES: just read them."""
        if rules:
            return self._control("POST", "/replies", {"rules": list(rules)})
        return self._control("GET", "/replies")
