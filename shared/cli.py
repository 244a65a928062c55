"""``score`` command: run a service's relay or consumer, replay a topic, show backlog and lag.

    score relay catalog            # publish catalog's outbox until SIGTERM
    score consume catalog          # apply consumed events until SIGTERM
    score consume catalog --heartbeat /tmp/heartbeat --metrics-port 9100
    score job enrolment reaper --heartbeat /tmp/hb  # one of a service's background jobs
    score job audit reconcile --once  # one round of a job now, then exit
    score alive /tmp/heartbeat --max-age 60  # liveness probe of a relay, consumer or job
    score replay catalog --topic score.enrolment --offset 0
    score replay catalog --topic score.enrolment --since 2026-11-01T00:00:00Z
    score status catalog           # outbox backlog, consumer lag, dead letters
    score migrate catalog          # Alembic upgrade head
    score revision catalog -m "add venue"  # autogenerate a migration
    score contracts                # event snapshots, consumer expectations, asyncapi.yaml
    score serve catalog --port 5001  # development server (gunicorn in production)
    score run                      # the whole marketplace, embedded (see shared.launcher)
    score new-service enrolment --port 5002 --depends identity,catalog  # scaffold a service
    score audit verify             # a service's own command (ServiceRuntime.commands)
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import signal
import sys
import threading

from sqlalchemy import func, select

from shared.config import Settings, load_settings, project_root
from shared.db import Database
from shared.events.bus import open_bus
from shared.events.consumer import ConsumerRunner
from shared.events.link import BusLink, LinkMetrics
from shared.events.outbox import backlog
from shared.events.relay import Relay
from shared.events.tables import dead_letters
from shared.heartbeat import Heartbeat
from shared.logs import configure_logging
from shared.runtime import ServiceRuntime, discover_runtimes, load_runtime


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def _interrupt_on_sigterm() -> None:
    """SIGTERM ends the process as Ctrl-C does (``KeyboardInterrupt``), so cleanup runs."""
    def interrupt(*_args) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _link(role: str, args) -> BusLink:
    """The worker's bus link; its metrics on ``--metrics-port`` if one is given."""
    metrics = LinkMetrics()
    if args.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(args.metrics_port, registry=metrics.registry)
    return BusLink(role, metrics)


def _context(name: str) -> tuple[ServiceRuntime, Settings, Database]:
    runtime = load_runtime(name)
    settings = load_settings(runtime.name)
    configure_logging(f"{runtime.name}-cli", settings.log_level)
    # No ping before each pooled connection is used: the relay and the consumer retry
    # a failed statement anyway, and the ping would cost a round trip per event.
    return runtime, settings, runtime.database(settings.database_url, pool_pre_ping=False)


def cmd_relay(args) -> int:
    """Run the outbox relay in the foreground."""
    runtime, settings, db = _context(args.service)
    stop = _stop_on_signals()
    Relay(db, open_bus(settings), runtime.name, poll_ms=settings.relay_poll_ms,
          batch_size=settings.relay_batch_size, topics=runtime.events.topics,
          link=_link("relay", args), heartbeat=Heartbeat(args.heartbeat)).run(stop)
    return 0


def _runner(runtime, settings, db, **kwargs) -> ConsumerRunner:
    if runtime.handlers is None:
        raise SystemExit(f"{runtime.name} consumes no events")
    return ConsumerRunner(db, open_bus(settings), runtime.group_for(settings),
                          runtime.handlers,
                          max_attempts=settings.consumer_max_attempts,
                          backoff_ms=settings.consumer_backoff_ms, **kwargs)


def cmd_consume(args) -> int:
    """Run the event consumer in the foreground."""
    runtime, settings, db = _context(args.service)
    stop = _stop_on_signals()
    _runner(runtime, settings, db, link=_link("consumer", args),
            heartbeat=Heartbeat(args.heartbeat)).run(stop)
    return 0


def cmd_job(args) -> int:
    """Run one of the service's background jobs in the foreground."""
    from shared.jobs import JobContext

    runtime, settings, db = _context(args.service)
    jobs = {job.name: job for job in runtime.jobs}
    if args.job not in jobs:
        raise SystemExit(f"{runtime.name} has no job {args.job!r} "
                         f"(it has: {', '.join(jobs) or 'none'})")
    context = JobContext(settings, db, open_bus(settings), Heartbeat(args.heartbeat))
    job = jobs[args.job].build(context)
    if args.once:
        # One round in this process, beside whichever process leads the job: rounds
        # are bounded and idempotent, so an operator's extra one does no harm.
        print(json.dumps({"service": runtime.name, "job": args.job, "handled": job.tick()}))
        return 0
    job.run(_stop_on_signals())
    return 0


def cmd_alive(args) -> int:
    """Exit 0 if a relay's or consumer's heartbeat file is fresh (a liveness probe)."""
    from shared import heartbeat

    return heartbeat.main([args.file, "--max-age", str(args.max_age)])


def cmd_replay(args) -> int:
    """Re-apply a topic's records from an offset or time (the inbox skips ones already applied)."""
    runtime, settings, db = _context(args.service)
    runner = _runner(runtime, settings, db)
    if args.since:
        since = dt.datetime.fromisoformat(args.since.replace("Z", "+00:00"))
        start: int | str = f"ts:{int(since.timestamp() * 1000)}"
    else:
        start = args.offset
    consumer = runner.bus.consumer(f"{runtime.group_for(settings)}-replay", [args.topic],
                                   start={args.topic: start})
    stop, idle = _stop_on_signals(), 0
    try:
        while not stop.is_set() and idle < 3:
            batch = consumer.poll(timeout_ms=500, max_records=500)
            idle = 0 if batch else idle + 1
            for message in batch:
                runner.process(message, stop)
    finally:
        consumer.close()
    print(json.dumps(runner.stats))
    return 0


def cmd_status(args) -> int:
    """Print outbox backlog, consumer lag and dead-letter count as JSON."""
    runtime, settings, db = _context(args.service)
    with db.reading() as session:
        report = {"service": runtime.name, "outbox_backlog": backlog(session),
                  "dead_letters": session.scalar(select(func.count()).select_from(dead_letters))}
    if runtime.handlers is not None:
        report["consumer_lag"] = open_bus(settings).lag(runtime.group_for(settings),
                                                        runtime.handlers.topics)
    print(json.dumps(report))
    return 0


def cmd_migrate(args) -> int:
    """Upgrade the service's database to the newest migration."""
    runtime, _settings, db = _context(args.service)
    db.migrate(runtime.migrations)
    return 0


def cmd_revision(args) -> int:
    """Autogenerate a migration by diffing the models against a scratch database at head."""
    import tempfile

    from alembic import command

    from shared.migrations import alembic_config

    runtime = load_runtime(args.service)
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/scratch.db"
        db = Database(url)
        db.migrate(runtime.migrations)
        cfg = alembic_config(runtime.migrations)
        with db.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.revision(cfg, message=args.message, autogenerate=True)
    return 0


def cmd_contracts(args) -> int:
    """Refresh contracts/: event schema snapshots, consumer expectations, AsyncAPI document."""
    from shared.events.contracts import CONTRACTS_DIR, asyncapi_yaml, write_snapshots
    from shared.events.expectations import write_expectations

    runtimes = discover_runtimes()
    write_snapshots(runtimes)
    write_expectations(runtimes)
    (CONTRACTS_DIR / "asyncapi.yaml").write_text(asyncapi_yaml(runtimes))
    print(f"wrote {CONTRACTS_DIR}")
    return 0


def cmd_serve(args) -> int:
    """Development server (werkzeug); production uses gunicorn. SIGTERM stops it cleanly."""
    from werkzeug.serving import make_server

    from shared.web import create_service_app

    runtime = load_runtime(args.service)
    app = create_service_app(runtime)
    # --fd: serve on a socket the launcher bound (and holds the port of) for us.
    server = make_server(args.host, args.port, app, threaded=True, fd=args.fd)
    print(f" * {runtime.name} serving on http://{args.host}:{args.port}", file=sys.stderr,
          flush=True)
    _interrupt_on_sigterm()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        workers = app.extensions.get("score_workers")
        if workers is not None:
            workers.stop()
    return 0


def cmd_run(args) -> int:
    """Start the whole marketplace on the embedded default."""
    from shared.launcher import run_all

    return run_all(seed=not args.no_seed)


def cmd_new_service(args) -> int:
    """Generate a service with the standard shape, its tests and its deploy entries."""
    from pathlib import Path

    from shared.config import ConfigError
    from shared.scaffold import NewService, new_service

    depends = tuple(name.strip() for name in args.depends.split(",") if name.strip())
    spec = NewService(args.name, args.port, depends, **(
        {"description": args.description} if args.description else {}))
    root = Path(args.root)
    try:
        written = new_service(spec, root, deploy=not args.no_deploy)
    except ConfigError as exc:
        print(f"score new-service: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"  wrote {path.relative_to(root)}")
    print(f"\n{args.name} is ready: make test runs its shape and smoke tests. Next steps: "
          "the checklist in docs/SERVICE_GUIDE.md.")
    return 0


def _service_with_commands(name: str | None) -> ServiceRuntime | None:
    """The runtime of service ``name`` if it has commands of its own (else None)."""
    if not name or not name.isidentifier() or importlib.util.find_spec("services") is None \
            or importlib.util.find_spec(f"services.{name}") is None:
        return None
    runtime = load_runtime(name)
    return runtime if runtime.commands else None


def _mount_commands(sub, runtime: ServiceRuntime) -> None:
    """``score <service> <command>`` for each of ``runtime.commands``."""
    from shared.commands import CommandContext

    service = sub.add_parser(runtime.name, help=f"{runtime.name}'s own commands")
    commands = service.add_subparsers(dest="service_command", required=True)
    for command in runtime.commands:
        p = commands.add_parser(command.name, help=command.help, description=command.help)
        if command.arguments is not None:
            command.arguments(p)

        def run(args, command=command) -> int:
            return command.run(CommandContext(*_context(runtime.name)), args)

        p.set_defaults(fn=run)


def build_parser(service: ServiceRuntime | None = None) -> argparse.ArgumentParser:
    """The ``score`` argument parser (with ``service``'s own commands, if given)."""
    parser = argparse.ArgumentParser(prog="score", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    if service is not None:
        _mount_commands(sub, service)
    for name, fn in (("relay", cmd_relay), ("consume", cmd_consume), ("status", cmd_status),
                     ("migrate", cmd_migrate)):
        p = sub.add_parser(name, help=fn.__doc__)
        p.add_argument("service")
        p.set_defaults(fn=fn)
        if fn in (cmd_relay, cmd_consume):
            p.add_argument("--heartbeat", metavar="FILE",
                           help="touch FILE on every turn of the loop (see `score alive`)")
            p.add_argument("--metrics-port", type=int, default=0, metavar="PORT",
                           help="serve Prometheus metrics on PORT (default: none)")
    p = sub.add_parser("job", help=cmd_job.__doc__)
    p.add_argument("service")
    p.add_argument("job", help="the job's name (ServiceRuntime.jobs)")
    p.add_argument("--heartbeat", metavar="FILE",
                   help="touch FILE on every round (see `score alive`)")
    p.add_argument("--once", action="store_true",
                   help="run one round now and exit (prints how many items it handled)")
    p.set_defaults(fn=cmd_job)
    p = sub.add_parser("alive", help=cmd_alive.__doc__)
    p.add_argument("file")
    p.add_argument("--max-age", type=float, default=60.0, metavar="SECONDS")
    p.set_defaults(fn=cmd_alive)
    p = sub.add_parser("replay", help=cmd_replay.__doc__)
    p.add_argument("service")
    p.add_argument("--topic", required=True)
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--offset", type=int)
    where.add_argument("--since", help="ISO 8601 time")
    p.set_defaults(fn=cmd_replay)
    p = sub.add_parser("revision", help=cmd_revision.__doc__)
    p.add_argument("service")
    p.add_argument("-m", "--message", required=True)
    p.set_defaults(fn=cmd_revision)
    p = sub.add_parser("contracts", help=cmd_contracts.__doc__)
    p.set_defaults(fn=cmd_contracts)
    p = sub.add_parser("serve", help=cmd_serve.__doc__)
    p.add_argument("service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--fd", type=int, help="serve on this inherited listening socket")
    p.set_defaults(fn=cmd_serve)
    p = sub.add_parser("new-service", help=cmd_new_service.__doc__)
    p.add_argument("name", help="lower-case letters and digits, e.g. enrolment")
    p.add_argument("--port", type=int, required=True, help="its development and deploy port")
    p.add_argument("--depends", default="",
                   help="services it starts and seeds after, comma-separated")
    p.add_argument("--description", help="what it owns, one sentence")
    p.add_argument("--root", default=str(project_root()), help="the checkout (default: this one)")
    p.add_argument("--no-deploy", action="store_true", help="leave deploy/ and compose alone")
    p.set_defaults(fn=cmd_new_service)
    p = sub.add_parser("run", help=cmd_run.__doc__)
    p.add_argument("--no-seed", action="store_true")
    p.set_defaults(fn=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``score`` command."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(_service_with_commands(argv[0] if argv else None)).parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
