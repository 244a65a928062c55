"""Sponsorship settings: unset means no sponsorship; unusable values refuse the start."""

from __future__ import annotations

import pytest

from services import enrolment
from services.enrolment.sponsorship.settings import load_sponsorship_settings
from shared.config import ConfigError, load_settings


def settings(**values):
    return load_sponsorship_settings(load_settings("enrolment", values, environ={}))


def test_unset_is_no_sponsorship_with_a_two_second_timeout():
    loaded = settings()
    assert (loaded.url, loaded.quotes_url, loaded.timeout_s) == (None, None, 2.0)
    assert settings(sponsorship_url="  ").quotes_url is None  # compose's empty value


def test_the_url_is_a_base_the_quotes_path_is_added_to():
    loaded = settings(sponsorship_url="http://sponsorship-api:5003/",
                      sponsorship_timeout_s="0.5")
    assert loaded.quotes_url == "http://sponsorship-api:5003/quotes"
    assert loaded.timeout_s == 0.5


def test_the_environment_variables_are_the_documented_ones():
    loaded = load_sponsorship_settings(load_settings("enrolment", environ={
        "SCORE_ENROLMENT_SPONSORSHIP_URL": "https://sponsorship.example.org",
        "SCORE_ENROLMENT_SPONSORSHIP_TIMEOUT_S": "1.5"}))
    assert (loaded.quotes_url, loaded.timeout_s) == ("https://sponsorship.example.org/quotes",
                                                     1.5)


@pytest.mark.parametrize(("values", "complaint"), [
    ({"sponsorship_url": "sponsorship-api:5003"}, "SPONSORSHIP_URL"),
    ({"sponsorship_url": "ftp://sponsorship-api"}, "SPONSORSHIP_URL"),
    ({"sponsorship_url": "http://"}, "SPONSORSHIP_URL"),
    ({"sponsorship_url": "http://sponsorship-api:5003?x=1"}, "SPONSORSHIP_URL"),
    ({"sponsorship_timeout_s": "two"}, "SPONSORSHIP_TIMEOUT_S"),
    ({"sponsorship_timeout_s": "0"}, "SPONSORSHIP_TIMEOUT_S"),
    ({"sponsorship_timeout_s": "-1"}, "SPONSORSHIP_TIMEOUT_S"),
    ({"sponsorship_timeout_s": "nan"}, "SPONSORSHIP_TIMEOUT_S"),
    ({"sponsorship_timeout_s": "inf"}, "SPONSORSHIP_TIMEOUT_S"),
    ({"sponsorship_timeout_s": "30"}, "SPONSORSHIP_TIMEOUT_S"),  # the row stays locked
])
def test_unusable_values_are_refused(values, complaint):
    with pytest.raises(ConfigError, match=complaint):
        settings(**values)


def test_the_app_refuses_to_start_with_an_unusable_value(app_config):
    with pytest.raises(ConfigError, match="SPONSORSHIP_TIMEOUT_S"):
        enrolment.create_app(app_config(sponsorship_timeout_s="soon"))
