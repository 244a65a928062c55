#!/usr/bin/env bash
# Entry point of the SCORE Marketplace image: one image, every service, every role.
#
#   SERVICE   the service package services.<SERVICE>: identity, catalog, ... (required)
#   ROLE      api (default)  migrate, then gunicorn on PORT
#             relay          score relay: publish the outbox (one leader per database)
#             consumer       score consume: apply consumed events
#             job            score job: the service's background job JOB (one leader per
#                            database, e.g. enrolment's reaper)
#             migrate        migrate and exit (Kubernetes initContainers, one-off jobs)
#   PORT      api: the port to bind (the service's port: identity 5010, catalog 5001, ...)
#   MIGRATE   api: 1 (default) migrates before gunicorn starts; 0 skips it (Kubernetes,
#             where an initContainer has already migrated)
#   WORKERS / THREADS   gunicorn worker processes / threads per worker (default 2 / 4)
#   TIMEOUT / GRACEFUL_TIMEOUT / KEEP_ALIVE   gunicorn timeouts in seconds (30 / 25 / 5)
#   GUNICORN_CMD_ARGS   further gunicorn flags (gunicorn reads it itself)
#   JOB       job: the job's name (ServiceRuntime.jobs; `score job <service> <name>`)
#   HEARTBEAT     relay/consumer/job: the file their loop touches on every turn, the liveness
#                 signal (`python -m shared.heartbeat "$HEARTBEAT"`); default /tmp/heartbeat
#   METRICS_PORT  relay/consumer: where they serve Prometheus metrics; default 9100
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

# `score migrate` is safe with many replicas starting at once (an advisory lock on
# PostgreSQL) and on a rollback (a database ahead of this image is left alone):
# see shared/migrations.py.
migrate() {
    score migrate "$SERVICE"
}

case "$ROLE" in
    api)
        PORT="${PORT:?PORT must be set for ROLE=api (the port of the service)}"
        if [ "${MIGRATE:-1}" = "1" ]; then
            migrate
        fi
        # Access log to stdout, one line per request, with the request id the app
        # puts on every response; gunicorn's own log to stderr. Heartbeat files go to
        # /dev/shm (tmpfs) because the root filesystem is read-only. The config module
        # keeps gunicorn from announcing itself in a Server header.
        exec gunicorn \
            --config python:shared.gunicorn_config \
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
        exec score relay "$SERVICE" --heartbeat "${HEARTBEAT:-/tmp/heartbeat}" \
            --metrics-port "${METRICS_PORT:-9100}"
        ;;
    consumer)
        exec score consume "$SERVICE" --heartbeat "${HEARTBEAT:-/tmp/heartbeat}" \
            --metrics-port "${METRICS_PORT:-9100}"
        ;;
    job)
        JOB="${JOB:?JOB must name the job for ROLE=job (e.g. reaper)}"
        exec score job "$SERVICE" "$JOB" --heartbeat "${HEARTBEAT:-/tmp/heartbeat}"
        ;;
    migrate)
        migrate
        ;;
    *)
        echo "boot.sh: ROLE=${ROLE@Q} is not one of api, relay, consumer, job, migrate" >&2
        exit 64
        ;;
esac
