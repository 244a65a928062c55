"""Certification's rules from settings, checked once when a process starts.

``SCORE_CERTIFICATION_RULES`` (``Settings.get("rules")``) is JSON overriding the
defaults of :data:`services.certification.rules.DEFAULT_MODULE_RULES`: an object
keyed by module code, plus ``"all"`` for every module, each holding only the keys
it changes. Layers apply in order: defaults, ``"all"``, the module's own::

    {"all": {"validity_months": 24}, "M3": {"min_visits": 6, "tot_required": false}}

Unset or empty: the defaults. An unknown module or key, a wrong type (booleans are
JSON booleans, numbers JSON integers), a negative count or a recertification window
as long as the validity period is a :class:`ConfigError` naming it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from services.certification.rules import (
    DEFAULT_MODULE_RULES,
    MODULE_CODES,
    CertificationRules,
    ModuleRules,
)
from shared.config import ConfigError, Settings
from shared.fields import StrictBoolean

SETTING = "SCORE_CERTIFICATION_RULES"
MAX_COUNT = 1000  # sessions or visits: beyond any supervised cycle, a typo
ALL = "all"


def _count() -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(0, MAX_COUNT))


def _flag() -> fields.Boolean:
    return StrictBoolean()


class ModuleRulesSchema(Schema):
    """Overrides of one module's rules (every key optional; unknown keys refused)."""

    tot_required = _flag()
    min_sessions_lead = _count()
    min_sessions_co = _count()
    min_visits = _count()
    report_accepted_required = _flag()
    recommendation_required = _flag()
    validity_months = fields.Integer(strict=True, validate=validate.Range(1, 120))
    recertification_window_days = fields.Integer(strict=True, validate=validate.Range(0, 3650))


RulesSchema = Schema.from_dict(
    {code: fields.Nested(ModuleRulesSchema) for code in (ALL, *MODULE_CODES)},
    name="RulesSchema")


def load_rules(settings: Settings) -> CertificationRules:
    """The rules from ``settings`` (defaults when unset); :class:`ConfigError` when unusable."""
    raw = settings.get("rules")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return parse_rules({})
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ConfigError(f"{SETTING} is not JSON: {exc}") from exc
    return parse_rules(raw)


def parse_rules(raw: Any) -> CertificationRules:
    """The effective rules from overrides already parsed from JSON."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{SETTING} must be a JSON object keyed by module code "
                          f"({', '.join(MODULE_CODES)}) or {ALL!r}")
    try:
        overrides = RulesSchema().load(raw)
    except ValidationError as exc:
        raise ConfigError(f"{SETTING}: {'; '.join(_messages(exc.messages))}") from exc
    every = overrides.get(ALL, {})
    modules = {code: dataclasses.replace(DEFAULT_MODULE_RULES,
                                         **{**every, **overrides.get(code, {})})
               for code in MODULE_CODES}
    for code, rules in modules.items():
        _check(code, rules)
    return CertificationRules(modules)


def _check(code: str, rules: ModuleRules) -> None:
    # The shortest validity period in days: a window this long would be due at once.
    if rules.recertification_window_days >= rules.validity_months * 28:
        raise ConfigError(
            f"{SETTING}: {code}.recertification_window_days "
            f"({rules.recertification_window_days}) must be shorter than "
            f"validity_months ({rules.validity_months})")


def _messages(errors: Any, path: str = "") -> list[str]:
    """``M6: Unknown field.``, ``M1.min_visits: Must be ...`` from marshmallow's map."""
    if isinstance(errors, Mapping):
        return [line for key, value in sorted(errors.items(), key=lambda kv: str(kv[0]))
                for line in _messages(value, f"{path}.{key}" if path else str(key))]
    if isinstance(errors, list):
        return [f"{path}: {' '.join(str(e) for e in errors)}"]
    return [f"{path}: {errors}"]


_installed: list[CertificationRules] = []


def install(rules: CertificationRules) -> None:
    """Make ``rules`` the process's rules (the app does this at start)."""
    _installed.append(rules)


def current_rules() -> CertificationRules:
    """The process's rules: the app's, or – in a consumer or job process – the environment's."""
    if not _installed:
        from shared.config import load_settings

        install(load_rules(load_settings("certification")))
    return _installed[-1]
