"""``/modules`` and ``/provinces``: reference data, public and read-only."""

from flask.views import MethodView
from flask_smorest import Blueprint

from services.catalog import reference
from services.catalog.schemas import ModuleList, ProvinceList
from shared.web import current_db

blp = Blueprint("reference", __name__, description="SCORE modules and Indonesian provinces.")


@blp.route("/modules")
class Modules(MethodView):
    """The five SCORE modules."""

    @blp.response(200, ModuleList)
    def get(self):
        """List the SCORE modules (M1 is the prerequisite of the others)."""
        return {"items": reference.list_modules(current_db())}


@blp.route("/provinces")
class Provinces(MethodView):
    """Indonesia's 38 provinces."""

    @blp.response(200, ProvinceList)
    def get(self):
        """List the provinces with BPS and ISO 3166-2:ID codes."""
        return {"items": reference.list_provinces(current_db())}
