#!/usr/bin/env bash
# Entry point of the SCORE Marketplace image: one image, every service, every role.
#
#   SERVICE   the service package services.<SERVICE>: identity, catalog, ... (required)
#   ROLE      api (default)  migrate, then gunicorn on PORT
#             relay          score relay: publish the outbox (one leader per database)
#             consumer       score consume: apply consumed events
#             migrate        migrate and exit (Kubernetes initContainers, one-off jobs)
#   PORT      api: the port to bind (the service's port: identity 5010, catalog 5001, ...)
#   MIGRATE   api: 1 (default) migrates before gunicorn starts; 0 skips it (Kubernetes,
#             where an initContainer has already migrated)
#   WORKERS / THREADS   gunicorn worker processes / threads per worker (default 2 / 4)
#   TIMEOUT / GRACEFUL_TIMEOUT / KEEP_ALIVE   gunicorn timeouts in seconds (30 / 25 / 5)
#   GUNICORN_CMD_ARGS   further gunicorn flags (gunicorn reads it itself)
#
# Arguments replace the role, for one-off commands with the same environment:
#   docker compose run --rm catalog-api score status catalog
set -euo pipefail

if [ "$#" -gt 0 ]; then
    exec "$@"
fi

SERVICE="${SERVICE:?SERVICE must name the service to run (identity, catalog, ...)}"
ROLE="${ROLE:-api}"
if [[ ! "$SERVICE" =~ ^[a-z][a-z0-9_]*$ ]]; then
    echo "boot.sh: SERVICE=${SERVICE@Q} is not a service package name" >&2
    exit 64
fi

# `score migrate "$SERVICE"`, made safe for many replicas starting at once:
#  - on PostgreSQL it holds an advisory lock, so concurrent starts take turns and
#    the later ones find the schema at head (without it two pods race on the same
#    DDL and one crashes);
#  - when the database is at a revision this image does not know (a newer release
#    migrated it, and this one is a rollback), it leaves the schema alone and lets
#    the service start: migrations are expand/contract, so the previous release
#    runs on the next release's schema (deploy/README.md, "Migrations").
migrate() {
    python - "$SERVICE" <<'PY'
import hashlib
import logging
import sys

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from shared.cli import main
from shared.config import load_settings
from shared.db import make_engine
from shared.logs import configure_logging
from shared.migrations import alembic_config
from shared.runtime import load_runtime

service = sys.argv[1]
runtime = load_runtime(service)
settings = load_settings(runtime.name)
configure_logging(f"{runtime.name}-migrate", settings.log_level)
log = logging.getLogger("boot.migrate")
engine = make_engine(settings.database_url)
if engine.dialect.name != "postgresql":
    engine.dispose()
    sys.exit(main(["migrate", service]))

script = ScriptDirectory.from_config(alembic_config(runtime.migrations))
known = {revision.revision for revision in script.walk_revisions()}
key = int.from_bytes(hashlib.sha256(f"migrate-{runtime.name}".encode()).digest()[:8],
                     "big", signed=True)
with engine.connect() as lock:
    log.info("waiting for the migration lock")
    lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
    lock.commit()
    try:
        current = set(MigrationContext.configure(lock).get_current_heads())
        lock.rollback()
        unknown = current - known
        if unknown:
            log.warning("database is at revision(s) this image does not know; not migrating",
                        extra={"revisions": sorted(unknown), "image_head": script.get_heads()})
            code = 0
        else:
            log.info("migrating", extra={"from": sorted(current), "to": script.get_heads()})
            code = main(["migrate", service])
    finally:
        lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        lock.commit()
engine.dispose()
sys.exit(code)
PY
}

case "$ROLE" in
    api)
        PORT="${PORT:?PORT must be set for ROLE=api (the port of the service)}"
        if [ "${MIGRATE:-1}" = "1" ]; then
            migrate
        fi
        # Access log to stdout, one line per request, with the request id the app
        # puts on every response; gunicorn's own log to stderr. Heartbeat files go to
        # /dev/shm (tmpfs) because the root filesystem is read-only.
        exec gunicorn \
            --workers "${WORKERS:-2}" \
            --threads "${THREADS:-4}" \
            --bind "0.0.0.0:${PORT}" \
            --timeout "${TIMEOUT:-30}" \
            --graceful-timeout "${GRACEFUL_TIMEOUT:-25}" \
            --keep-alive "${KEEP_ALIVE:-5}" \
            --worker-tmp-dir /dev/shm \
            --access-logfile - \
            --access-logformat '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s "%(a)s"' \
            --error-logfile - \
            "services.${SERVICE}:create_app()"
        ;;
    relay)
        exec score relay "$SERVICE"
        ;;
    consumer)
        exec score consume "$SERVICE"
        ;;
    migrate)
        migrate
        ;;
    *)
        echo "boot.sh: ROLE=${ROLE@Q} is not one of api, relay, consumer, migrate" >&2
        exit 64
        ;;
esac
