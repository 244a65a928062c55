"""Audit's request and response schemas (marshmallow; module-level instances are fine).

Input schemas validate everything a client sends: a bad field is a 422 problem
naming it. Query-string schemas go in their own module when there are many.
"""

from __future__ import annotations
