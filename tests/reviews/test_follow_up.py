"""A new review: the inbox conversation for its reply; a low rating's task and alert, once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.models.conversation import Conversation, Message
from app.models.lead import Task
from app.models.outbox import Notification
from app.models.review import Review
from app.reviews.services import follow_up_key


def _review(dbq) -> Review:
    [review] = dbq.scalars(select(Review))
    return review


def test_a_low_rating_opens_one_task_and_alerts_the_manager_once(client, party, world, dbq):
    client.post_form(f"/review/{party.token}", {"rating": "2", "text": "The chef was late and rude."})
    review = _review(dbq)
    [task] = dbq.scalars(select(Task).where(Task.review_id == review.id))
    assert (task.kind, task.auto_key, task.owner_id) == ("review", follow_up_key(review.id), world.users["manager"].id)
    assert timedelta(hours=23) < task.due_at - review.created_at <= timedelta(hours=24, minutes=1)

    alerts = dbq.scalars(select(Notification).where(Notification.kind == "review_low_rating"))
    assert [(n.recipient, n.channel) for n in alerts] == [(world.users["manager"].email, "email")]
    assert alerts[0].status == "recorded" and party.reference in alerts[0].body_text

    # The same customer lowers it again: still one task and one email per manager.
    client.post_form(f"/review/{party.token}", {"rating": "1", "text": "Thinking about it, worse."})
    assert dbq.count(Task, Task.review_id == review.id) == 1
    assert dbq.count(Notification, Notification.kind == "review_low_rating") == 1


def test_a_good_rating_opens_no_task_and_sends_no_alert(client, party, dbq):
    client.post_form(f"/review/{party.token}", {"rating": "5", "text": "Perfect."})
    assert dbq.count(Task) == 0
    assert dbq.count(Notification, Notification.kind == "review_low_rating") == 0


def test_the_review_opens_an_inbox_conversation_for_its_reply(client, party, dbq):
    client.post_form(f"/review/{party.token}", {"rating": "4", "text": "Lovely evening"})
    review = _review(dbq)
    conversation = dbq.get(Conversation, review.conversation_id)
    assert (conversation.channel, conversation.contact) == ("review", f"review-{review.id}")
    assert conversation.customer_id == party.customer_id  # the customer, not a new lead
    [message] = dbq.scalars(select(Message).where(Message.conversation_id == conversation.id))
    assert "4/5" in message.body and "Lovely evening" in message.body
    assert message.provider_id == f"review-{review.id}"

    # An unchanged resubmission adds no message; an edit adds one.
    client.post_form(f"/review/{party.token}", {"rating": "4", "text": "Lovely evening"})
    assert dbq.count(Message, Message.conversation_id == conversation.id) == 1
    client.post_form(f"/review/{party.token}", {"rating": "5", "text": "Lovely evening, and the leftovers!"})
    assert dbq.count(Message, Message.conversation_id == conversation.id, Message.direction == "in") == 2


def test_the_follow_up_task_links_to_the_review_from_the_tasks_page(client, party, as_role, dbq):
    client.post_form(f"/review/{party.token}", {"rating": "2", "text": "Cold food."})
    review = _review(dbq)
    page = as_role("manager").get("/s/alpha/leads/tasks").get_data(as_text=True)
    assert f'href="/s/alpha/reviews/#review-{review.id}"' in page
