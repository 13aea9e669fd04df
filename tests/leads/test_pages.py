"""The leads pages: board, list, lead page and its actions, new lead, tasks; HTMX and plain."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from app.extensions import db
from app.leads import services
from app.models.base import utcnow
from app.models.lead import Lead, LeadEvent, Task
from tests.leads.factories import first_response_task, make_lead

BASE = "/s/alpha/leads"


@pytest.fixture
def leads(app, world):
    """A hot quote request, a cold contact form (task overdue) and a quoted lead at alpha; one at beta."""
    with app.app_context():
        soon = utcnow().date() + timedelta(days=10)
        hot = make_lead(
            world.station.id,
            name="Hot Hannah",
            phone="+14045550101",
            event_date=soon,
            guests=20,
            zip_code="30303",
        )
        cold = make_lead(world.station.id, source="contact_form", name="Cold Carl", now=utcnow() - timedelta(hours=5))
        quoted = make_lead(world.station.id, source="webchat", name="Quoted Quinn")
        services.move(quoted, "quoted", None)
        elsewhere = make_lead(world.other.id, name="Beta Bea")
        db.session.commit()
        return {"hot": hot.id, "cold": cold.id, "quoted": quoted.id, "beta": elsewhere.id}


def test_board_shows_columns_and_cards_and_answers_htmx_with_the_board(as_role, leads):
    client = as_role("staff")
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert "<html" in page and 'id="lead-board"' in page
    assert "Hot Hannah" in page and "Cold Carl" in page and "Quoted Quinn" in page and "Beta Bea" not in page
    assert page.index('data-stage="new"') < page.index("Hot Hannah") < page.index('data-stage="contacted"')
    assert "task overdue" in page and "hot" in page
    fragment = client.htmx("get", f"{BASE}/?source=webchat").get_data(as_text=True)
    assert "<html" not in fragment and "Quoted Quinn" in fragment and "Hot Hannah" not in fragment


def test_moving_a_card_from_the_board_swaps_the_board(app, as_role, dbq, leads):
    response = as_role("staff").htmx(
        "post", f"{BASE}/{leads['hot']}/stage", data={"stage": "contacted", "back": "board", "source": "quote_request"}
    )
    assert response.status_code == 200 and "toast" in response.headers["HX-Trigger"]
    html = response.get_data(as_text=True)
    assert 'id="lead-board"' in html and "<html" not in html
    assert "Cold Carl" not in html  # the board's filters came along (hx-include)
    assert dbq.get(Lead, leads["hot"]).stage == "contacted"


def test_moving_without_javascript_redirects_to_the_board(as_role, dbq, leads):
    response = as_role("staff").post_form(f"{BASE}/{leads['hot']}/stage", {"stage": "nurturing", "back": "board"})
    assert response.status_code == 303 and response.location.endswith(f"{BASE}/")
    assert dbq.get(Lead, leads["hot"]).stage == "nurturing"


@pytest.mark.parametrize(
    "data",
    [{"stage": "lost"}, {"stage": "won"}, {"stage": "nope"}, {"stage": "new"}, {}],
)
def test_bad_moves_answer_422_and_change_nothing(as_role, dbq, leads, data):
    response = as_role("staff").htmx("post", f"{BASE}/{leads['hot']}/stage", data=data)
    assert response.status_code == 422 and '"level": "error"' in response.headers["HX-Trigger"]
    lead = dbq.get(Lead, leads["hot"])
    assert lead.stage == "new" and lead.first_response_at is None
    assert dbq.count(LeadEvent, LeadEvent.lead_id == leads["hot"]) == 1


def test_list_filters_paginates_and_answers_htmx_with_the_rows(as_role, leads):
    client = as_role("staff")
    page = client.get(f"{BASE}/list?temperature=cold").get_data(as_text=True)
    assert "<html" in page and "Cold Carl" in page and "Hot Hannah" not in page
    fragment = client.htmx("get", f"{BASE}/list?stage=quoted").get_data(as_text=True)
    assert "<html" not in fragment and "Quoted Quinn" in fragment and "Cold Carl" not in fragment
    assert "Hot Hannah" in client.get(f"{BASE}/list?q=4045550101").get_data(as_text=True)
    overdue = client.get(f"{BASE}/list?overdue=1").get_data(as_text=True)
    assert "Cold Carl" in overdue and "Hot Hannah" not in overdue
    assert "No leads match." in client.get(f"{BASE}/list?owner=me").get_data(as_text=True)


def test_list_pagination(app, world, as_role):
    with app.app_context():
        for n in range(27):
            make_lead(world.station.id, name=f"Paged {n:02d}")
        db.session.commit()
    client = as_role("staff")
    first = client.get(f"{BASE}/list?sort=-created").get_data(as_text=True)
    assert "Page 1 of 2" in first
    second = client.get(f"{BASE}/list?sort=-created&page=2").get_data(as_text=True)
    assert "Paged 00" in second and "Paged 26" not in second


def test_the_lead_page_shows_details_score_timeline_conversations_and_convert_link(app, world, as_role, leads):
    from app.models.conversation import Conversation

    with app.app_context():
        conversation = Conversation(
            station_id=world.station.id,
            channel="sms",
            contact="+14045550101",
            contact_name="Hannah",
            lead_id=leads["hot"],
        )
        db.session.add(conversation)
        db.session.commit()
        conversation_id = conversation.id
    page = as_role("staff").get(f"{BASE}/{leads['hot']}").get_data(as_text=True)
    assert "Hot Hannah" in page and "Source: Quote request" in page and "+30" in page
    assert f"/s/alpha/inbox/{conversation_id}" in page
    assert "First response to Hot Hannah" in page
    link = page[page.index('class="lead-convert" href="') :].split('"')[3].replace("&amp;", "&")
    url = urlparse(link)
    args = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert url.path == "/s/alpha/bookings/new"
    assert args["name"] == "Hot Hannah" and args["phone"] == "+14045550101" and args["adults"] == "20"
    assert args["zip_code"] == "30303" and args["source"] == "lead" and args["lead_id"] == str(leads["hot"])
    assert "event_date" in args
    form = as_role("staff").get(link).get_data(as_text=True)  # the booking form reads them
    assert 'value="Hot Hannah"' in form and 'value="30303"' in form


def test_notes_tasks_owner_and_quotes_from_the_lead_page(app, world, as_role, dbq, leads):
    client = as_role("staff")
    url = f"{BASE}/{leads['cold']}"
    response = client.htmx("post", f"{url}/notes", data={"note": "Left a voicemail"})
    assert response.status_code == 200 and "Left a voicemail" in response.get_data(as_text=True)
    assert client.htmx("post", f"{url}/notes", data={"note": ""}).status_code == 422
    response = client.post_form(f"{url}/tasks", {"title": "Call back", "due_at": "2030-01-02T10:30"})
    assert response.status_code == 303 and response.location.endswith(url)
    task = dbq.scalar(select(Task).where(Task.lead_id == leads["cold"], Task.kind == "follow_up"))
    assert task.title == "Call back" and task.due_at.hour == 15  # 10:30 in New York, as UTC
    assert client.htmx("post", f"{url}/tasks", data={"title": "", "due_at": "soon"}).status_code == 422
    response = client.htmx("post", f"{url}/owner", data={"owner_id": str(world.users["staff"].id)})
    assert response.status_code == 200 and dbq.get(Lead, leads["cold"]).owner_id == world.users["staff"].id
    response = client.htmx("post", f"{url}/owner", data={"owner_id": str(world.users["other_staff"].id)})
    assert response.status_code == 422
    response = client.htmx("post", f"{url}/quote", data={"adults": "12", "children": "0", "zip_code": "30303"})
    assert response.status_code == 200 and "$660.00" in response.get_data(as_text=True)
    assert dbq.get(Lead, leads["cold"]).stage == "quoted"
    assert client.htmx("post", f"{url}/quote", data={"adults": "x"}).status_code == 422


def test_new_lead_form(as_role, dbq, world):
    client = as_role("staff")
    assert client.get(f"{BASE}/new").status_code == 200
    response = client.post_form(f"{BASE}/new", {"name": "", "email": "nope", "guests": "0"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Required." in html and "Not a valid email address." in html and 'value="nope"' in html
    assert client.post_form(f"{BASE}/new", {"name": "No Contact"}).status_code == 422
    assert dbq.count(Lead) == 0
    data = {"name": "Phone Pat", "phone": "(404) 555-0142", "guests": "25", "how_heard": "farmers market"}
    response = client.post_form(f"{BASE}/new", data)
    lead = dbq.scalar(select(Lead))
    assert response.status_code == 303 and response.location.endswith(f"{BASE}/{lead.id}")
    assert (lead.source, lead.phone, lead.owner_id) == ("staff", "+14045550142", world.users["staff"].id)
    assert lead.first_touch["utm_source"] == "farmers market"
    client.post_form(f"{BASE}/new", {"name": "Pat again", "phone": "4045550142", "message": "Any Sunday?"})
    assert dbq.count(Lead) == 1  # the open lead was updated


def test_tasks_list_overdue_first_and_complete_with_htmx(app, world, as_role, dbq, leads):
    with app.app_context():
        cold_task = first_response_task(db.session.get(Lead, leads["cold"]))
        cold_task_id = cold_task.id
    client = as_role("manager")  # the first-response tasks are the manager's
    page = client.get(f"{BASE}/tasks").get_data(as_text=True)
    assert page.index("First response to Cold Carl") < page.index("First response to Hot Hannah")
    assert "overdue" in page and "Beta Bea" not in page
    assert "Cold Carl" in client.htmx("get", f"{BASE}/tasks?view=overdue").get_data(as_text=True)
    response = client.htmx("post", f"{BASE}/tasks/{cold_task_id}/complete", data={"back": "tasks", "view": "mine"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="task-list"' in html and "<html" not in html
    assert "Cold Carl" not in html
    assert dbq.get(Task, cold_task_id).done_at is not None
    assert dbq.get(Lead, leads["cold"]).first_response_at is not None
    again = client.post_form(f"{BASE}/tasks/{cold_task_id}/complete", {"back": "tasks"})
    assert again.status_code == 303  # already done: flashed, nothing changed


def test_merge_needs_leads_merge(app, world, as_role, dbq, leads):
    with app.app_context():
        dup = make_lead(world.station.id, name="Hannah again", email="h@example.com")
        services.move(db.session.get(Lead, leads["hot"]), "contacted", None)
        dup.phone = "+14045550101"
        db.session.commit()
        dup_id = dup.id
    url = f"{BASE}/{leads['hot']}/merge"
    assert as_role("staff").post_form(url, {"duplicate_id": dup_id}).status_code == 403
    page = as_role("manager").get(f"{BASE}/{leads['hot']}").get_data(as_text=True)
    assert "Likely duplicates" in page and "Merge into this lead" in page
    response = as_role("manager").post_form(url, {"duplicate_id": dup_id})
    assert response.status_code == 303
    assert dbq.get(Lead, dup_id).merged_into_id == leads["hot"]
    assert as_role("manager").post_form(url, {"duplicate_id": leads["beta"]}).status_code == 404
    assert as_role("manager").post_form(url, {}).status_code == 303  # nothing chosen: flashed


def test_another_stations_lead_is_not_found_and_chefs_may_not_see_leads(as_role, leads):
    client = as_role("staff")
    assert client.get(f"{BASE}/{leads['beta']}").status_code == 404
    assert client.post_form(f"{BASE}/{leads['beta']}/stage", {"stage": "contacted"}).status_code == 404
    assert as_role("other_staff").get(f"{BASE}/{leads['hot']}").status_code == 404
    assert as_role("chef").get(f"{BASE}/").status_code == 403
