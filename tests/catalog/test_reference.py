"""SCORE modules and provinces: seeded by migration, served read-only."""

import pytest

EXPECTED_PROVINCES = {
    "11": ("ID-AC", "Aceh"), "12": ("ID-SU", "Sumatera Utara"),
    "13": ("ID-SB", "Sumatera Barat"), "14": ("ID-RI", "Riau"), "15": ("ID-JA", "Jambi"),
    "16": ("ID-SS", "Sumatera Selatan"), "17": ("ID-BE", "Bengkulu"),
    "18": ("ID-LA", "Lampung"), "19": ("ID-BB", "Kepulauan Bangka Belitung"),
    "21": ("ID-KR", "Kepulauan Riau"), "31": ("ID-JK", "DKI Jakarta"),
    "32": ("ID-JB", "Jawa Barat"), "33": ("ID-JT", "Jawa Tengah"),
    "34": ("ID-YO", "DI Yogyakarta"), "35": ("ID-JI", "Jawa Timur"), "36": ("ID-BT", "Banten"),
    "51": ("ID-BA", "Bali"), "52": ("ID-NB", "Nusa Tenggara Barat"),
    "53": ("ID-NT", "Nusa Tenggara Timur"), "61": ("ID-KB", "Kalimantan Barat"),
    "62": ("ID-KT", "Kalimantan Tengah"), "63": ("ID-KS", "Kalimantan Selatan"),
    "64": ("ID-KI", "Kalimantan Timur"), "65": ("ID-KU", "Kalimantan Utara"),
    "71": ("ID-SA", "Sulawesi Utara"), "72": ("ID-ST", "Sulawesi Tengah"),
    "73": ("ID-SN", "Sulawesi Selatan"), "74": ("ID-SG", "Sulawesi Tenggara"),
    "75": ("ID-GO", "Gorontalo"), "76": ("ID-SR", "Sulawesi Barat"), "81": ("ID-MA", "Maluku"),
    "82": ("ID-MU", "Maluku Utara"), "91": ("ID-PB", "Papua Barat"),
    "92": ("ID-PD", "Papua Barat Daya"), "94": ("ID-PA", "Papua"),
    "95": ("ID-PS", "Papua Selatan"), "96": ("ID-PT", "Papua Tengah"),
    "97": ("ID-PE", "Papua Pegunungan"),
}


def test_all_38_provinces_are_served_with_bps_and_iso_codes(client):
    items = client.get("/provinces").json["items"]
    assert len(items) == 38
    assert {p["bps_code"]: (p["iso_code"], p["name"]) for p in items} == EXPECTED_PROVINCES
    assert [p["bps_code"] for p in items] == sorted(EXPECTED_PROVINCES)


def test_the_five_score_modules_have_m1_as_prerequisite(client):
    items = client.get("/modules").json["items"]
    assert [m["code"] for m in items] == ["M1", "M2", "M3", "M4", "M5"]
    assert [m["prerequisite_code"] for m in items] == [None, "M1", "M1", "M1", "M1"]
    first = items[0]
    assert first["name_en"] == "Workplace Cooperation – a foundation for business success"
    assert first["name_id"] == "Kerja Sama di Tempat Kerja – fondasi keberhasilan usaha"
    assert items[4]["name_en"] == "Safety & Health at Work: a platform for productivity"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/modules", "/provinces"])
def test_reference_data_is_read_only(client, admin, method, path):
    r = client.open(path, method=method, json={}, headers=admin)
    assert r.status_code == 405
    assert r.mimetype == "application/problem+json"
