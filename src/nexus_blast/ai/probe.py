"""`blast ai test`: can we list the provider's models and get a minimal completion, and how fast."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from nexus_blast.ai.client import AIClient, BadCompletion, Endpoint, Limits
from nexus_blast.i18n import _

PING = [{"role": "user", "content": "Reply with the single word: OK"}]


@dataclass(frozen=True)
class ProbeResult:
    name: str
    provider: str
    base_url: str
    model: str
    models: int  # how many models the provider lists
    model_listed: bool  # whether the configured model is among them
    models_ms: int
    completion_ms: int
    reply: str

    def as_dict(self) -> dict:
        return {**asdict(self), "ok": True}


def model_listed(model: str, models: list[str]) -> bool:
    """MODEL is among MODELS; Ollama lists `llama3.2` as `llama3.2:latest`."""
    return model in models or (":" not in model and f"{model}:latest" in models)


def probe(endpoint: Endpoint, limits: Limits | None = None, *, transport=None) -> ProbeResult:
    """List models, then one tiny completion (an empty or malformed one is retried once)."""
    with AIClient(endpoint, limits, transport=transport) as client:
        started = time.monotonic()
        models = client.models()
        models_ms = round((time.monotonic() - started) * 1000)
        reply = None
        for attempt in range(2):
            started = time.monotonic()
            try:
                completion = client.complete(PING, max_tokens=64)
            except BadCompletion:
                if attempt:
                    raise
                continue
            if completion.text.strip():
                reply = completion.text.strip()
                break
        completion_ms = round((time.monotonic() - started) * 1000)
        if reply is None:
            raise BadCompletion(_("{name} answered an empty completion twice").format(name=endpoint.name), hint=_("try another model: blast ai models {name}").format(name=endpoint.name))
    return ProbeResult(
        name=endpoint.name,
        provider=endpoint.provider,
        base_url=endpoint.base_url,
        model=endpoint.model,
        models=len(models),
        model_listed=model_listed(endpoint.model, models),
        models_ms=models_ms,
        completion_ms=completion_ms,
        reply=reply[:80],
    )
