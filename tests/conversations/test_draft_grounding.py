"""What an AI draft is based on, shown as facts a person checks: price lines, the slot, the policy."""

from __future__ import annotations

from datetime import timedelta

from app.ai.drafting.grounding import Grounder, StationInfo
from app.extensions import db
from app.models.base import utcnow
from tests.conversations.helpers import ai_draft, inbound


def test_the_grounding_reads_as_price_lines_slot_and_policy_not_json(app, world, as_role):
    with app.test_request_context():
        message = inbound(world.station.id, "How much for 12 people on the 20th?", contact="tok-g")
        grounder = Grounder(StationInfo.load(world.station.id), "en", utcnow())
        day = (utcnow() + timedelta(days=20)).date().isoformat()
        draft = ai_draft(message, "Hi! 12 guests come to $660.00.")
        draft.grounding = {
            "quote": grounder.quote_party(12, 2, 0, "30303"),
            "availability": grounder.check_availability(day, None),
            "policies": grounder.policies(),
            "knowledge_text": ["We bring the grill, the chef and the show."],
        }
        db.session.commit()
        conversation_id = message.conversation_id
        expected = draft.grounding
    page = as_role("manager").get(f"/s/alpha/inbox/{conversation_id}").get_data(as_text=True)
    facts = page[page.index('class="grounding-facts"') :]
    assert "12 adults × $55.00" in facts and "2 children × $30.00" in facts
    assert "Total $720.00" in facts
    assert expected["availability"]["display_date"] in facts
    assert "Deposit $100.00" in facts and "free reschedule" in facts
    assert "We bring the grill" in facts
    assert '"total_cents"' not in page and "{&#34;" not in page  # no raw JSON
