"""Enrolment's policy from settings: defaults, overrides and refusals."""

from __future__ import annotations

import json

import pytest

from services.enrolment.config import load_policy, parse_size_bands
from shared.config import ConfigError, load_settings


def policy(**extra):
    return load_policy(load_settings("enrolment", extra, environ={}))


def test_the_defaults_are_the_documented_choices():
    p = policy()
    assert (p.team_min, p.team_max, p.hold_minutes, p.bank_due_days) == (2, 6, 45, 7)
    assert [b.name for b in p.size_bands] == ["micro", "small", "medium", "large"]
    assert len(p.kpis) == 8 and p.kpi("productivity").direction == "higher_is_better"


def test_settings_override_the_defaults():
    p = policy(team_max="8", hold_minutes="60", size_bands="small:1-49,medium:50-")
    assert (p.team_max, p.hold_minutes) == (8, 60)
    assert [b.name for b in p.size_bands] == ["small", "medium"]


@pytest.mark.parametrize("extra", [
    {"hold_minutes": "29"}, {"team_min": "7"}, {"team_max": "x"}, {"refund_late_percent": "101"},
    {"size_bands": "micro:1-4,small:6-19,large:20-"}, {"size_bands": "micro:1-4"},
    {"size_bands": "nonsense"}, {"kpis": "[]"}, {"kpis": '[{"code": "x"}]'},
    {"completion_min_attendance_percent": "0"},
])
def test_unusable_settings_are_refused_at_start(extra):
    with pytest.raises(ConfigError):
        policy(**extra)


def test_kpis_can_be_configured_as_json():
    kpis = [{"code": "output", "name_id": "Hasil", "name_en": "Output", "unit": "pcs",
             "direction": "higher_is_better"}]
    assert policy(kpis=json.dumps(kpis)).kpi("output").unit == "pcs"


def test_size_bands_are_contiguous_and_open_ended():
    bands = parse_size_bands("a:1-9,b:10-")
    assert bands[-1].high is None and bands[0].high == 9


def test_the_platform_fee_is_5_percent_unless_set_exactly():
    from decimal import Decimal

    assert policy().platform_fee_percent == Decimal(5)
    assert policy(platform_fee_percent="2.5").platform_fee_percent == Decimal("2.5")
    assert policy(platform_fee_percent=" 0 ").platform_fee_percent == Decimal(0)
    assert policy(platform_fee_percent="").platform_fee_percent == Decimal(5)  # NAME= : unset


@pytest.mark.parametrize("value", ["-1", "50.01", "abc", "NaN", "Infinity", "2.555", "1e3"])
def test_an_unusable_platform_fee_is_refused_at_start(value):
    with pytest.raises(ConfigError):
        policy(platform_fee_percent=value)
