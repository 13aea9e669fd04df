"""Demo data for `make run`: stations, one user of every role, sample data.

Idempotent: running it twice leaves one copy. Areas add their sample rows through
`DEMO_SEEDERS` so this module stays small.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from app.auth.passwords import hash_password
from app.extensions import db
from app.models.station import Station
from app.models.user import Membership, Role, User

DEMO_PASSWORD = "teppan-demo-2026"

STATIONS = [
    {
        "slug": "atlanta",
        "name": "Atlanta",
        "timezone": "America/New_York",
        "address": "275 Baker St NW, Atlanta, GA",
        "zip_code": "30313",
        "phone": "+14045550100",
        "email": "atlanta@teppan.example",
    },
    {
        "slug": "dallas",
        "name": "Dallas",
        "timezone": "America/Chicago",
        "address": "1500 Marilla St, Dallas, TX",
        "zip_code": "75201",
        "phone": "+12145550100",
        "email": "dallas@teppan.example",
    },
    {
        "slug": "phoenix",
        "name": "Phoenix",
        "timezone": "America/Phoenix",
        "address": "200 W Washington St, Phoenix, AZ",
        "zip_code": "85003",
        "phone": "+16025550100",
        "email": "phoenix@teppan.example",
    },
]

# (email, name, role, station slug or None)
USERS = [
    ("owner@teppan.example", "Olivia Owner", Role.OWNER, None),
    ("manager@teppan.example", "Marcus Manager", Role.MANAGER, "atlanta"),
    ("staff@teppan.example", "Sofia Staff", Role.STAFF, "atlanta"),
    ("chef@teppan.example", "Kenji Chef", Role.CHEF, "atlanta"),
    ("chef2@teppan.example", "Hana Chef", Role.CHEF, "atlanta"),
    ("dallas.manager@teppan.example", "Diego Manager", Role.MANAGER, "dallas"),
    ("dallas.chef@teppan.example", "Riku Chef", Role.CHEF, "dallas"),
    ("phoenix.manager@teppan.example", "Paula Manager", Role.MANAGER, "phoenix"),
]

Seeder = Callable[[dict[str, Station], dict[str, User]], None]
# Areas append their seeders; they run by `seeder.demo_order` (default 50, lower first),
# so data others build on (chefs and bookings: 10) exists whatever the import order.
DEMO_SEEDERS: list[Seeder] = []
DEFAULT_ORDER = 50


def _station(data: dict) -> Station:
    station = db.session.scalar(select(Station).where(Station.slug == data["slug"]))
    if station is None:
        station = Station(**data)
        db.session.add(station)
        db.session.flush()
    return station


def _user(email: str, name: str, role: Role, station: Station | None, password_hash: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=password_hash)
        db.session.add(user)
        db.session.flush()
    station_id = station.id if station else None
    if not any(m.station_id == station_id for m in user.memberships):
        db.session.add(Membership(user=user, station_id=station_id, role=role.value))
    return user


def seed(reset: bool = False, progress: Callable[[str], None] | None = None) -> list[tuple[str, str]]:
    """Seed everything; `progress(area)` is called as each area starts (the CLI prints it)."""
    if reset:
        for email, *_ in USERS:
            user = db.session.scalar(select(User).where(User.email == email))
            if user:
                db.session.delete(user)
        db.session.flush()
    stations = {data["slug"]: _station(data) for data in STATIONS}
    password_hash = hash_password(DEMO_PASSWORD)  # hashed once: argon2 is slow on purpose
    users = {email: _user(email, name, role, stations.get(slug), password_hash) for email, name, role, slug in USERS}
    db.session.flush()
    for seeder in sorted(DEMO_SEEDERS, key=lambda fn: getattr(fn, "demo_order", DEFAULT_ORDER)):
        if progress:
            progress(_area_of(seeder))
        seeder(stations, users)
    return [(role.value, email) for email, _, role, _ in USERS]


def _area_of(seeder: Seeder) -> str:
    """ "app.bookings.demo" -> "bookings"."""
    parts = seeder.__module__.split(".")
    return parts[1] if len(parts) > 2 else seeder.__name__
