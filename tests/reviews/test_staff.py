"""The station's reviews page: who sees and changes what, filters, photos."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.models.review import Review
from tests.reviews.conftest import png_bytes


@pytest.fixture
def review(client, party, dbq) -> Review:
    """The party's review, left through its link, with one photo."""
    files = [(io.BytesIO(png_bytes()), "party.png")]
    response = client.post_form(
        f"/review/{party.token}",
        {"rating": "5", "text": "Onion volcano!", "photos": files},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    [row] = dbq.scalars(select(Review))
    return row


def _base(party) -> str:
    return f"/s/{party.slug}/reviews"


def test_staff_see_rating_text_booking_chef_photos_and_the_average(as_role, party, review):
    html = as_role("staff").get(f"{_base(party)}/").get_data(as_text=True)
    assert "Onion volcano!" in html and party.reference in html and "Kenji" in html
    assert f"/bookings/{party.booking_id}" in html
    assert f"/reviews/{review.id}/photos/0" in html
    assert "average <strong>5.0</strong>" in html
    assert f"/inbox/{review.conversation_id}" in html
    assert "/flags" not in html  # staff may not feature or hide


def test_filters_narrow_the_list(as_role, party, review):
    staff = as_role("staff")
    assert "Onion volcano!" in staff.get(f"{_base(party)}/?rating=5&replied=no").get_data(as_text=True)
    assert "Onion volcano!" not in staff.get(f"{_base(party)}/?rating=2").get_data(as_text=True)
    assert "Onion volcano!" not in staff.get(f"{_base(party)}/?featured=yes").get_data(as_text=True)
    fragment = staff.htmx("get", f"{_base(party)}/?chef={party.chef_id}")
    assert "<html" not in fragment.get_data(as_text=True) and "Onion volcano!" in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers.get("Vary", "")
    assert staff.get(f"{_base(party)}/?rating=banana&chef=x&page=-3").status_code == 200


def test_staff_cannot_feature_a_manager_can(as_role, party, review, dbq):
    url = f"{_base(party)}/{review.id}/flags"
    assert as_role("staff").post_form(url, {"featured": "1"}).status_code == 403
    assert dbq.get(Review, review.id).featured is False

    row = as_role("manager").htmx("post", url, data={"featured": "1"})
    assert row.status_code == 200 and "Unfeature" in row.get_data(as_text=True)
    assert "Featured on the site." in row.headers["HX-Trigger"]
    assert dbq.get(Review, review.id).featured is True

    plain = as_role("manager").post_form(url, {"is_hidden": "1"})
    assert plain.status_code == 303
    assert dbq.get(Review, review.id).is_hidden is True


def test_photos_are_served_to_the_station_only(as_role, party, review):
    photo = as_role("staff").get(f"{_base(party)}/{review.id}/photos/0")
    assert photo.status_code == 200 and photo.mimetype == "image/png" and photo.data == png_bytes()
    assert as_role("staff").get(f"{_base(party)}/{review.id}/photos/1").status_code == 404
    assert as_role("other_manager").get(f"{_base(party)}/{review.id}/photos/0").status_code == 404
    assert as_role("other_manager").get(f"{_base(party)}/").status_code == 404


def test_another_stations_review_is_404_under_its_own_slug(as_role, world, review):
    other = as_role("other_manager")
    assert other.get(f"/s/{world.other.slug}/reviews/{review.id}/photos/0").status_code == 404
    assert other.post_form(f"/s/{world.other.slug}/reviews/{review.id}/flags", {"featured": "1"}).status_code == 404


def test_chefs_cannot_see_reviews(as_role, party):
    assert as_role("chef").get(f"{_base(party)}/").status_code == 403
