"""Domain errors said in any language: the message is an English template (marked `N_()` so the
catalog has it) and its values, so domain/ stays pure (nothing translated here) and the layer that
shows the error says it in the user's language with `i18n.reason(exc)`, the English kept for
--json. `str(exc)` is the English sentence, as before."""

from __future__ import annotations

from typing import Any


class Problem(ValueError):
    """A ValueError whose message is TEMPLATE (English, `{name}` placeholders) filled with VALUES."""

    def __init__(self, template: str, **values: Any) -> None:
        super().__init__(template.format(**values))
        self.template = template
        self.values = values
