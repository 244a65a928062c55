"""The demo's enterprises, their teams, where they enrol, and the KPI figures they report.

Invented enterprises in eight provinces (contacts use ``.example`` domains and
555 numbers); their owners are identity's demo SME users. Teams mix women and
men, managers and workers, and stay within catalog's four per enterprise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import Decimal
from typing import Any


@dataclasses.dataclass(frozen=True)
class DemoSme:
    """An enterprise as its owner registers it."""

    key: str
    owner_email: str
    legal_name: str
    kbli_code: str
    province_code: str
    city: str
    women: int
    men: int
    contact_name: str
    nib: str = ""  # made up, 13 digits (numbered below)

    def registration(self) -> dict[str, Any]:
        """The body ``POST /smes`` would take."""
        slug = self.owner_email.partition("@")[2]
        return {"legal_name": self.legal_name, "nib": self.nib, "npwp": None,
                "kbli_code": self.kbli_code, "kbli_version": "2020",
                "province_code": self.province_code, "city": self.city,
                "address": f"Jl. Industri No. {len(self.key) * 7}, {self.city}",
                "employees_women": self.women, "employees_men": self.men,
                "contact_name": self.contact_name, "contact_email": f"kontak@{slug}",
                "contact_phone": f"+62 21 555 {2000 + len(self.legal_name)}"}


_SMES = [
    DemoSme("tenun", "owner@sme.example", "CV Tenun Nusantara", "13121", "32", "Bandung",
            28, 12, "Wati Suryani"),
    DemoSme("batik", "ratna@batik-sekar.example", "PT Batik Sekar Jagad", "13134", "34",
            "Yogyakarta", 35, 10, "Ratna Wulandari"),
    DemoSme("mebel", "agus@mebel-jepara.example", "CV Mebel Jepara Jaya", "31001", "33",
            "Semarang", 6, 30, "Agus Santoso"),
    DemoSme("garmen", "dewi@garmen-surya.example", "PT Garmen Surya Abadi", "14111", "35",
            "Surabaya", 120, 40, "Dewi Lestari"),
    DemoSme("perak", "made@perak-celuk.example", "CV Kerajinan Perak Celuk", "32111", "51",
            "Denpasar", 8, 14, "I Made Sudarsana"),
    DemoSme("snack", "siti@snack-makmur.example", "PT Snack Makmur Sentosa", "10794", "36",
            "Tangerang", 45, 25, "Siti Rahmawati"),
    DemoSme("presisi", "budi@presisi-batam.example", "PT Presisi Komponen Batam", "25920",
            "21", "Batam", 12, 48, "Budi Hartono"),
    DemoSme("kopi", "rina@kopi-sidikalang.example", "CV Kopi Sidikalang", "10761", "12",
            "Medan", 9, 7, "Rina Simanjuntak"),
]
SMES = [dataclasses.replace(sme, nib=f"{9120000000101 + n:013d}") for n, sme in enumerate(_SMES)]

# full name, gender, role, position
_PEOPLE = {
    "tenun": [("Wati Suryani", "female", "manager", "Pemilik"),
              ("Asep Hidayat", "male", "worker", "Operator tenun"),
              ("Euis Komalasari", "female", "worker", "Operator tenun"),
              ("Dedi Kurniawan", "male", "worker", "Pengawas mutu")],
    "batik": [("Ratna Wulandari", "female", "manager", "Direktur"),
              ("Sri Handayani", "female", "worker", "Pembatik"),
              ("Bambang Priyono", "male", "worker", "Pewarna")],
    "mebel": [("Agus Santoso", "male", "manager", "Manajer produksi"),
              ("Nur Aini", "female", "worker", "Finishing"),
              ("Slamet Riyadi", "male", "worker", "Tukang kayu")],
    "garmen": [("Dewi Lestari", "female", "manager", "Manajer pabrik"),
               ("Yuliana Putri", "female", "worker", "Penjahit"),
               ("Eko Prasetyo", "male", "manager", "Kepala HRD"),
               ("Sulastri", "female", "worker", "Penjahit")],
    "perak": [("I Made Sudarsana", "male", "manager", "Pemilik"),
              ("Ni Luh Ayu", "female", "worker", "Pengrajin")],
    "snack": [("Siti Rahmawati", "female", "manager", "Manajer operasional"),
              ("Joko Susilo", "male", "worker", "Operator mesin"),
              ("Rini Anggraeni", "female", "worker", "Pengemasan")],
    "presisi": [("Budi Hartono", "male", "manager", "Direktur"),
                ("Fitri Handayani", "female", "worker", "Operator CNC"),
                ("Rudi Siregar", "male", "worker", "Teknisi K3")],
    "kopi": [("Rina Simanjuntak", "female", "manager", "Pemilik"),
             ("Tigor Sitompul", "male", "worker", "Penyangrai")],
}

# Delivered sessions (province, module) and the enterprises trained in them.
DELIVERED_TEAMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("34", "M1"): ("batik", "mebel"), ("31", "M1"): ("tenun", "snack"),
    ("35", "M1"): ("garmen", "perak"), ("32", "M2"): ("tenun", "snack"),
}
# A hold that lapsed unpaid, in that delivered session.
LAPSED = ("kopi", ("31", "M1"))
# Upcoming sessions: enterprise, module, preferred province, how far it gets.
UPCOMING = [("garmen", "M2", "35", "confirmed"), ("presisi", "M1", "21", "awaiting_payment"),
            ("kopi", "M1", "12", "held"), ("perak", "M1", "51", "cancelled")]


def team_of(key: str) -> list[dict[str, str]]:
    """The enterprise's team as ``POST /sessions/<id>/enrolments`` takes it."""
    return [{"full_name": name, "gender": gender, "role": role, "position": position}
            for name, gender, role, position in _PEOPLE[key]]


# KPI, baseline range, change after the training (a fraction; the direction is the KPI's)
_FIGURES = [("productivity", (8, 20), 0.12), ("defect_rate", (3, 9), -0.3),
            ("absenteeism", (4, 10), -0.25), ("suggestions_implemented", (0, 3), 1.5)]
_METHODS = {"productivity": "units produced per worker hour, from production logs",
            "defect_rate": "rejected units as % of output, from the QC book",
            "absenteeism": "absent workdays as % of scheduled, from the attendance register",
            "suggestions_implemented": "worker suggestions put into practice, from the team log"}


def baseline_kpis(key: str, measured_on: dt.date) -> list[dict[str, Any]]:
    """Baselines over the three months up to ``measured_on`` (before any classroom day)."""
    end = measured_on - dt.timedelta(days=1)
    return [_report(kpi, "baseline", end - dt.timedelta(days=89), end, base)
            for kpi, base in _baselines(key).items()]


def follow_up_kpis(key: str, last_day: dt.date) -> list[dict[str, Any]]:
    """Follow-ups over the month after the classroom: better, as SCORE intends."""
    start, end = last_day + dt.timedelta(days=1), last_day + dt.timedelta(days=30)
    change = {kpi: delta for kpi, _, delta in _FIGURES}
    return [_report(kpi, "follow_up", start, end,
                    (base * Decimal(str(1 + change[kpi]))).quantize(Decimal("0.1"))
                    if base else Decimal(2))
            for kpi, base in _baselines(key).items()]


def _baselines(key: str) -> dict[str, Decimal]:
    rng = random.Random(key)
    return {kpi: Decimal(rng.randint(low * 10, high * 10)) / 10 for kpi, (low, high), _ in _FIGURES}


def _report(kpi: str, kind: str, start: dt.date, end: dt.date, value: Decimal) -> dict[str, Any]:
    return {"kpi": kpi, "kind": kind, "period_start": start, "period_end": end,
            "method": _METHODS[kpi], "value": value, "note": None, "corrects": None}
