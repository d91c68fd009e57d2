"""Errors passed on without losing their English: i18n.reason() (domain Problems, translated
ValueErrors, BlastErrors), an exception formatted into a Message, transform keeping a Message a
Message, WAHA errors (English as a str, translated as their message, their prefix and network
reasons), and the AI's rejection reasons."""

from __future__ import annotations

import pytest

from nexus_blast import i18n
from nexus_blast.domain.pacing import parse_delay
from nexus_blast.domain.problems import Problem
from nexus_blast.domain.replies import parse_duration
from nexus_blast.errors import InputError


def _raised(call, *args, **kw) -> BaseException:
    with pytest.raises(ValueError) as info:
        call(*args, **kw)
    return info.value


def test_a_domain_problem_is_english_as_a_str_and_translated_by_reason(portuguese):
    from nexus_blast.domain.window import parse_window

    exc = _raised(parse_window, "8h-20h")
    assert isinstance(exc, Problem)
    assert str(exc) == "window '8h-20h' is not HH:MM-HH:MM"  # domain/ translates nothing
    said = i18n.reason(exc)
    assert said == "a janela '8h-20h' não está no formato HH:MM-HH:MM"
    assert i18n.english(said) == str(exc)


def test_a_problem_with_formatted_values_keeps_them_in_both_languages(portuguese):
    exc = _raised(parse_duration, "90d", minimum=1, maximum=30 * 86400)
    assert str(exc) == "duration '90d' must lie between 1s and 30 days"
    assert i18n.reason(exc) == "a duração '90d' deve ficar entre 1s e 30 dias"
    assert i18n.english(i18n.reason(exc)) == str(exc)


def test_reason_keeps_the_english_str_would_lose(portuguese):
    translated = ValueError(i18n._("window never opens"))
    assert type(str(translated)) is str  # what `str(exc)` / f"{exc}" pass on: the English is gone
    assert i18n.english(i18n.reason(translated)) == "window never opens"
    assert i18n.reason(translated) == "a janela nunca abre"
    blast = InputError(i18n._("window never opens"))
    assert i18n.english(i18n.reason(blast)) == "window never opens"
    assert i18n.reason(KeyError("x")) == "'x'"


def test_reason_in_english_is_the_plain_message():
    assert i18n.reason(_raised(parse_delay, "")) == "delay is empty (give MIN-MAX in seconds, e.g. 30-60)"


def test_transform_keeps_a_message_a_message(portuguese):
    cut = i18n.transform(i18n._("window never opens"), lambda t: t[:9])
    assert (cut, i18n.english(cut)) == ("a janela ", "window ne")
    assert i18n.transform("plain", str.upper) == "PLAIN"


def test_waha_errors_name_the_session_and_translate_network_reasons(portuguese):
    from nexus_blast.waha.errors import network_reason, seconds, where

    label = where("http://user:secret@127.0.0.1:3000", "loja")
    assert label == "WAHA http://user:…@127.0.0.1:3000 sessão 'loja'"
    assert i18n.english(label) == "WAHA http://user:…@127.0.0.1:3000 session 'loja'"
    refused = network_reason("[Errno 111] Connection refused")
    assert (refused, i18n.english(refused)) == ("[Errno 111] conexão recusada", "[Errno 111] Connection refused")
    assert network_reason("TLS handshake failed") == "TLS handshake failed"  # anything else: quoted as it came
    assert (seconds(2.5), i18n.english(seconds(2.5))) == ("2,5", "2.5")


def test_an_exception_formatted_into_a_message_keeps_both_languages(portuguese):
    said = i18n._("sending window or timezone unusable: {reason}").format(reason=_raised(parse_delay, "x"))
    assert said == "janela de envio ou fuso horário inutilizável: o intervalo 'x' não está no formato MIN-MAX em segundos (ex.: 30-60)"
    assert i18n.english(said) == "sending window or timezone unusable: delay 'x' is not MIN-MAX in seconds (e.g. 30-60)"
    refused = InputError(i18n._("window never opens"))
    said = i18n._("sending window or timezone unusable: {reason}").format(reason=refused)
    assert i18n.english(said) == "sending window or timezone unusable: window never opens"


def test_ai_rejections_are_shown_translated_and_told_to_the_model_in_english(portuguese):
    from nexus_blast.ai.copywriter import CopyRequest, user_prompt
    from nexus_blast.ai.variants import problem

    reason = problem("Oi {{cidade}}", ("nome",), 500)
    assert reason == "usa o campo {{cidade}} (permitidos: nome)"
    assert i18n.english(reason) == "uses placeholder {{cidade}} (allowed: nome)"
    prompt = user_prompt(CopyRequest(brief="promoção"), 2, [], [reason, problem("x" * 20, (), 10)])
    assert "Earlier drafts were rejected because: uses placeholder {{cidade}} (allowed: nome); too long (20 > 10 characters)." in prompt


def test_a_waha_error_is_english_as_a_str_and_translated_as_its_message(portuguese):
    from nexus_blast.waha.errors import WahaSessionNotFound, where

    exc = WahaSessionNotFound(i18n._("{where}: session does not exist on the server").format(where=where("http://h:3000", "s1")))
    assert str(exc) == f"{exc}" == "WAHA http://h:3000 session 's1': session does not exist on the server"  # stored, logged
    assert exc.message == "WAHA http://h:3000 sessão 's1': a sessão não existe no servidor"  # shown
    said = i18n._("could not notify {kind}: {error}").format(kind="paused", error=exc)
    assert i18n.english(said) == "could not notify paused: WAHA http://h:3000 session 's1': session does not exist on the server"
    assert "sessão 's1'" in said
