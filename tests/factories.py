"""Factories for tests (factory_boy), and the standard two-station world."""

from __future__ import annotations

from dataclasses import dataclass, field

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.auth.passwords import PROFILES
from app.extensions import db
from app.models.station import Station
from app.models.user import Membership, Role, User

PASSWORD = "correct horse battery"
# Hashed with the tests' cheap argon2 profile (see app.auth.passwords): logins stay fast.
PASSWORD_HASH = PROFILES["fast"].hash(PASSWORD)


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class StationFactory(Base):
    class Meta:
        model = Station

    slug = factory.Sequence(lambda n: f"station-{n}")
    name = factory.Sequence(lambda n: f"Station {n}")
    timezone = "America/New_York"
    address = "1 Main St"
    zip_code = "30313"
    phone = "+14045550100"
    email = factory.LazyAttribute(lambda o: f"{o.slug}@example.com")
    is_active = True


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    password_hash = PASSWORD_HASH
    is_active_flag = True


class MembershipFactory(Base):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    station_id = None
    role = Role.STAFF.value


def member(station: Station | None, role: Role, **user_fields) -> User:
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, station_id=station.id if station else None, role=role.value)
    db.session.flush()
    db.session.refresh(user)
    return user


@dataclass
class World:
    station: Station
    other: Station
    users: dict[str, User] = field(default_factory=dict)


def build_world() -> World:
    station = StationFactory(slug="alpha", name="Alpha")
    other = StationFactory(slug="beta", name="Beta", timezone="America/Chicago", zip_code="75201")
    world = World(station=station, other=other)
    world.users["owner"] = member(None, Role.OWNER, email="owner@example.com", name="Owner")
    for role in (Role.MANAGER, Role.STAFF, Role.CHEF):
        world.users[role.value] = member(station, role, email=f"{role.value}@example.com", name=role.value.title())
    world.users["other_manager"] = member(other, Role.MANAGER, email="other@example.com", name="Other Manager")
    world.users["other_staff"] = member(other, Role.STAFF, email="other.staff@example.com", name="Other Staff")
    return world
