"""The rows of the bench database, generated in Python (see seed_bookings.py).

What the big station looks like (StationPlan), and `generate()`, which turns the chefs'
free places per slot and priced sample parties into booking, customer, timeline and
payment rows that respect capacity and the one-chef-per-slot rule.
"""

from __future__ import annotations

import base64
import json
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from _common import SMALL_STATION_SLUG, STATION_SLUG

REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def words(text: str) -> list[str]:
    return text.split()


FIRST = words(
    "Ava Liam Mia Noah Zoe Ethan Ivy Lucas Chloe Mason Nora Owen Emma Oliver Sophia Elijah Isabella James "
    "Amelia Benjamin Harper Henry Evelyn Alexander Abigail Michael Emily Daniel Ella Jacob Grace Logan "
    "Aria Jackson Scarlett Sebastian Layla Aiden Riley Matthew Lily Samuel Hannah David Nova Joseph Zoey "
    "Carter Stella Wyatt Hazel John Aurora Leo Violet Luke Savannah Julian Audrey Levi Brooklyn Isaac "
    "Bella Gabriel Claire Anthony Skylar Dylan Lucy Lincoln Paisley Jaxon Everly Asher Anna Christopher "
    "Caroline Josiah Genesis Andrew Aaliyah Thomas Kennedy Joshua Kinsley Ezra Allison Hudson Maya "
    "Charles Sarah Caleb Madelyn Isaiah Adeline Ryan Alexa Nathan Ariana Adrian Elena Christian Gabriella"
)
LAST = words(
    "Nguyen Patel Garcia Johnson Kim Brown Lopez Davis Chen Walker Smith Williams Jones Miller Wilson "
    "Moore Taylor Anderson Thomas Jackson White Harris Martin Thompson Martinez Robinson Clark Rodriguez "
    "Lewis Lee Hall Allen Young Hernandez King Wright Hill Scott Green Adams Baker Gonzalez Nelson Carter "
    "Mitchell Perez Roberts Turner Phillips Campbell Parker Evans Edwards Collins Stewart Sanchez Morris "
    "Rogers Reed Cook Morgan Bell Murphy Bailey Rivera Cooper Richardson Cox Howard Ward Torres Peterson "
    "Gray Ramirez James Watson Brooks Kelly Sanders Price Bennett Wood Barnes Ross Henderson Coleman "
    "Jenkins Perry Powell Long Patterson Hughes Flores Washington Butler Simmons Foster Gonzales Bryant "
    "Alexander Russell Griffin Diaz Hayes Tanaka Suzuki Yamamoto Okafor Haddad Kowalski Novak Rossi"
)
DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "aol.com", "comcast.net"]
STREETS = [
    "Peachtree St", "Oak Ave", "Maple Dr", "Lakeview Rd", "Pine Ln", "Cedar Ct", "Magnolia Way",
    "Highland Ave", "Ponce de Leon Ave", "Briarcliff Rd", "Roswell Rd", "Church St", "Park Pl",
]  # fmt: skip
CANCEL_REASONS = [
    "Customer changed plans", "Weather", "Family emergency", "Found another caterer",
    "Party postponed", "Venue fell through", "Duplicate booking", "Budget",
]  # fmt: skip
ALLERGIES = ["Shellfish allergy (1 guest)", "No sesame", "Peanut allergy", "Gluten free x2", "No dairy"]
NOTES = ["Birthday party, bring the volcano", "Gate code 1234", "Park on the street", "Anniversary dinner",
         "Graduation party", "Backyard, bring extension cord", "Kids love the egg trick"]  # fmt: skip

PROTEINS = ["Chicken", "NY strip", "Shrimp", "Tofu", "Vegetables"]
UPGRADE_MIX = [{}, {}, {}, {"filet_mignon": 4}, {"lobster_tail": 2}, {"salmon": 3, "scallops": 2},
               {"extra_protein": 3}, {"filet_mignon": 10, "lobster_tail": 6}]  # fmt: skip
ADD_ON_MIX = [{}, {}, {"gyoza": 2}, {"fried_rice": 3, "edamame": 2}, {"yakisoba": 4}, {"gyoza": 1, "edamame": 1}]
SOURCES = [("api", 55), ("phone", 28), ("email", 5), ("lead", 9), ("walk_in", 3)]
MANUAL_METHODS = ["cash", "venmo", "zelle", "check", "card_terminal"]


@dataclass
class StationPlan:
    slug: str
    name: str
    timezone: str
    zip_code: str
    address: str
    bookings: int
    customers: int
    chefs: list[tuple[str, dict[int, tuple[dtime, dtime]]]]  # name, weekday -> window
    nearby_zips: list[str]
    area_codes: list[str]
    past_days: int = 730
    future_days: int = 365


def weekly(days: set[int], start: tuple[int, int], end: tuple[int, int]) -> dict[int, tuple[dtime, dtime]]:
    return {d: (dtime(*start), dtime(*end)) for d in days}


def big_station_chefs() -> list[tuple[str, dict[int, tuple[dtime, dtime]]]]:
    """12 chefs working every slot (11:00-23:59): one weekday off each, all of them at weekends.

    A dense rota on purpose: 100,000 bookings in ~3 years need every place 12 chefs give.
    """
    names = ["Kenji Sato", "Hana Mori", "Taro Yamada", "Mei Lin", "Diego Ruiz", "Sora Ito", "Ana Costa",
             "Raj Mehta", "Yuki Abe", "Leo Park", "Nia Brooks", "Omar Said"]  # fmt: skip
    return [(name, weekly(set(range(7)) - {i % 4}, (11, 0), (23, 59))) for i, name in enumerate(names)]


PLANS = [
    StationPlan(
        slug=STATION_SLUG,
        name="Bench Atlanta",
        timezone="America/New_York",
        zip_code="30313",
        address="275 Baker St NW, Atlanta, GA",
        bookings=100_000,
        customers=60_000,
        chefs=big_station_chefs(),
        nearby_zips=words(
            "30303 30305 30306 30307 30308 30309 30310 30312 30314 30315 30316 30317 30318 30319 "
            "30324 30326 30327 30328 30329 30030 30033 30060 30062 30066 30080 30097 30144 30188 "
            "30004 30009 30022 30076 30092 30096 30043 30044 30501 30601 31210"
        ),
        area_codes=["404", "470", "678", "770"],
    ),
    StationPlan(
        slug=SMALL_STATION_SLUG,
        name="Bench Dallas",
        timezone="America/Chicago",
        zip_code="75201",
        address="1500 Marilla St, Dallas, TX",
        bookings=400,
        customers=300,
        chefs=[
            ("Riku Tanaka", weekly({3, 4, 5, 6}, (11, 0), (23, 59))),
            ("Paula Gomez", weekly({4, 5, 6}, (14, 30), (23, 59))),
        ],
        nearby_zips=words("75204 75205 75206 75219 75225 75230 76011 75024 75093 76102"),
        area_codes=["214", "469", "972"],
    ),
]


# --- generating the rows ---------------------------------------------------------------------

DOW_DEMAND = [0.55, 0.5, 0.6, 0.7, 0.95, 1.0, 0.9]
SLOT_DEMAND = {"12:00": 0.65, "15:00": 0.8, "18:00": 1.0, "21:00": 0.75}


@dataclass
class Rows:
    bookings: list[tuple] = field(default_factory=list)
    customers: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    payments: list[tuple] = field(default_factory=list)
    # (station_id, booking_id, payment_id, amount_cents, method, provider, provider_ref, reason,
    #  recorded_by_id, at): the `refunds` table's rows (payments of kind "refund" before it existed)
    refunds: list[tuple] = field(default_factory=list)
    refund_table_rows: list[tuple] = field(default_factory=list)  # filled at load time
    statuses: Counter = field(default_factory=Counter)


def token(rng: random.Random, nbytes: int) -> str:
    return base64.urlsafe_b64encode(rng.getrandbits(nbytes * 8).to_bytes(nbytes, "big")).decode().rstrip("=")


def generate(
    plan: StationPlan,
    station_id: int,
    free: dict[tuple[date, str], list[int]],
    templates: list[dict],
    manager_id: int,
    now: datetime,
    rng: random.Random,
    first_booking_id: int,
    first_customer_id: int,
    first_payment_id: int,
    references: set[str],
) -> Rows:
    zone = ZoneInfo(plan.timezone)
    today = now.astimezone(zone).date()
    lead, horizon = timedelta(hours=48), timedelta(days=365)

    # 1. How many parties each slot serves (never above its chefs), and where the
    #    bookings that hold no slot (expired holds, cancellations) fall: by demand.
    slots = [(key, chefs) for key, chefs in sorted(free.items()) if chefs]
    starts = {}
    for (day, slot), _ in slots:
        hh, mm = map(int, slot.split(":"))
        starts[(day, slot)] = datetime.combine(day, dtime(hh, mm), tzinfo=zone).astimezone(UTC)
    demand = {}
    for day, slot in (key for key, _ in slots):
        ahead = (day - today).days
        season = 1 + 0.2 * math.cos((day.timetuple().tm_yday - 200) / 365 * 2 * math.pi)
        booked_ahead = 1.0 if ahead <= 0 else max(0.04, math.exp(-ahead / 75))
        demand[(day, slot)] = DOW_DEMAND[day.weekday()] * SLOT_DEMAND.get(slot, 0.8) * season * booked_ahead
    # Fill = min(1, k * demand), demand falling with how far ahead a slot is; k (at most
    # 4) aims at 46% of the bookings holding a place. The places run out first: ~35%.
    served_target = plan.bookings * 0.46

    def expected(k: float) -> float:
        return sum(min(1.0, k * demand[key]) * len(chefs) for key, chefs in slots)

    low, high = 0.0, 4.0
    for _ in range(40):
        mid = (low + high) / 2
        low, high = (mid, high) if expected(mid) < served_target else (low, mid)
    served: dict[tuple[date, str], int] = {}
    for key, chefs in slots:
        fill = min(1.0, high * demand[key])
        served[key] = sum(1 for _ in chefs if rng.random() < fill)
    open_slots = [k for k, _ in slots if k in served]
    remaining = max(plan.bookings - sum(served.values()), 0)
    weights = [demand[k] * len(free[k]) for k in open_slots]
    unheld = Counter(rng.choices(open_slots, weights, k=remaining)) if remaining else Counter()

    # 2. Customers: every one books at least once; regulars book again.
    n_customers = min(plan.customers, plan.bookings)
    owners = list(range(n_customers))
    rng.shuffle(owners)
    regulars = max(1, n_customers // 3)
    owners += [int(regulars * rng.random() ** 2) for _ in range(plan.bookings - n_customers)]
    rng.shuffle(owners)
    customer_first_seen: dict[int, datetime] = {}

    proteins_json = [json.dumps(rng.sample(PROTEINS, 2)) for _ in range(20)]
    consent_json = [
        json.dumps({"email": False, "email_text": "", "sms": False, "sms_text": ""}),
        json.dumps({"email": True, "email_text": "Send me news and offers by email.", "sms": False, "sms_text": ""}),
        json.dumps({"email": True, "email_text": "Send me news and offers by email.", "sms": True,
                    "sms_text": "Text me reminders and offers. Reply STOP to opt out."}),
    ]  # fmt: skip
    attribution_json = [
        "{}",
        json.dumps({"utm_source": "instagram", "utm_medium": "social"}),
        json.dumps({"utm_source": "google", "utm_medium": "cpc", "utm_campaign": "hibachi-at-home"}),
        json.dumps({"referrer": "https://www.yelp.com/"}),
    ]
    source_names, source_weights = zip(*SOURCES, strict=True)
    rows = Rows()
    payment_ids = iter(range(first_payment_id, first_payment_id + 10 * plan.bookings))
    planned: list[tuple] = []  # (created_at, key, status, chef_id)

    def created_for(start: datetime) -> datetime:
        latest = min(now - timedelta(minutes=5), start - lead)
        earliest = start - horizon
        created = start - timedelta(days=min(300, rng.expovariate(1 / 28)) + 2, seconds=rng.randint(0, 86400))
        if created > latest:
            span = max(0, int(min(30 * 86400, (latest - earliest).total_seconds())))
            created = latest - timedelta(seconds=rng.randint(0, span))
        return max(min(created, latest), earliest) if latest >= earliest else latest

    for key, chefs in slots:
        start = starts[key]
        n_served = served.get(key, 0)
        picked = rng.sample(chefs, n_served)
        ahead_days = (key[0] - today).days
        for chef_id in picked:
            if start < now:
                recent = start > now - timedelta(days=3)
                status = (
                    "no_show"
                    if rng.random() < 0.03
                    else ("confirmed" if recent and rng.random() < 0.5 else "completed")
                )
            else:
                status = "confirmed"
                if ahead_days > 30 and rng.random() < 0.6:
                    chef_id = None  # far-off parties get a chef later
            planned.append((created_for(start), key, status, chef_id))
        for _ in range(unheld.get(key, 0)):
            status = "expired" if rng.random() < 0.65 else "cancelled"  # unpaid holds outnumber cancellations
            planned.append((created_for(start), key, status, None))

    # A few parties booked in the last day still await their deposit.
    future_confirmed = [
        i
        for i, p in enumerate(planned)
        if p[2] == "confirmed" and now + lead < starts[p[1]] < now + timedelta(days=300)
    ]
    for i in rng.sample(future_confirmed, min(len(future_confirmed), max(1, plan.bookings // 1500))):
        _, key, _, chef_id = planned[i]
        planned[i] = (now - timedelta(seconds=rng.randint(60, 23 * 3600)), key, "pending_deposit", chef_id)

    planned.sort(key=lambda p: p[0])  # ids grow with creation time, as in production
    for offset, (created, (day, slot), status, chef_id) in enumerate(planned):
        booking_id = first_booking_id + offset
        start = starts[(day, slot)]
        t = rng.choice(templates)
        source = rng.choices(source_names, source_weights)[0]
        staff = source != "api"
        creator = manager_id if staff else None
        creator_label = "Bench Manager" if staff else "customer (api)"
        owner = first_customer_id + owners[offset % len(owners)]
        customer_first_seen.setdefault(owner, created)
        while True:
            reference = "TP-" + "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(6))
            if reference not in references:
                references.add(reference)
                break
        deposit_due = min(created + timedelta(hours=24), start)
        confirmed_at = completed_at = cancelled_at = cancelled_by = None
        refund_eligible = None
        cancel_reason = ""
        paid = refunded = 0
        events = [(created, creator, creator_label, "created", None, json.dumps(
            {"status": "pending_deposit", "event_date": day.isoformat(), "slot": slot, "guests": t["guests"],
             "total_cents": t["total"], "source": source}), "")]  # fmt: skip
        was_confirmed = status in ("confirmed", "completed", "no_show") or (
            status == "cancelled" and rng.random() < 0.6
        )
        if was_confirmed:
            confirmed_at = min(created + timedelta(minutes=rng.randint(5, 20 * 60)), start, now)
            paid = t["deposit"]
            events.append((confirmed_at, creator, creator_label, "confirmed",
                           '{"status": "pending_deposit"}', '{"status": "confirmed"}', ""))  # fmt: skip
            stripe = source == "api"
            deposit_method = "stripe" if stripe else rng.choice(MANUAL_METHODS)
            deposit_id = next(payment_ids)
            rows.payments.append((
                deposit_id, station_id, booking_id, "deposit", deposit_method, t["deposit"], "USD", "succeeded",
                "stripe" if stripe else None, f"pi_bench_{booking_id}" if stripe else None, "",
                None if stripe else manager_id, "{}", confirmed_at,
            ))  # fmt: skip
        last_change = confirmed_at or created
        if status == "completed":
            completed_at = start + timedelta(hours=3)
            balance = t["total"] - t["deposit"]
            paid += balance
            rows.payments.append((
                next(payment_ids), station_id, booking_id, "balance", rng.choice(MANUAL_METHODS), balance, "USD",
                "succeeded", None, None, "", manager_id, "{}", completed_at,
            ))  # fmt: skip
            events.append((completed_at, manager_id, "Bench Manager", "completed",
                           '{"status": "confirmed"}', '{"status": "completed"}', ""))  # fmt: skip
            last_change = completed_at
        elif status == "no_show":
            at = start + timedelta(hours=1)
            events.append((at, manager_id, "Bench Manager", "no_show",
                           '{"status": "confirmed"}', '{"status": "no_show"}', "Nobody answered the door"))  # fmt: skip
            last_change = at
        elif status == "expired":
            events.append((deposit_due, None, "deposit deadline", "expired",
                           '{"status": "pending_deposit"}', '{"status": "expired"}', ""))  # fmt: skip
            last_change = deposit_due
        elif status == "cancelled":
            latest = min(start, now)
            cancelled_at = last_change + (latest - last_change) * rng.random() ** 0.5
            cancelled_by = manager_id
            cancel_reason = rng.choice(CANCEL_REASONS)
            refund_eligible = start - cancelled_at >= timedelta(days=7)
            previous = "confirmed" if was_confirmed else "pending_deposit"
            after = json.dumps({"status": "cancelled", "refund_eligible": refund_eligible})
            events.append(
                (cancelled_at, manager_id, "Bench Manager", "cancelled", json.dumps({"status": previous}), after,
                 cancel_reason)
            )  # fmt: skip
            if was_confirmed and refund_eligible:
                refunded = t["deposit"]
                by_card = deposit_method == "stripe"  # back to the card through Stripe, else by hand
                rows.refunds.append((
                    station_id, booking_id, deposit_id if by_card else None, refunded,
                    "card" if by_card else deposit_method, "stripe" if by_card else None,
                    f"re_bench_{booking_id}" if by_card else None, cancel_reason, manager_id, cancelled_at,
                ))  # fmt: skip
            last_change = cancelled_at
        if chef_id is not None and status in ("confirmed", "completed", "no_show", "pending_deposit"):
            at = min(created + timedelta(days=rng.randint(0, 20), hours=2), max(start - timedelta(hours=4), created))
            at = min(at, now)
            events.append((at, manager_id, "Bench Manager", "chef_assigned", '{"chef_id": null}',
                           json.dumps({"chef_id": chef_id}), ""))  # fmt: skip
        rows.statuses[status] += 1
        rows.bookings.append((
            booking_id, station_id, reference, token(rng, 24), status, source, owner, chef_id, day, slot, start,
            f"{rng.randint(10, 9999)} {rng.choice(STREETS)}", t["zip"], t["adults"], t["children"], t["toddlers"],
            t["upgrades"], t["add_ons"], rng.choice(proteins_json),
            rng.choice(ALLERGIES) if rng.random() < 0.1 else "", rng.choice(NOTES) if rng.random() < 0.2 else "",
            "USD", t["quote"], t["total"], t["deposit"], paid, refunded, t["miles"], deposit_due, confirmed_at,
            completed_at, cancelled_at, cancelled_by, cancel_reason, refund_eligible, 0, creator,
            rng.choice(consent_json), rng.choices(attribution_json, [60, 15, 20, 5])[0], created, last_change,
        ))  # fmt: skip
        for at, actor_id, label, kind, before, after, note in events:
            rows.events.append((station_id, booking_id, at, actor_id, label, kind, before, after, note))

    # 3. The customers themselves, created with their first booking.
    for index in range(n_customers):
        cid = first_customer_id + index
        first_name, last_name = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first_name}.{last_name}{index}@{rng.choice(DOMAINS)}".lower()
        phone = f"+1{rng.choice(plan.area_codes)}{210 + index // 10000}{index % 10000:04d}"
        kind = rng.random()
        if kind < 0.04:
            email = None
        elif kind < 0.08:
            phone = None
        seen = customer_first_seen.get(cid, now) - timedelta(minutes=rng.randint(0, 30))
        rows.customers.append((
            cid, station_id, f"{first_name} {last_name}", email, phone, "", rng.random() < 0.45,
            rng.random() < 0.2, None, seen, seen,
        ))  # fmt: skip
    return rows
