"""Classroom attendance of enrolled teams, and closing a session's attendance (completion)."""

from flask.views import MethodView
from flask_smorest import Blueprint

from services.enrolment.api import current_policy
from services.enrolment.schemas.delivery import (
    AttendanceClosedOut,
    AttendanceIn,
    AttendanceSheetOut,
    SessionAttendanceOut,
)
from services.enrolment.service import attendance, completion
from shared.auth import require_principal, roles_required
from shared.web import current_db

blp = Blueprint("attendance", __name__,
                description="Classroom attendance per participant and day; completion.")

# catalog's courses have 1–10 classroom days: the path's day is bounded by that.
MAX_CLASSROOM_DAYS = 10
READERS = ("sme_user", "provider_staff", "trainer", "ilo_auditor", "platform_admin")


@blp.route(f"/enrolments/<enrolment_id>/attendance/<int(min=1, max={MAX_CLASSROOM_DAYS}):day>")
class AttendanceDay(MethodView):
    """One classroom day of one team."""

    @roles_required("provider_staff", "trainer")
    @blp.arguments(AttendanceIn)
    @blp.response(200, AttendanceSheetOut)
    def put(self, data, enrolment_id, day):
        """Record who of a confirmed team attended a classroom day (again: overwrites).

        The session's provider staff or one of its trainers; ``day`` is one of the
        session's classroom days (1..classroom_days), once the session has started.
        """
        return attendance.record_day(current_db(), require_principal(), current_policy(),
                                     enrolment_id, day, data["present"])


@blp.route("/enrolments/<enrolment_id>/attendance")
class EnrolmentAttendance(MethodView):
    """A team's attendance."""

    @roles_required(*READERS)
    @blp.response(200, AttendanceSheetOut)
    def get(self, enrolment_id):
        """Read a team's attendance sheet: participants × classroom days, and outcomes."""
        return attendance.enrolment_sheet(current_db(), require_principal(), current_policy(),
                                          enrolment_id)


@blp.route("/sessions/<session_id>/attendance")
class SessionAttendance(MethodView):
    """A session's attendance."""

    @roles_required("provider_staff", "trainer", "ilo_auditor", "platform_admin")
    @blp.response(200, SessionAttendanceOut)
    def get(self, session_id):
        """Read the attendance of every confirmed or completed team of a session."""
        return attendance.session_sheet(current_db(), require_principal(), current_policy(),
                                        session_id)


@blp.route("/sessions/<session_id>/close-attendance")
class CloseAttendance(MethodView):
    """Completion."""

    @roles_required("provider_staff")
    @blp.response(200, AttendanceClosedOut)
    def post(self, session_id):
        """Close a session's attendance: confirmed teams complete, by the completion rule.

        From the session's last classroom day on (catalog's ``session.completed`` does
        the same); each participant completes with enough classroom days attended.
        Closing again changes nothing.
        """
        return completion.close_attendance(current_db(), require_principal(), current_policy(),
                                           session_id)
