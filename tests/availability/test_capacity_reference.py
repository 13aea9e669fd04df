"""capacities() (plain rows, chefs per weekday computed once) agrees with the rule as written.

The reference below is the rule of app/availability/services.py's docstring applied day by
day and slot by slot over ORM objects, as the first version of capacities() did; random
windows, time off (approved or not, some of inactive chefs), blackouts and slot settings
must give the same capacity in every (date, slot).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.availability.services import capacities, parse_hhmm
from app.extensions import db
from app.models.chef import AvailabilityWindow, Blackout, Chef, TimeOff
from app.models.station import Station


def reference_capacities(station: Station, first: date, last: date) -> dict[tuple[date, str], int]:
    settings = station.settings
    windows = db.session.scalars(select(AvailabilityWindow).where(AvailabilityWindow.station_id == station.id)).all()
    active = {
        chef.id for chef in db.session.scalars(select(Chef).where(Chef.station_id == station.id)) if chef.is_active
    }
    time_off = db.session.scalars(select(TimeOff).where(TimeOff.station_id == station.id)).all()
    blackouts = {b.day for b in db.session.scalars(select(Blackout).where(Blackout.station_id == station.id))}
    result = {}
    day = first
    while day <= last:
        away = {t.chef_id for t in time_off if t.status == "approved" and t.first_day <= day <= t.last_day}
        for slot in settings.slot_times:
            start = datetime.combine(day, parse_hhmm(slot))
            end = start + timedelta(minutes=settings.slot_duration_minutes)
            if day in blackouts or end.date() != day:
                result[(day, slot)] = 0
                continue
            result[(day, slot)] = len(
                {
                    w.chef_id
                    for w in windows
                    if w.chef_id in active
                    and w.chef_id not in away
                    and w.weekday == day.weekday()
                    and w.starts <= start.time()
                    and end.time() <= w.ends
                }
            )
        day += timedelta(days=1)
    return result


def _random_time(rng: random.Random, low: int, high: int) -> time:
    minutes = rng.randrange(low * 60, high * 60, 30)
    return time(minutes // 60, minutes % 60)


def test_capacities_match_the_reference_on_random_stations(app, world):
    rng = random.Random(14)
    with app.test_request_context():
        station = db.session.merge(world.station)
        first = date.today() + timedelta(days=3)
        nonzero = 0
        for round_ in range(6):
            db.session.query(TimeOff).filter_by(station_id=station.id).delete()
            db.session.query(Blackout).filter_by(station_id=station.id).delete()
            db.session.query(AvailabilityWindow).filter_by(station_id=station.id).delete()
            db.session.query(Chef).filter_by(station_id=station.id).update({"is_active": False})  # earlier rounds'
            station.settings_overrides = {
                "slot_times": sorted(
                    rng.sample(["10:00", "12:00", "15:00", "18:00", "20:30", "22:00"], rng.randint(1, 4))
                ),
                "slot_duration_minutes": rng.choice([90, 150, 180, 240]),
            }
            for n in range(rng.randint(0, 9)):
                chef = Chef(station_id=station.id, name=f"Chef {round_}-{n}", is_active=rng.random() > 0.2)
                db.session.add(chef)
                db.session.flush()
                for weekday in rng.sample(range(7), rng.randint(0, 7)):
                    for _ in range(rng.choice([1, 1, 2])):  # sometimes two windows the same day
                        starts = _random_time(rng, 8, 16)
                        ends = _random_time(rng, 16, 24) if rng.random() > 0.2 else time(23, 59)
                        db.session.add(
                            AvailabilityWindow(
                                station_id=station.id, chef_id=chef.id, weekday=weekday, starts=starts, ends=ends
                            )
                        )
                for _ in range(rng.randint(0, 3)):
                    start = first + timedelta(days=rng.randint(-5, 40))
                    db.session.add(
                        TimeOff(
                            station_id=station.id,
                            chef_id=chef.id,
                            first_day=start,
                            last_day=start + timedelta(days=rng.randint(0, 6)),
                            status=rng.choice(["approved", "approved", "requested", "rejected"]),
                        )
                    )
            for day in {first + timedelta(days=rng.randint(0, 40)) for _ in range(rng.randint(0, 4))}:
                db.session.add(Blackout(station_id=station.id, day=day, reason="closed"))
            db.session.flush()
            last = first + timedelta(days=rng.randint(0, 40))
            expected = reference_capacities(station, first, last)
            assert capacities(station, first, last) == expected
            nonzero += sum(1 for capacity in expected.values() if capacity)
        assert nonzero > 50  # the draw is not all closed days
