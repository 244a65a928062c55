"""CSV downloads of a report (``?format=csv``), the same way in every service.

RFC 4180 text with a header row, served as an attachment. A text cell that a
spreadsheet would run as a formula (one starting with ``= + - @``, a tab or a
carriage return – names and references people typed) gets a leading quote, as
OWASP advises against CSV injection; a number written as text (``-12.5``) is
left as it is: a spreadsheet reads it as the number it is.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from flask import Response

# The text/csv representation of a 200 beside the JSON one, for ``@blp.alt_response``,
# so clients (and the contract tests) know both.
CSV_ALTERNATIVE = {"description": "JSON; with ?format=csv, text/csv: a header row, then one "
                                  "row each", "schema": {"type": "string"}}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def spreadsheet_safe(value: Any) -> Any:
    """A cell as written: None empty, formula-like text defused, everything else as is."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in _FORMULA_START and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_download(header: Iterable[str], rows: Iterable[Iterable[Any]],
                 filename: str) -> Response:
    """``rows`` under ``header`` as a ``text/csv`` attachment named ``filename``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(value) for value in row] for row in rows)
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})
