"""The sponsor_staff pages (blueprint ``sponsor``, under ``/sponsor``).

    funds.py     registering the sponsor; its funds: balances, ledgers, deposits,
                 adjustments, closing
    offers.py    offers: the rule editor checked as it is typed, publishing, withdrawing
    reports.py   what the money bought and the funds over time: charts, CSV downloads
    common.py    the blueprint, labels and amounts, the user's own sponsor

Everything is the signed-in user's own sponsor (``user().org``): every call names
that id and nothing else, and a fund or offer of another sponsor looks absent.
"""

from services.portal.web.sponsor import funds, offers, reports
from services.portal.web.sponsor.common import bp

__all__ = ["bp", "funds", "offers", "reports"]
