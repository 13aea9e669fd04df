"""Every staff page, as each role, at 1366x768 and 390x844: no sideways scroll, nothing cut, no console errors.

Walks the demo data (what a new user sees after `make run`), so tables, boards and charts
are as full as they get in a first look. One browser, one context per role.
"""

from __future__ import annotations

import pytest

from app.demo import seed
from app.extensions import db
from tests.browser.walk import ROLES, detail_paths, walk

pytestmark = [pytest.mark.committing, pytest.mark.browser]


@pytest.fixture
def demo_paths(app):
    """The demo data, committed, and each role's pages beyond the nav."""
    with app.test_request_context():
        seed()
        db.session.commit()
        return {role: detail_paths(role) for role in ROLES}


def test_every_page_fits_a_laptop_and_a_phone_for_every_role(live_server, browser, demo_paths):
    problems = []
    walked = 0
    for role in ROLES:
        for visit in walk(browser, live_server, role, demo_paths[role]):
            walked += 1
            problems += [f"{role} {visit.name} ({visit.path}): {problem}" for problem in visit.problems]
    assert walked > 4 * 6  # every role's nav was found and walked
    assert problems == [], "\n".join(problems)
