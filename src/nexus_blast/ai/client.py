"""One small synchronous client for every OpenAI-compatible provider: list models, chat
completions, retries (429 with Retry-After, connection errors, 5xx) and typed errors.

No error text ever contains the key: messages are built from the provider name, the status code
and the provider's own error message with the key scrubbed out."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from nexus_blast.config import mask
from nexus_blast.httputil import parse_retry_after
from nexus_blast.errors import ConfigError, DependencyError, KeyRefused, Unreachable
from nexus_blast.i18n import _


class ModelNotFound(ConfigError):
    """The provider does not know the configured model (exit 2: the user picks another)."""


class RateLimited(DependencyError):
    """The provider kept answering 429, or asked to wait longer than we are willing to."""


class BadCompletion(DependencyError):
    """The provider answered 200 with no usable completion (empty, not JSON, no choices)."""


@dataclass(frozen=True)
class Endpoint:
    """Where and how to reach one configured provider."""

    name: str  # the local name in [ai.providers.NAME]
    provider: str  # the preset: groq, openrouter, ...
    base_url: str
    model: str
    api_key: str = field(default="", repr=False)


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    prompt_tokens: int | None
    completion_tokens: int | None
    finish_reason: str | None = None


@dataclass(frozen=True)
class Limits:
    """Timeouts and retry bounds (seconds)."""

    timeout: float = 60.0
    connect_timeout: float = 10.0
    attempts: int = 3  # for 429, 5xx and connection errors
    max_retry_after: float = 30.0  # longest Retry-After we honour before giving up
    backoff_initial: float = 1.0
    backoff_max: float = 8.0


class _Transient(Exception):
    """A failure worth retrying; `error` is what to raise when the attempts run out."""

    def __init__(self, error: Exception, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


class AIClient:
    """`models()` and `complete()` against ENDPOINT; use as a context manager."""

    def __init__(self, endpoint: Endpoint, limits: Limits | None = None, *, transport=None, sleep: Callable[[float], None] = time.sleep) -> None:
        import httpx

        self.endpoint = endpoint
        self.limits = limits or Limits()
        self._sleep = sleep
        headers = {"Accept": "application/json", "User-Agent": "nexus-blast"}
        if endpoint.api_key:
            headers["Authorization"] = f"Bearer {endpoint.api_key}"
        self._http = httpx.Client(
            base_url=endpoint.base_url.rstrip("/") + "/",
            headers=headers,
            timeout=httpx.Timeout(self.limits.timeout, connect=self.limits.connect_timeout),
            transport=transport,
            follow_redirects=True,
        )

    def __enter__(self) -> AIClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- API -------------------------------------------------------------------------------

    def models(self) -> list[str]:
        """The model ids the provider offers, sorted."""
        data = self._request("GET", "models")
        items = data.get("data") if isinstance(data, dict) else data
        if items is None and isinstance(data, dict):
            items = data.get("models")  # a few servers answer {"models": [...]}
        if not isinstance(items, list):
            raise BadCompletion(_("{name} answered the model list in an unknown shape").format(name=self.endpoint.name))
        ids = {str(m.get("id") or m.get("name")) for m in items if isinstance(m, dict) and (m.get("id") or m.get("name"))}
        return sorted(ids)

    def complete(self, messages: list[dict[str, str]], *, temperature: float | None = None, max_tokens: int | None = None, model: str | None = None) -> Completion:
        """One chat completion; BadCompletion when the answer has no usable text."""
        body: dict[str, Any] = {"model": model or self.endpoint.model, "messages": messages, "stream": False}
        if temperature is not None:
            body["temperature"] = temperature
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        data = self._request("POST", "chat/completions", json=body, model=body["model"])
        return self._completion(data, body["model"])

    # --- plumbing --------------------------------------------------------------------------

    def _request(self, method: str, path: str, *, json: Any = None, model: str | None = None) -> Any:
        from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

        retrying = Retrying(
            retry=retry_if_exception_type(_Transient),
            stop=stop_after_attempt(self.limits.attempts),
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(method, path, json, model)
        except _Transient as exc:
            raise exc.error from None
        raise AssertionError("unreachable")  # pragma: no cover - Retrying either returns or raises

    def _wait(self, state) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return exc.retry_after
        delay = self.limits.backoff_initial * (2 ** (state.attempt_number - 1))
        return min(delay, self.limits.backoff_max)

    def _once(self, method: str, path: str, body: Any, model: str | None) -> Any:
        import httpx

        name = self.endpoint.name
        try:
            response = self._http.request(method, path, json=body)
        except httpx.ReadTimeout:
            # The model is slow; asking again would only double the wait.
            raise Unreachable(
                _("{name} did not answer within {seconds} s").format(name=name, seconds=f"{self.limits.timeout:g}"),
                hint=_("try again, or raise --timeout"),
            ) from None
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.PoolTimeout, httpx.WriteTimeout) as exc:
            raise _Transient(
                Unreachable(_("{name} unreachable at {url} ({reason})").format(name=name, url=self.endpoint.base_url, reason=type(exc).__name__), hint=self._unreachable_hint())
            ) from None
        except httpx.HTTPError as exc:
            raise Unreachable(_("{name}: request failed ({reason})").format(name=name, reason=type(exc).__name__)) from None
        return self._check(response, model)

    def _unreachable_hint(self) -> str:
        if self.endpoint.provider == "ollama":  # local: most often it is simply not running
            return _("is Ollama running? start it with: ollama serve (or check the URL: blast ai list)")
        return _("check the URL: blast ai list")

    def _check(self, response, model: str | None) -> Any:
        name, status = self.endpoint.name, response.status_code
        if status in (401, 403):
            raise KeyRefused(_("key refused by {name}").format(name=name), hint=_("check its key: blast ai list (HTTP {status})").format(status=status))
        if status == 429:
            wait = parse_retry_after(response.headers.get("Retry-After"))
            if wait is not None and wait > self.limits.max_retry_after:
                raise RateLimited(_("rate limited by {name}: it asks to wait {wait} s, longer than {limit} s").format(
                    name=name, wait=f"{wait:.0f}", limit=f"{self.limits.max_retry_after:g}"), hint=_("try again later"))
            raise _Transient(
                RateLimited(_("rate limited by {name} (HTTP 429) after {count} attempts").format(name=name, count=self.limits.attempts), hint=_("try again later")),
                retry_after=wait,
            )
        if status >= 500:
            raise _Transient(DependencyError(_("{name} failed with HTTP {status}: {reason}").format(name=name, status=status, reason=self._reason(response))))
        if status >= 400:
            reason = self._reason(response)
            if model and (status == 404 or (status in (400, 422) and "model" in reason.lower())):
                raise ModelNotFound(
                    _("model {model!r} not found on {name}: {reason}").format(model=model, name=name, reason=reason),
                    hint=_("list its models with: blast ai models {name}").format(name=name),
                )
            raise DependencyError(_("{name} rejected the request with HTTP {status}: {reason}").format(name=name, status=status, reason=reason))
        try:
            return response.json()
        except ValueError:
            raise BadCompletion(_("{name} answered with something that is not JSON").format(name=name)) from None

    def _reason(self, response) -> str:
        """The provider's own error message, short, without the key."""
        try:
            data = response.json()
        except ValueError:
            text = response.text
        else:
            error = data.get("error", data) if isinstance(data, dict) else data
            if isinstance(error, dict):
                error = error.get("message") or error.get("detail") or error
            text = error if isinstance(error, str) else json.dumps(error, ensure_ascii=False)
        return scrub(" ".join(text.split())[:200] or response.reason_phrase, self.endpoint.api_key)

    def _completion(self, data: Any, model: str) -> Completion:
        name = self.endpoint.name
        try:
            choice = data["choices"][0]
            text = choice["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise BadCompletion(_("{name} answered without a completion (no choices[0].message.content)").format(name=name)) from None
        if not isinstance(text, str):
            text = ""
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        return Completion(
            text=text,
            model=str(data.get("model") or model),
            prompt_tokens=_int(usage.get("prompt_tokens")),
            completion_tokens=_int(usage.get("completion_tokens")),
            finish_reason=choice.get("finish_reason") if isinstance(choice, dict) else None,
        )


def scrub(text: str, secret: str) -> str:
    """TEXT with every occurrence of SECRET replaced by its mask (providers sometimes echo keys)."""
    if secret and len(secret) >= 4:
        text = text.replace(secret, mask(secret))
    return text


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
