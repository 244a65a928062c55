"""Indonesian facts every service meets: NPWP (tax id), NIB (business number), provinces.

Formats and reference codes, not domain models: like ``shared.money`` for rupiah,
they are the same for providers, SMEs and sponsors. Province codes are BPS codes
(Badan Pusat Statistik), which differ from the Ministry of Home Affairs codes for
the Papua provinces created in 2022; the ISO 3166-2:ID code is kept beside them.
(Catalog's database holds the same list, frozen in its reference-data migration.)
"""

from __future__ import annotations

import re

_NPWP_16 = re.compile(r"[0-9]{16}")
_NPWP_15 = re.compile(r"[0-9]{15}")
_NPWP_LEGACY = re.compile(r"[0-9]{2}\.[0-9]{3}\.[0-9]{3}\.[0-9]-[0-9]{3}\.[0-9]{3}")
_NIB = re.compile(r"[0-9]{13}")


def normalise_npwp(raw: str) -> str:
    """The 16-digit NPWP for ``raw``, or ``ValueError``.

    Accepts the 16-digit NPWP (since 2024) and the legacy 15-digit one, plain or
    as ``99.999.999.9-999.999``. A legacy number becomes its 16-digit form by a
    leading zero (PMK 112/2022), so one taxpayer has one NPWP whatever the format.
    """
    value = raw.strip()
    if _NPWP_16.fullmatch(value):
        return value
    if _NPWP_15.fullmatch(value) or _NPWP_LEGACY.fullmatch(value):
        return "0" + re.sub(r"[^0-9]", "", value)
    raise ValueError("NPWP must be 16 digits, or the legacy 15-digit 99.999.999.9-999.999")


def is_nib(value: str) -> bool:
    """NIB (Nomor Induk Berusaha, the OSS business number): exactly 13 ASCII digits."""
    return _NIB.fullmatch(value) is not None


PROVINCES: tuple[tuple[str, str, str], ...] = (
    # BPS code, ISO 3166-2:ID, name
    ("11", "ID-AC", "Aceh"),
    ("12", "ID-SU", "Sumatera Utara"),
    ("13", "ID-SB", "Sumatera Barat"),
    ("14", "ID-RI", "Riau"),
    ("15", "ID-JA", "Jambi"),
    ("16", "ID-SS", "Sumatera Selatan"),
    ("17", "ID-BE", "Bengkulu"),
    ("18", "ID-LA", "Lampung"),
    ("19", "ID-BB", "Kepulauan Bangka Belitung"),
    ("21", "ID-KR", "Kepulauan Riau"),
    ("31", "ID-JK", "DKI Jakarta"),
    ("32", "ID-JB", "Jawa Barat"),
    ("33", "ID-JT", "Jawa Tengah"),
    ("34", "ID-YO", "DI Yogyakarta"),
    ("35", "ID-JI", "Jawa Timur"),
    ("36", "ID-BT", "Banten"),
    ("51", "ID-BA", "Bali"),
    ("52", "ID-NB", "Nusa Tenggara Barat"),
    ("53", "ID-NT", "Nusa Tenggara Timur"),
    ("61", "ID-KB", "Kalimantan Barat"),
    ("62", "ID-KT", "Kalimantan Tengah"),
    ("63", "ID-KS", "Kalimantan Selatan"),
    ("64", "ID-KI", "Kalimantan Timur"),
    ("65", "ID-KU", "Kalimantan Utara"),
    ("71", "ID-SA", "Sulawesi Utara"),
    ("72", "ID-ST", "Sulawesi Tengah"),
    ("73", "ID-SN", "Sulawesi Selatan"),
    ("74", "ID-SG", "Sulawesi Tenggara"),
    ("75", "ID-GO", "Gorontalo"),
    ("76", "ID-SR", "Sulawesi Barat"),
    ("81", "ID-MA", "Maluku"),
    ("82", "ID-MU", "Maluku Utara"),
    ("91", "ID-PB", "Papua Barat"),
    ("92", "ID-PD", "Papua Barat Daya"),
    ("94", "ID-PA", "Papua"),
    ("95", "ID-PS", "Papua Selatan"),
    ("96", "ID-PT", "Papua Tengah"),
    ("97", "ID-PE", "Papua Pegunungan"),
)
_PROVINCE_BY_CODE = {code: bps for bps, iso, _name in PROVINCES for code in (bps, iso)}


def province_bps(code: str) -> str | None:
    """The BPS code of a province given by BPS (``32``) or ISO (``ID-JB``) code, else None."""
    return _PROVINCE_BY_CODE.get(code.strip().upper())
