"""Canned out-of-scope answers (pure): every topic in every language, each language its own."""

import pytest

from services.cases.canned import TOPICS, CannedTopic, canned_answer
from shared.i18n import LOCALES, Locale


@pytest.mark.parametrize("locale", LOCALES)
def test_every_topic_has_an_answer(locale: Locale) -> None:
    answers = [canned_answer(topic, locale) for topic in TOPICS]
    assert all(len(answer) > 60 and "{" not in answer for answer in answers)
    assert len(set(answers)) == len(TOPICS)


@pytest.mark.parametrize("topic", TOPICS)
def test_languages_differ(topic: CannedTopic) -> None:
    assert len({canned_answer(topic, locale) for locale in LOCALES}) == 4
