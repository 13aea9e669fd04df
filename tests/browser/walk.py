"""Walk every staff page as each role at a laptop and a phone size, and check the layout.

Shared by the layout test (tests/browser/test_layout.py) and `make screenshots`
(tests/browser/screenshots.py), so both see the same pages. The pages of a role are the
links of its navigation (read from the page, so a new nav item is walked without editing
this file) plus the pages a nav leads to: a booking, a customer, a conversation, a lead,
a QR code, the new-booking form and every analytics tab.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select

from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models.booking import Booking
from app.models.chef import Chef
from app.models.conversation import Conversation
from app.models.customer import Customer
from app.models.lead import Lead
from app.models.qr import QrCode
from app.models.station import Station
from app.models.user import User

STATION = "atlanta"
# The demo's users (app.demo.USERS): the owner works at every station, the others at Atlanta.
ROLES = {
    "owner": "owner@teppan.example",
    "manager": "manager@teppan.example",
    "staff": "staff@teppan.example",
    "chef": "chef@teppan.example",
}
SIZES = {"laptop": (1366, 768), "phone": (390, 844)}
ANALYTICS_TABS = ("revenue", "funnel", "operations", "conversations", "reviews")

# What the layout check measures, in the page: the page's own sideways scroll, and every
# visible element whose right edge passes the viewport's unless an ancestor clips or
# scrolls it (a table in its own .table-scroll, a text ellipsis).
LAYOUT_PROBE = """
() => {
  const width = window.innerWidth;
  const cut = [];
  const clipped = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (overflow !== "visible") return true;
    }
    return false;
  };
  const name = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    if (el.classList.length) text += "." + [...el.classList].join(".");
    const words = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    return words ? `${text} "${words}"` : text;
  };
  for (const el of document.body.querySelectorAll("*")) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0 || rect.right <= width + 1) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.position === "fixed") continue;
    if (clipped(el)) continue;
    cut.push(`${name(el)} ends at ${Math.round(rect.right)}px`);
    if (cut.length >= 5) break;
  }
  return { scrollWidth: document.scrollingElement.scrollWidth, width, cut };
}
"""


@dataclass
class Visit:
    role: str
    name: str
    path: str
    problems: list[str] = field(default_factory=list)


def detail_paths(role: str) -> dict[str, str]:
    """The pages reached from the nav, for `role` (inside an app context, on the demo data)."""
    station = db.session.scalar(select(Station).where(Station.slug == STATION))
    base = f"/s/{STATION}"
    if role == "chef":
        user = db.session.scalar(select(User).where(User.email == ROLES["chef"]))
        chef = db.session.scalar(select(Chef).where(Chef.user_id == user.id, Chef.station_id == station.id))
        booking = db.session.scalar(
            select(Booking).where(Booking.chef_id == chef.id).order_by(Booking.event_date.desc())
        )
        return {"event-sheet": f"{base}/chefs/events/{booking.id}/sheet"} if booking else {}

    def first(model, *order):
        return db.session.scalar(select(model.id).where(model.station_id == station.id).order_by(*order).limit(1))

    paths = {
        "booking": f"{base}/bookings/{first(Booking, Booking.event_date.desc())}",
        "booking-new": f"{base}/bookings/new",
        "customer": f"{base}/customers/{first(Customer, Customer.id)}",
        "conversation": f"{base}/inbox/{first(Conversation, Conversation.id.desc())}",
        "lead": f"{base}/leads/{first(Lead, Lead.id)}",
    }
    qr = first(QrCode, QrCode.id)
    if role in ("owner", "manager"):
        if qr:
            paths["qr-code"] = f"{base}/qr/{qr}"
        for tab in ANALYTICS_TABS:
            paths[f"analytics-{tab}"] = f"{base}/analytics/{tab}"
    return paths


def page_name(path: str) -> str:
    """A file-name-safe name for a nav page: /s/atlanta/bookings/calendar -> bookings-calendar."""
    trimmed = re.sub(rf"^/s/{STATION}", "", path).strip("/")
    return re.sub(r"[^a-z0-9]+", "-", trimmed.lower()).strip("-") or "dashboard"


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    if page.url.rstrip("/").endswith("/login"):
        raise AssertionError(f"could not sign in as {email}")
    if "/s/" not in page.url:  # the owner picks a station first
        page.goto(f"{base}/s/{STATION}/")


def nav_paths(page) -> dict[str, str]:
    """The navigation's links (side nav and user menu), named after their paths."""
    hrefs = page.eval_on_selector_all(
        "#sidenav a[href], .user-menu a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    return {page_name(href): href for href in hrefs if href.startswith("/")}


def settle(page) -> None:
    """Wait for the fragments HTMX loads with the page (networkidle would add half a second)."""
    page.wait_for_load_state("load")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def check_layout(page, size: str) -> list[str]:
    found = page.evaluate(LAYOUT_PROBE)
    problems = []
    if found["scrollWidth"] > found["width"]:
        problems.append(f"{size}: the page scrolls sideways ({found['scrollWidth']}px > {found['width']}px)")
    problems += [f"{size}: cut at the right edge: {what}" for what in found["cut"]]
    return problems


def walk(browser, base: str, role: str, paths: dict[str, str], on_page=None) -> Iterator[Visit]:
    """Open every nav page and `paths` as `role`, checking each at both sizes.

    One browser context per role (signed in once); each page is loaded at the laptop
    size, checked, then resized to the phone and checked again. `on_page(page, visit,
    size)` runs after each check (the screenshots).
    """
    context = browser.new_context(viewport=dict(zip(("width", "height"), SIZES["laptop"], strict=True)))
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        sign_in(page, base, ROLES[role])
        pages = nav_paths(page) | paths
        for name, path in pages.items():
            visit = Visit(role, name, path)
            errors.clear()
            page.set_viewport_size(dict(zip(("width", "height"), SIZES["laptop"], strict=True)))
            response = page.goto(base + path)
            settle(page)
            if response is None or response.status >= 400:
                visit.problems.append(f"answered {response.status if response else 'nothing'}")
            for size, (width, height) in SIZES.items():
                page.set_viewport_size({"width": width, "height": height})
                visit.problems += check_layout(page, size)
                if on_page:
                    on_page(page, visit, size)
            visit.problems += [f"console error: {text}" for text in errors]
            yield visit
    finally:
        context.close()
