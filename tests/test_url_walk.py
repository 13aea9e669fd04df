"""Every URL rule of the app, requested by every kind of caller.

The walk reads `app.url_map`, so blueprints added later are walked without editing
this file, unless a rule has a URL argument this file cannot fill: then
`test_every_url_argument_is_known` fails and names it. Add the argument to
`URL_VALUES` below: a function (world, station) -> a value naming an object *of that
station* (create it with a factory if the world has none). It runs inside an app
context; whatever it creates is rolled back with the test.

What is asserted, for every rule and method (GET, or POST/PUT/PATCH/DELETE with a
CSRF token and empty data):
- nobody ever gets a 500 (or an exception);
- anonymous callers reach only public endpoints; anything else sends a page to
  /login and answers HTMX with 401 + HX-Redirect;
- users of station beta get 404 on every /s/alpha/... URL;
- a role lacking the permission a view declares (`@require`, read from the view's
  `.permission`) gets 403; a role holding it gets no 403/404 (pages: no 4xx at all);
- /s/alpha/.../<id of a beta object> answers 404 to every alpha role allowed there;
- HTML pages carry no inline script, event handler or style attribute (the CSP
  forbids them, so they would silently not work).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule

from app.auth.services import make_reset_token
from app.extensions import db
from app.models.station import Station
from app.models.user import Membership, Role, User
from app.permissions import role_has
from tests.factories import World
from tests.support import isolated_world, rolled_back, session_as_role  # noqa: F401


def _member(world: World, station: Station, role: str) -> User:
    for user in world.users.values():
        if any(m.station_id == station.id and m.role == role for m in user.memberships):
            return user
    raise LookupError(f"no {role} at {station.slug} in the test world")


def _membership(world: World, station: Station, role: str) -> Membership:
    user = _member(world, station, role)
    return next(m for m in user.memberships if m.station_id == station.id)


def _customer(station: Station):
    from tests.customers.factories import CustomerFactory

    return CustomerFactory(station_id=station.id)


def _chef(world: World, station: Station):
    """A chef row, linked to the station's chef user when it has one (their own events)."""
    from app.models.chef import Chef
    from tests.chefs.factories import ChefFactory

    try:
        user_id = _member(world, station, "chef").id
    except LookupError:
        return ChefFactory(station_id=station.id)
    linked = db.session.scalar(select(Chef).where(Chef.station_id == station.id, Chef.user_id == user_id))
    return linked or ChefFactory(station_id=station.id, user_id=user_id)


def _booking(world: World, station: Station):
    """A booking assigned to that chef, so the chef's own-event pages open for them."""
    from app.models.booking import Booking
    from tests.customers.factories import BookingFactory

    chef = _chef(world, station)
    existing = db.session.scalar(select(Booking).where(Booking.chef_id == chef.id))
    return existing or BookingFactory(customer=_customer(station), chef_id=chef.id)


def _window(world: World, station: Station):
    from tests.chefs.factories import WindowFactory

    return WindowFactory(chef=_chef(world, station))


def _time_off(world: World, station: Station):
    from tests.chefs.factories import TimeOffFactory

    day = date.today() + timedelta(days=30)
    return TimeOffFactory(chef=_chef(world, station), first_day=day, last_day=day)


def _blackout(station: Station):
    from tests.chefs.factories import BlackoutFactory

    return BlackoutFactory(station_id=station.id, day=date.today() + timedelta(days=40))


def _inbound_message(station: Station):
    from tests.inbox.helpers import inbound

    return inbound(station.id, "How much for 12 people?", contact=f"walk-{station.slug}")


def _knowledge(station: Station):
    from app.models.conversation import KnowledgeEntry

    entry = KnowledgeEntry(station_id=station.id, kind="faq", question="Grill?", answer="We bring it.")
    db.session.add(entry)
    db.session.flush()
    return entry


def _canned(station: Station):
    from app.models.conversation import CannedReply

    reply = CannedReply(station_id=station.id, title=f"Hello {station.slug}", body="Hi {first_name}")
    db.session.add(reply)
    db.session.flush()
    return reply


def _qr(station: Station):
    from app.qr.services import QrCodeData, create_qr_code

    return create_qr_code(station, QrCodeData(name="Walk flyer"))


def _review_token(world: World, station: Station) -> str:
    from app.notifications.review_links import review_token

    return review_token(_booking(world, station).id)


def _review(station: Station):
    from tests.reviews.factories import review_with_photo

    return review_with_photo(station)


def _lead(station: Station):
    from tests.leads.factories import make_lead

    return make_lead(station.id, email=f"walk@{station.slug}.example")


def _first_response_task(station: Station):
    from tests.leads.factories import first_response_task

    return first_response_task(_lead(station))


def _campaign(station: Station):
    from tests.newsletter.conftest import campaign

    return campaign(station.id)


def _subscriber(station: Station):
    from tests.newsletter.conftest import subscriber

    return subscriber(station.id)


# URL argument -> function(world, station) returning a value that names an object of
# `station`. Extend this when a new area adds an argument, e.g.
#     "lead_id": lambda world, station: LeadFactory(station_id=station.id).id,
URL_VALUES: dict[str, Callable[[World, Station], Any]] = {
    "station_slug": lambda world, station: station.slug,
    "slug": lambda world, station: station.slug,  # the public API names stations by slug
    "station_id": lambda world, station: station.id,
    "user_id": lambda world, station: _member(world, station, "staff").id,
    "membership_id": lambda world, station: _membership(world, station, "staff").id,
    "token": lambda world, station: make_reset_token(_member(world, station, "staff")),
    "customer_id": lambda world, station: _customer(station).id,
    "booking_id": lambda world, station: _booking(world, station).id,
    "public_token": lambda world, station: _booking(world, station).public_token,
    "manage_token": lambda world, station: _booking(world, station).manage_token,
    "calendar_token": lambda world, station: "no-such-feed-token-0123456789",
    "chef_id": lambda world, station: _chef(world, station).id,
    "window_id": lambda world, station: _window(world, station).id,
    "time_off_id": lambda world, station: _time_off(world, station).id,
    "blackout_id": lambda world, station: _blackout(station).id,
    "conversation_id": lambda world, station: _inbound_message(station).conversation_id,
    "message_id": lambda world, station: _inbound_message(station).id,
    "entry_id": lambda world, station: _knowledge(station).id,
    "reply_id": lambda world, station: _canned(station).id,
    "qr_id": lambda world, station: _qr(station).id,
    "code": lambda world, station: _qr(station).code,
    "review_token": lambda world, station: _review_token(world, station),
    "review_id": lambda world, station: _review(station).id,
    "photo_index": lambda world, station: 0,
    "lead_id": lambda world, station: _lead(station).id,
    "task_id": lambda world, station: _first_response_task(station).id,
    "campaign_id": lambda world, station: _campaign(station).id,
    "segment_id": lambda world, station: _campaign(station).segment_id,
    "subscriber_id": lambda world, station: _subscriber(station).id,
}

# Reachable without signing in. Everything else must send anonymous callers to sign-in.
PUBLIC_ENDPOINTS = {
    "ops.healthz",
    "ops.ready",
    "ops.info",
    "prometheus_metrics",
    "auth.login",
    "auth.logout",
    "auth.forgot_password",
    "auth.reset_password",
}
PUBLIC_PREFIXES = ("/api/", "/webhooks/", "/pay/", "/review/", "/n/", "/q/", "/b/", "/feeds/")

# Signed-in pages that need no permission (everything else declares one with @require).
NO_PERMISSION_NEEDED = {"home.index", "auth.account", "auth.reauthenticate"}

ALPHA_ROLES = ["owner", "manager", "staff", "chef"]
BETA_USERS = ["other_manager", "other_staff"]

INLINE_CODE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|javascript:", re.IGNORECASE)


def walked_rules(app: Flask) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint != "static" and not r.endpoint.endswith(".static")),
        key=lambda r: r.rule,
    )


def methods_of(rule: Rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def is_public(rule: Rule) -> bool:
    return rule.endpoint in PUBLIC_ENDPOINTS or rule.rule.startswith(PUBLIC_PREFIXES)


def is_station_rule(rule: Rule) -> bool:
    return "station_slug" in rule.arguments


def permission_of(app: Flask, rule: Rule) -> str | None:
    return getattr(app.view_functions[rule.endpoint], "permission", None)


def unknown_arguments(rule: Rule) -> set[str]:
    return set(rule.arguments) - set(rule.defaults or {}) - set(URL_VALUES)


def build_url(rule: Rule, values: dict[str, dict[str, Any]], slug_of: str, objects_of: str) -> str:
    """The rule's URL under station `slug_of`, its other arguments naming `objects_of`'s objects."""
    missing = unknown_arguments(rule)
    if missing:
        pytest.fail(
            f"{rule.rule} ({rule.endpoint}) has URL argument(s) {sorted(missing)} that "
            "tests/test_url_walk.py does not know: add them to URL_VALUES"
        )
    args = {
        name: values[name][slug_of if name == "station_slug" else objects_of]
        for name in rule.arguments
        if name not in (rule.defaults or {})
    }
    built = rule.build(args, append_unknown=False)
    assert built is not None, f"cannot build {rule.rule} from {args}"
    return built[1]


@pytest.fixture
def url_values(app, world) -> dict[str, dict[str, Any]]:
    """{argument: {"alpha": value, "beta": value}} for every argument in URL_VALUES."""
    with app.app_context():
        values = {
            name: {"alpha": make(world, world.station), "beta": make(world, world.other)}
            for name, make in URL_VALUES.items()
        }
        db.session.commit()
    return values


def call(app, client, method: str, url: str, *, htmx: bool = False):
    """One request whose database changes (and cookie changes) are undone afterwards."""
    headers = {"HX-Request": "true"} if htmx else {}
    kwargs: dict[str, Any] = {}
    if method != "GET":
        token = client.csrf_token()
        headers["X-CSRFToken"] = token
        kwargs["data"] = {"csrf_token": token}
    cookies = dict(client._cookies)  # a POST may sign out or switch: keep the walker as it was
    try:
        with rolled_back(app):
            return client.open(url, method=method, headers=headers, **kwargs)
    finally:
        client._cookies.clear()
        client._cookies.update(cookies)


def _location_path(response) -> str:
    return (response.location or "").split("?")[0]


class Walk:
    def __init__(self, app, who: str):
        self.app = app
        self.who = who
        self.problems: list[str] = []

    def request(self, client, method: str, url: str, endpoint: str, **kwargs):
        try:
            response = call(self.app, client, method, url, **kwargs)
        except Exception as exc:  # noqa: BLE001 - reported with the URL, then the test fails
            self.problems.append(f"{self.who} {method} {url} ({endpoint}) raised {exc!r}")
            return None
        if response.status_code >= 500:
            self.problems.append(f"{self.who} {method} {url} ({endpoint}) answered {response.status_code}")
            return None
        if response.status_code == 200 and response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            if match := INLINE_CODE.search(html):
                self.problems.append(f"{self.who} {method} {url}: inline code {match.group(0)!r} (blocked by the CSP)")
        return response

    def expect(self, ok: bool, method: str, url: str, endpoint: str, response, wanted: str) -> None:
        if not ok:
            detail = f" -> {response.location}" if response.location else ""
            self.problems.append(
                f"{self.who} {method} {url} ({endpoint}): got {response.status_code}{detail}, expected {wanted}"
            )

    def report(self) -> None:
        assert not self.problems, f"{len(self.problems)} problem(s):\n" + "\n".join(self.problems)


def test_every_url_argument_is_known(app):
    unknown = {r.rule: sorted(unknown_arguments(r)) for r in walked_rules(app) if unknown_arguments(r)}
    assert not unknown, (
        f"URL arguments without a value in tests/test_url_walk.py URL_VALUES: {unknown}. "
        "Add a function (world, station) -> id of an object of that station."
    )


def test_every_private_view_declares_a_permission(app):
    """@require is what the walk (and the nav) read: a view without it is unguarded."""
    missing = [
        r.endpoint
        for r in walked_rules(app)
        if not is_public(r) and r.endpoint not in NO_PERMISSION_NEEDED and permission_of(app, r) is None
    ]
    assert not missing, f"views without @require(...): {sorted(set(missing))}"


def test_the_walk_covers_the_foundation_areas(app):
    """Guards the walk itself: if it silently skipped rules, every other check would pass."""
    endpoints = {r.endpoint for r in walked_rules(app)}
    for endpoint in ("team.change_role", "settings.edit", "admin.update_membership", "auth.reset_password"):
        assert endpoint in endpoints


def test_anonymous_walk(app, world, url_values):
    walk = Walk(app, "anonymous")
    client = app.test_client()
    for rule in walked_rules(app):
        url = build_url(rule, url_values, "alpha", "alpha")
        for method in methods_of(rule):
            response = walk.request(client, method, url, rule.endpoint)
            if response is None or is_public(rule):
                continue
            walk.expect(
                response.status_code == 302 and _location_path(response) == "/login",
                method,
                url,
                rule.endpoint,
                response,
                "302 to /login",
            )
            hx = walk.request(client, method, url, rule.endpoint, htmx=True)
            if hx is not None:
                walk.expect(
                    hx.status_code == 401 and hx.headers.get("HX-Redirect", "").startswith("/login"),
                    method,
                    url,
                    rule.endpoint,
                    hx,
                    "401 with HX-Redirect to /login (HTMX)",
                )
    walk.report()


def _signed_in_role(world: World, who: str, rule: Rule) -> Role | None:
    """The role `who` acts with on `rule` (at alpha for station rules, business-wide otherwise)."""
    user = world.users[who]
    if user.is_owner:
        return Role.OWNER
    if not is_station_rule(rule):
        return None
    return next((Role(m.role) for m in user.memberships if m.station_id == world.station.id), None)


@pytest.mark.parametrize("who", ALPHA_ROLES + BETA_USERS)
def test_signed_in_walk(app, world, url_values, as_role, who):
    walk = Walk(app, who)
    client = as_role(who)
    for rule in walked_rules(app):
        url = build_url(rule, url_values, "alpha", "alpha")
        permission = permission_of(app, rule)
        role = _signed_in_role(world, who, rule)
        for method in methods_of(rule):
            response = walk.request(client, method, url, rule.endpoint)
            if response is None:
                continue
            status = response.status_code
            if is_station_rule(rule) and role is None:
                walk.expect(status == 404, method, url, rule.endpoint, response, "404 (another station's)")
            elif permission and not role_has(role, permission):
                walk.expect(status == 403, method, url, rule.endpoint, response, f"403 (lacks {permission})")
            elif is_public(rule):
                continue  # answered without a 500: that is all a public endpoint owes here
            elif method == "GET":
                walk.expect(status < 400, method, url, rule.endpoint, response, "a page or a redirect")
            else:
                walk.expect(status not in (403, 404), method, url, rule.endpoint, response, "not 403/404 (allowed)")
    walk.report()


@pytest.mark.parametrize("who", ALPHA_ROLES)
def test_other_stations_objects_answer_404(app, world, url_values, as_role, who):
    """/s/alpha/.../<id of a beta object>: 404 to whoever may use the page at all."""
    walk = Walk(app, who)
    client = as_role(who)
    rules = [r for r in walked_rules(app) if is_station_rule(r) and len(r.arguments) > 1]
    assert rules, "no station URL with an object id: the cross-station check checks nothing"
    for rule in rules:
        url = build_url(rule, url_values, "alpha", "beta")
        permission = permission_of(app, rule)
        role = _signed_in_role(world, who, rule)
        lacks = bool(permission) and not role_has(role, permission)
        for method in methods_of(rule):
            response = walk.request(client, method, url, rule.endpoint)
            if response is not None:
                wanted = 403 if lacks else 404
                walk.expect(response.status_code == wanted, method, url, rule.endpoint, response, str(wanted))
    walk.report()
