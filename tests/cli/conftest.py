"""Fixtures shared by the CLI tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def language(monkeypatch):
    """switch(LANG): the blast processes and this one's i18n speak LANG from now on (English after)."""
    from nexus_blast import i18n

    def switch(lang: str) -> None:
        monkeypatch.setenv("LANG", lang)
        i18n.configure()

    yield switch
    i18n.configure(language="en")
