"""Reports for sponsors: filled in by the reporting module."""

from flask_smorest import Blueprint

blp = Blueprint("reports", __name__, description="What sponsors' money bought.")
