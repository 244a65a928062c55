"""Two bus backends behind one interface: ``kafka`` (production) and ``local`` (embedded)."""

from __future__ import annotations

from shared.events.bus.base import Bus, BusConsumer, BusError, BusProducer, Message


def open_bus(settings) -> Bus:
    """The bus the settings name (``SCORE_BUS``)."""
    if settings.bus == "kafka":
        from shared.events.bus.kafka import KafkaBus

        return KafkaBus(settings.kafka_bootstrap, client_id=f"score-{settings.service}",
                        group_instance_id=settings.kafka_group_instance_id or None)
    from shared.events.bus.local import LocalBus

    return LocalBus(settings.local_bus_path)


__all__ = ["Bus", "BusConsumer", "BusError", "BusProducer", "Message", "open_bus"]
