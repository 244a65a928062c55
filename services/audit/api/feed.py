"""``/entries``: the log read back – pages, exports, a live tail; ``/ingest/status``.

Who reads what is :mod:`services.audit.access`: the ILO, admins and services
read every entry, provider staff their provider's (the filters narrow within
that). The export and the tail stream from short reads, never one long
transaction; both resume at a ``seq`` like the pages do.
"""

from __future__ import annotations

from flask import Response, current_app, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint

from services.audit.access import READERS
from services.audit.api import AUTH
from services.audit.feed import formats, query
from services.audit.feed.heads import covering, latest_tree_head
from services.audit.feed.status import ingest_status
from services.audit.feed.tail import tail
from services.audit.schemas.feed import (
    EntryListArgs,
    EntryPage,
    ExportArgs,
    FilterArgs,
    IngestStatusOut,
    TailHeaders,
)
from shared.auth import require_principal, roles_required
from shared.errors import TooManyRequests
from shared.web import current_db, json_response

blp = Blueprint("feed", __name__, description="The audit log's entries: pages, NDJSON and "
                "CSV exports, a live Server-Sent Events tail, and the ingest's status.")

# Who may see the ingest's status (counts over the whole market).
MARKET_READERS = ("ilo_auditor", "platform_admin", "service")
TEXT = {"schema": {"type": "string"}}
EXPORT = ("format=ndjson (application/x-ndjson): one verbatim CloudEvent per line; format=csv "
          f"(text/csv): a header row, then a row per entry ({', '.join(formats.COLUMNS)}; "
          "the event verbatim)")


@blp.route("/entries")
class Entries(MethodView):
    """The log's entries the caller may read."""

    @roles_required(*READERS)
    @blp.arguments(EntryListArgs, location="query")
    @blp.response(200, EntryPage)
    @blp.doc(**AUTH)
    def get(self, args):
        """A page of entries in log order (seq ascending), with a tree head to verify them.

        Resume with the page's next_cursor, or with after = the last seq seen. ILO
        auditors, admins and services read every entry, provider staff their provider's.
        """
        principal = require_principal()
        with current_db().reading() as session:
            found = query.page(session, args, principal)
            head = latest_tree_head(session)
        last = found["items"][-1]["seq"] if found["items"] else None
        return json_response({**found, "tree_head": _head_json(covering(head, last))})


def _head_json(head: dict | None) -> dict | None:
    """A head as ``TreeHeadOut`` dumps it (its time as ISO 8601 text)."""
    return head and {**head, "signed_at": head["signed_at"].isoformat()}


@blp.route("/entries/export")
class Export(MethodView):
    """The matching entries as one download."""

    @roles_required(*READERS)
    @blp.arguments(ExportArgs, location="query")
    @blp.alt_response(200, description=EXPORT, content_type=formats.NDJSON, success=True,
                      **TEXT)
    @blp.alt_response(200, description=EXPORT, content_type=formats.CSV, success=True, **TEXT)
    @blp.doc(operationId="get_entries_export", **AUTH)
    def get(self, args):
        """Every matching entry up to the log's end when the export began, streamed.

        Same filters and slice as the pages; after resumes a broken download. NDJSON
        lines are the events' verbatim bytes (their Merkle leaves).
        """
        db, principal = current_db(), require_principal()
        with db.reading() as session:
            upto = query.log_end(session)

        def ndjson():
            for rows in query.chunks(db, args, principal, upto):
                yield b"".join(formats.ndjson_line(entry) for entry in rows)

        def csv():
            yield formats.csv_header()
            for rows in query.chunks(db, args, principal, upto):
                yield "".join(formats.csv_row(entry) for entry in rows)

        kind = args["format"]
        body, mimetype = (ndjson, formats.NDJSON) if kind == "ndjson" else (csv, formats.CSV)
        response = Response(stream_with_context(body()), mimetype=mimetype)
        response.headers["Content-Disposition"] = (
            f'attachment; filename="audit-entries-to-{upto}.{kind}"')
        return response


@blp.route("/entries/tail")
class Tail(MethodView):
    """New entries as they are logged."""

    @roles_required(*READERS)
    @blp.arguments(FilterArgs, location="query")
    @blp.arguments(TailHeaders, location="headers")
    @blp.alt_response(200, description="Server-Sent Events: `entry` events (id: the seq; "
                      "data: the verbatim CloudEvent), heartbeat comments when quiet; the "
                      "stream ends after SCORE_AUDIT_TAIL_LIFETIME_S (default 300 s): "
                      "reconnect with Last-Event-ID", content_type=formats.EVENT_STREAM,
                      success=True, **TEXT)
    @blp.doc(operationId="get_entries_tail", **AUTH)
    def get(self, args, headers):
        """Follow the log live (Server-Sent Events), from after or Last-Event-ID.

        Sends the matching entries after the starting seq, then each new one as it is
        logged; heartbeat comments keep a quiet connection open. Each connection lives
        a bounded time (it holds a server thread); EventSource reconnects by itself.
        When every tail this server allows is open: 429 with Retry-After.
        """
        principal = require_principal()
        if "last_event_id" in headers:
            args = {**args, "after": headers["last_event_id"]}
        limits = current_app.extensions["audit_tail_settings"]
        slots = current_app.extensions["audit_tail_slots"]
        if not slots.take():
            raise TooManyRequests("every live tail of this server is taken",
                                  retry_after=max(1, round(limits.lifetime_s / 10)))
        response = Response(stream_with_context(tail(current_db(), args, principal, limits)),
                            mimetype=formats.EVENT_STREAM)
        response.call_on_close(slots.give_back)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Accel-Buffering"] = "no"  # proxies pass each event at once
        return response


@blp.route("/ingest/status")
class Status(MethodView):
    """The ingest's progress."""

    @roles_required(*MARKET_READERS)
    @blp.response(200, IngestStatusOut)
    @blp.doc(operationId="get_ingest_status", **AUTH)
    def get(self):
        """Entries logged, duplicates absorbed, records refused; each topic's newest entry.

        ILO auditors, admins and services.
        """
        with current_db().reading() as session:
            return ingest_status(session)
