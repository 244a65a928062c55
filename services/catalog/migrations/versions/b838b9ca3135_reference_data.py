"""reference data: the five SCORE modules and Indonesia's 38 provinces

The data is frozen here (not imported from application code) so this
revision means the same thing forever; later changes get their own revision.
Province codes are BPS codes (Badan Pusat Statistik), which differ from the
Ministry of Home Affairs codes for the Papua provinces created in 2022.

Revision ID: b838b9ca3135
Revises: a47fcb83a845
Create Date: 2026-11-27 10:03:25.010666
"""

from alembic import op
import sqlalchemy as sa


revision = 'b838b9ca3135'
down_revision = 'a47fcb83a845'
branch_labels = None
depends_on = None

MODULES = [
    # code, number, name (id), name (en), prerequisite
    ("M1", 1, "Kerja Sama di Tempat Kerja – fondasi keberhasilan usaha",
     "Workplace Cooperation – a foundation for business success", None),
    ("M2", 2, "Mutu – mengelola perbaikan berkelanjutan",
     "Quality – managing continuous improvement", "M1"),
    ("M3", 3, "Produktivitas melalui Produksi Bersih",
     "Productivity through Cleaner Production", "M1"),
    ("M4", 4, "Manajemen Tenaga Kerja untuk Kerja Sama dan Keberhasilan Usaha",
     "Workforce Management for Cooperation and Business Success", "M1"),
    ("M5", 5, "Keselamatan dan Kesehatan Kerja: landasan produktivitas",
     "Safety & Health at Work: a platform for productivity", "M1"),
]

PROVINCES = [
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
]

modules = sa.table(
    "modules", sa.column("code", sa.String), sa.column("number", sa.Integer),
    sa.column("name_id", sa.String), sa.column("name_en", sa.String),
    sa.column("prerequisite_code", sa.String))
provinces = sa.table(
    "provinces", sa.column("bps_code", sa.String), sa.column("iso_code", sa.String),
    sa.column("name", sa.String))


def upgrade() -> None:
    # M1 first: the others reference it as their prerequisite.
    op.bulk_insert(modules, [
        {"code": c, "number": n, "name_id": i, "name_en": e, "prerequisite_code": p}
        for c, n, i, e, p in MODULES])
    op.bulk_insert(provinces, [
        {"bps_code": b, "iso_code": s, "name": n} for b, s, n in PROVINCES])


def downgrade() -> None:
    op.execute(provinces.delete())
    op.execute(modules.delete().where(modules.c.prerequisite_code.is_not(None)))
    op.execute(modules.delete())
