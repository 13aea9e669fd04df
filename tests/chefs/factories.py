"""Factories for chefs, their weekly windows, time off and blackout dates."""

from __future__ import annotations

from datetime import time

import factory

from app.extensions import db
from app.models.chef import AvailabilityWindow, Blackout, Chef, TimeOff
from tests.factories import Base


class ChefFactory(Base):
    class Meta:
        model = Chef

    station_id = None  # required: pass the station's id
    name = factory.Sequence(lambda n: f"Chef {n:03d}")
    phone = ""
    email = ""
    is_active = True


class WindowFactory(Base):
    class Meta:
        model = AvailabilityWindow

    chef = None  # required: pass a Chef
    station_id = factory.LazyAttribute(lambda o: o.chef.station_id)
    weekday = 0
    starts = time(11, 0)
    ends = time(23, 59)


class TimeOffFactory(Base):
    class Meta:
        model = TimeOff

    chef = None  # required: pass a Chef
    station_id = factory.LazyAttribute(lambda o: o.chef.station_id)
    reason = "Family"
    status = "requested"


class BlackoutFactory(Base):
    class Meta:
        model = Blackout

    station_id = None
    reason = "Holiday"


def working_chef(station, **fields) -> Chef:
    """A chef whose windows cover every slot of every day."""
    chef = ChefFactory(station_id=station.id, **fields)
    for weekday in range(7):
        WindowFactory(chef=chef, weekday=weekday)
    db.session.flush()
    return chef
