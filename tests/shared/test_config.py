"""Settings: environment first, service-specific over global, production refuses dev secrets."""

import pytest

from shared.config import DEV_SECRET, ConfigError, load_settings


def test_development_defaults_need_nothing_from_the_environment():
    settings = load_settings("catalog", environ={})
    assert settings.env == "development" and settings.bus == "local"
    assert settings.database_url.endswith("/var/catalog.db")
    assert settings.auto_migrate


def test_a_service_specific_variable_wins_over_the_global_one():
    settings = load_settings("catalog", environ={
        "SCORE_DATABASE_URL": "sqlite:///global.db",
        "SCORE_CATALOG_DATABASE_URL": "sqlite:///catalog.db",
        "SCORE_ENROLMENT_DATABASE_URL": "sqlite:///enrolment.db",
    })
    assert settings.database_url == "sqlite:///catalog.db"
    assert "enrolment_database_url" not in settings.extra


@pytest.mark.parametrize("variable", [
    "SCORE_PAYMENTS_DATABASE_URL", "SCORE_ENROLMENT_DATABASE_URL", "SCORE_IDENTITY_PORT",
    "SCORE_NOT_YET_WRITTEN_SECRET_KEY", "SCORE_X_BUS"])
def test_a_variable_of_another_service_never_reaches_this_one(variable):
    settings = load_settings("catalog", environ={variable: "elsewhere"})

    assert settings == load_settings("catalog", environ={})


def test_typed_settings_are_parsed_and_unknown_ones_kept_as_extras():
    settings = load_settings("identity", environ={
        "SCORE_MAX_CONTENT_LENGTH": "2048", "SCORE_RUN_WORKERS": "true",
        "SCORE_IDENTITY_SIGNING_KEY": "pem"})
    assert settings.max_content_length == 2048 and settings.run_workers is True
    assert settings.get("signing_key") == "pem"


def test_a_malformed_number_is_a_clear_configuration_error():
    with pytest.raises(ConfigError, match="max_content_length"):
        load_settings("catalog", environ={"SCORE_MAX_CONTENT_LENGTH": "lots"})


@pytest.mark.parametrize("environ", [
    {"SCORE_ENV": "production", "SCORE_DATABASE_URL": "postgresql+psycopg://db/x"},
    {"SCORE_ENV": "production", "SCORE_SECRET_KEY": DEV_SECRET,
     "SCORE_DATABASE_URL": "postgresql+psycopg://db/x"},
    {"SCORE_ENV": "production", "SCORE_SECRET_KEY": "s3cret-from-the-vault"},
    {"SCORE_ENV": "staging"},
    {"SCORE_BUS": "rabbitmq"},
])
def test_unsafe_or_meaningless_settings_refuse_to_start(environ):
    with pytest.raises(ConfigError):
        load_settings("catalog", environ=environ)


def test_production_with_real_secrets_starts_and_does_not_auto_migrate():
    settings = load_settings("catalog", environ={
        "SCORE_ENV": "production", "SCORE_SECRET_KEY": "s3cret-from-the-vault",
        "SCORE_DATABASE_URL": "postgresql+psycopg://db/catalog"})
    assert settings.is_production and not settings.auto_migrate
