"""CSV downloads: RFC 4180 attachments whose text cells a spreadsheet never runs."""

from __future__ import annotations

import csv
import io

import pytest

from shared.downloads import csv_download, spreadsheet_safe


@pytest.mark.parametrize(("value", "written"), [
    ("=HYPERLINK(\"http://evil.example\")", "'=HYPERLINK(\"http://evil.example\")"),
    ("+1", "+1"), ("-12.5", "-12.5"), ("-1+1", "'-1+1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("Jawa Barat", "Jawa Barat"), (None, ""), (-3, -3), (True, True),
])
def test_formula_like_text_is_defused_and_numbers_are_left_alone(value, written):
    assert spreadsheet_safe(value) == written


def test_a_download_is_an_rfc_4180_attachment_with_a_header_row():
    response = csv_download(("name", "amount"), [("=1+1", -5), (None, 7)], "r.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="r.csv"'
    assert response.get_data(as_text=True) == "name,amount\r\n'=1+1,-5\r\n,7\r\n"
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == [
        ["name", "amount"], ["'=1+1", "-5"], ["", "7"]]
