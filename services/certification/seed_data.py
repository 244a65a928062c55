"""The demo trainers: who they are, whom they deliver for, and where they stand per module.

Twelve trainers, five of them women (about 40 %), at every stage of the path
across the five modules. Each is identity's demo ``trainer`` account of the same
email (identity's seed provides ``trainers``: email → user id, the trainer's id).
``organisation`` is the legal name of a catalog demo provider: catalog's seed
picks its sessions' trainers by it, and every module a demo provider offers has
a trainer of its own certified in it (a lead for its sessions).

Experts (certified in the modules they are expert in) recommend mentees there:
a recommendation comes from the first expert of the module who is not the
trainer, so experts' own certifications were recommended by a fellow expert.
"""

from __future__ import annotations

import dataclasses

STAGES = ("candidate", "tot_completed", "in_supervised_delivery", "recommended", "certified",
          "suspended", "expired", "withdrawn", "revoked")


@dataclasses.dataclass(frozen=True)
class DemoTrainer:
    """One demo trainer: profile, and the stage reached in each module."""

    email: str
    full_name: str
    gender: str
    province_code: str
    organisation: str
    stages: dict[str, str]
    expert: tuple[str, ...] = ()

    @property
    def modules_of_interest(self) -> list[str]:
        """Every module the trainer is on the path of."""
        return sorted(self.stages)


TRAINERS = [
    DemoTrainer("siti.nurhaliza@trainers.example", "Siti Nurhaliza", "female", "31", "BEDO",
                {"M1": "certified", "M2": "certified", "M3": "certified"},
                expert=("M1", "M2", "M3")),
    DemoTrainer("sri.wahyuni@trainers.example", "Sri Wahyuni", "female", "34",
                "Karya Dua Perempuan", {"M1": "certified", "M4": "certified", "M5": "certified"},
                expert=("M1", "M4", "M5")),
    DemoTrainer("bambang.wijaya@trainers.example", "Bambang Wijaya", "male", "31", "BEDO",
                {"M4": "certified", "M5": "certified", "M1": "in_supervised_delivery"},
                expert=("M4", "M5")),
    DemoTrainer("dewi.anggraini@trainers.example", "Dewi Anggraini", "female", "35", "SMI",
                {"M1": "certified", "M2": "certified", "M5": "certified"}, expert=("M2",)),
    DemoTrainer("hendra.gunawan@trainers.example", "Hendra Gunawan", "male", "32",
                "Universitas Katolik Parahyangan",
                {"M1": "certified", "M3": "certified", "M4": "certified"}),
    DemoTrainer("yohanes.situmorang@trainers.example", "Yohanes Situmorang", "male", "31",
                "APP Politeknik Jakarta", {"M1": "certified", "M2": "certified",
                                           "M3": "recommended"}),
    DemoTrainer("rini.kusumawati@trainers.example", "Rini Kusumawati", "female", "33",
                "BLK Semarang 2", {"M1": "certified", "M5": "certified"}),
    DemoTrainer("agus.salim@trainers.example", "Agus Salim", "male", "31", "Riwani Globe",
                {"M1": "certified", "M3": "certified", "M5": "certified"}, expert=("M3",)),
    DemoTrainer("rudi.hartono@trainers.example", "Rudi Hartono", "male", "12",
                "Pro Serve Indonesia", {"M1": "certified", "M2": "certified",
                                        "M4": "certified"}),
    DemoTrainer("putri.lestari@trainers.example", "Putri Lestari", "female", "32", "BEDO",
                {"M1": "candidate", "M2": "tot_completed"}),
    DemoTrainer("fajar.nugroho@trainers.example", "Fajar Nugroho", "male", "35", "SMI",
                {"M1": "in_supervised_delivery", "M2": "recommended", "M5": "withdrawn",
                 "M3": "revoked"}),
    DemoTrainer("wayan.sudirta@trainers.example", "I Wayan Sudirta", "male", "51",
                "Riwani Globe", {"M1": "suspended", "M3": "expired", "M5": "candidate"}),
]
