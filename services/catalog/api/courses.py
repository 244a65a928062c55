"""``/providers/<id>/courses`` and ``/courses/<id>``: a provider's course offerings."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from services.catalog import service
from services.catalog.api import AUTH
from services.catalog.queries import CourseListArgs
from services.catalog.schemas import CourseIn, CourseList, CourseOut, CoursePatch
from shared.auth import current_principal, require_principal, roles_required
from shared.idempotency import idempotent
from shared.web import current_db

blp = Blueprint("courses", __name__, description="Courses: a provider's offering of a module.")


@blp.route("/providers/<provider_id>/courses")
class ProviderCourses(MethodView):
    """A provider's courses."""

    @blp.arguments(CourseListArgs, location="query", unknown=RAISE)
    @blp.response(200, CourseList)
    def get(self, args, provider_id):
        """List a provider's courses (drafts: its staff, auditors and admins)."""
        return {"items": service.list_courses(current_db(), current_principal(), provider_id,
                                              args.get("status"))}

    @roles_required("provider_staff")
    @idempotent(blp)
    @blp.arguments(CourseIn)
    @blp.response(201, CourseOut)
    @blp.doc(**AUTH)
    def post(self, data, provider_id):
        """Create a draft course of the caller's provider."""
        return service.create_course(current_db(), require_principal(), provider_id, data)


@blp.route("/courses/<course_id>")
class CourseItem(MethodView):
    """One course."""

    @blp.response(200, CourseOut)
    def get(self, course_id):
        """Read a course (drafts: its provider's staff, auditors and admins)."""
        return service.get_course(current_db(), current_principal(), course_id)

    @roles_required("provider_staff")
    @blp.arguments(CoursePatch)
    @blp.response(200, CourseOut)
    @blp.doc(**AUTH)
    def patch(self, changes, course_id):
        """Edit a draft or published course (sessions keep their frozen price)."""
        return service.update_course(current_db(), require_principal(), course_id, changes)


@blp.route("/courses/<course_id>/publish")
class PublishCourse(MethodView):
    """Publication."""

    @roles_required("provider_staff")
    @blp.response(200, CourseOut)
    @blp.doc(**AUTH)
    def post(self, course_id):
        """Publish a draft course (approved providers only)."""
        return service.publish_course(current_db(), require_principal(), course_id)


@blp.route("/courses/<course_id>/archive")
class ArchiveCourse(MethodView):
    """Archival."""

    @roles_required("provider_staff")
    @blp.response(200, CourseOut)
    @blp.doc(**AUTH)
    def post(self, course_id):
        """Archive a course: no new sessions; published ones run on."""
        return service.archive_course(current_db(), require_principal(), course_id)
