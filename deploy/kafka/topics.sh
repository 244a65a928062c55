#!/bin/sh
# Creates the SCORE Marketplace topics and brings their settings to what is written here.
# Safe to run again and again (every deploy): existing topics are kept, their settings
# (retention, min.insync.replicas) reconciled, their partition count never changed.
# Why the values are what they are: deploy/kafka/README.md.
#
#   BOOTSTRAP            brokers (default kafka:9092)
#   PARTITIONS           partitions of a new event topic (default 6; never raised later,
#                        since that would move keys to other partitions and break ordering)
#   REPLICATION_FACTOR   replicas of a new topic (default 3; 1 for a single broker)
#   MIN_INSYNC_REPLICAS  replicas that must have a record before it is acknowledged
#                        (default 2; producers use acks=all; must be <= REPLICATION_FACTOR)
#   COMMAND_CONFIG       optional client properties file for TLS/SASL, passed to the tools
#   KAFKA_BIN            directory with kafka-topics.sh and kafka-configs.sh
#                        (default /opt/kafka/bin, as in the apache/kafka image)
#   WAIT_SECONDS         how long to wait for the brokers to answer (default 120)
#
# POSIX sh, so it also runs in images without bash.
set -eu

BOOTSTRAP="${BOOTSTRAP:-kafka:9092}"
PARTITIONS="${PARTITIONS:-6}"
REPLICATION_FACTOR="${REPLICATION_FACTOR:-3}"
MIN_INSYNC_REPLICAS="${MIN_INSYNC_REPLICAS:-2}"
KAFKA_BIN="${KAFKA_BIN:-/opt/kafka/bin}"
WAIT_SECONDS="${WAIT_SECONDS:-120}"
DLQ_PARTITIONS=1

DAY_MS=86400000
FOREVER=-1

# Event topics, one per publishing service: topic and retention (ms).
EVENT_TOPICS="
score.identity       $((30 * DAY_MS))
score.catalog        $((90 * DAY_MS))
score.enrolment      $((400 * DAY_MS))
score.sponsorship    $((400 * DAY_MS))
score.certification  $((400 * DAY_MS))
score.audit          $FOREVER
"

# Dead-letter topics, <topic>.dlq.<consumer group>, one for each topic a service consumes
# (group score-<service>). Add one here whenever a service starts consuming a topic:
# tests/deploy/test_manifests.py compares this list with the services' handlers.
DLQ_TOPICS="
score.catalog.dlq.score-identity
score.catalog.dlq.score-enrolment
score.catalog.dlq.score-sponsorship
score.catalog.dlq.score-certification
score.certification.dlq.score-catalog
score.certification.dlq.score-identity
score.enrolment.dlq.score-catalog
score.enrolment.dlq.score-identity
score.enrolment.dlq.score-sponsorship
score.enrolment.dlq.score-certification
score.sponsorship.dlq.score-identity
"

log() {
    echo "topics.sh: $*" >&2
}

# kafka_tool TOOL ARGS... runs a Kafka CLI tool against BOOTSTRAP.
kafka_tool() {
    tool="$1"
    shift
    if [ -n "${COMMAND_CONFIG:-}" ]; then
        "$KAFKA_BIN/$tool" --bootstrap-server "$BOOTSTRAP" --command-config "$COMMAND_CONFIG" "$@"
    else
        "$KAFKA_BIN/$tool" --bootstrap-server "$BOOTSTRAP" "$@"
    fi
}

# retention_of TOPIC prints the retention of an event topic.
retention_of() {
    echo "$EVENT_TOPICS" | awk -v topic="$1" '$1 == topic { print $2 }'
}

# ensure_topic TOPIC PARTITIONS RETENTION_MS creates TOPIC if missing, then sets its configs.
ensure_topic() {
    settings="cleanup.policy=delete,min.insync.replicas=$MIN_INSYNC_REPLICAS,retention.ms=$3"
    kafka_tool kafka-topics.sh --create --if-not-exists --topic "$1" \
        --partitions "$2" --replication-factor "$REPLICATION_FACTOR" \
        --config cleanup.policy=delete \
        --config "min.insync.replicas=$MIN_INSYNC_REPLICAS" \
        --config "retention.ms=$3"
    kafka_tool kafka-configs.sh --alter --entity-type topics --entity-name "$1" \
        --add-config "$settings" > /dev/null
    log "$1: partitions $2 (if new), retention.ms=$3, min.insync.replicas=$MIN_INSYNC_REPLICAS"
}

if [ "$MIN_INSYNC_REPLICAS" -gt "$REPLICATION_FACTOR" ]; then
    log "MIN_INSYNC_REPLICAS=$MIN_INSYNC_REPLICAS exceeds REPLICATION_FACTOR=$REPLICATION_FACTOR:" \
        "no write could ever be acknowledged"
    exit 64
fi

log "waiting for $BOOTSTRAP"
waited=0
until kafka_tool kafka-topics.sh --list > /dev/null 2>&1; do
    if [ "$waited" -ge "$WAIT_SECONDS" ]; then
        log "no answer from $BOOTSTRAP after ${WAIT_SECONDS}s"
        exit 69
    fi
    sleep 5
    waited=$((waited + 5))
done

echo "$EVENT_TOPICS" | while read -r topic retention; do
    [ -n "$topic" ] || continue
    ensure_topic "$topic" "$PARTITIONS" "$retention"
done

# A dead letter's payload lives only in its DLQ topic (the dead_letters table keeps
# topic, partition, offset and error), so it is kept as long as the source topic,
# and at least 90 days: time for someone to look at it.
for dlq in $DLQ_TOPICS; do
    source_retention="$(retention_of "${dlq%%.dlq.*}")"
    if [ -z "$source_retention" ]; then
        log "$dlq: its source topic ${dlq%%.dlq.*} is not an event topic above"
        exit 65
    fi
    if [ "$source_retention" -ne "$FOREVER" ] && [ "$source_retention" -lt $((90 * DAY_MS)) ]; then
        source_retention=$((90 * DAY_MS))
    fi
    ensure_topic "$dlq" "$DLQ_PARTITIONS" "$source_retention"
done

# Partition counts are never changed by this script; say so when they differ.
kafka_tool kafka-topics.sh --describe --topic 'score\..*' \
    | awk -v want="$PARTITIONS" '
        /PartitionCount/ {
            for (i = 1; i <= NF; i++) {
                if ($i == "Topic:") topic = $(i + 1)
                if ($i == "PartitionCount:") count = $(i + 1)
            }
            if (topic !~ /\.dlq\./ && count != want)
                printf "topics.sh: %s has %s partitions, not %s (left as it is)\n", topic, count, want > "/dev/stderr"
        }'
log "done"
