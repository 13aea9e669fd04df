"""POST /api/v1/reviews and GET /api/v1/stations/<slug>/reviews."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.review import Review
from app.models.station import Station
from app.notifications.review_links import review_token
from tests.bookings.conftest import add_chef
from tests.reviews.conftest import LINKS, completed_party

API = "/api/v1"


def _post(client, body, **kwargs):
    return client.post(f"{API}/reviews", data=json.dumps(body), content_type="application/json", **kwargs)


def test_a_review_by_token_then_its_edit(client, party, dbq):
    first = _post(client, {"token": party.token, "rating": 5, "text": "Wonderful night"})
    assert first.status_code == 201, first.json
    assert first.json["status"] == "created" and first.json["review_links"] == LINKS
    again = _post(
        client, {"token": party.token, "rating": 4, "text": "Wonderful night, a bit late", "author_name": "A"}
    )
    assert again.status_code == 200 and again.json["status"] == "updated"
    [review] = dbq.scalars(select(Review))
    assert (review.rating, review.source, review.author_name, review.chef_id) == (4, "api", "A", party.chef_id)


def _bad_bodies(token: str) -> list[tuple[object, int, str]]:
    return [
        ({"rating": 5, "text": "no token"}, 422, "token"),
        ({"token": token, "text": "no rating"}, 422, "rating"),
        ({"token": token, "rating": 0}, 422, "rating"),
        ({"token": token, "rating": 6}, 422, "rating"),
        ({"token": token, "rating": "5"}, 422, "rating"),
        ({"token": token, "rating": True}, 422, "rating"),
        ({"token": token, "rating": 4, "text": "x" * 5001}, 422, "text"),
        ({"token": token, "rating": 4, "text": "a\u0000b"}, 422, "text"),
        ({"token": token, "rating": 4, "author_name": "x\u0000"}, 422, "author_name"),
        ({"token": token + "x", "rating": 4}, 422, "token"),
        ({"token": "nonsense", "rating": 4}, 422, "token"),
        ({"token": token, "rating": 4, "photos": ["data:image/png;base64,AAAA"]}, 422, "photos"),
        ([1, 2], 400, ""),
    ]


def test_bad_input_answers_json_4xx_and_writes_nothing(client, party, dbq):
    for body, status, field in _bad_bodies(party.token):
        response = _post(client, body)
        assert response.status_code == status, (body, response.json)
        assert response.is_json and response.json["error"]["message"]
        if field:
            assert field in response.json["error"]["fields"], (body, response.json)
    assert client.post(f"{API}/reviews", data=b"{not json", content_type="application/json").status_code == 400
    assert client.post(f"{API}/reviews", data=b"", content_type="application/json").status_code == 400
    assert dbq.scalars(select(Review)) == []


def test_a_party_not_yet_held_cannot_be_reviewed(app, client, world, dbq):
    from app.bookings.services import create_booking
    from app.bookings.timeline import Actor
    from tests.bookings.conftest import booking_request

    with app.test_request_context():
        station = db.session.get(Station, world.station.id)
        add_chef(station, "Kenji")
        booking = create_booking(station, booking_request(), actor=Actor.customer("web"), source="api")
        db.session.commit()
        token = review_token(booking.id)
    response = _post(client, {"token": token, "rating": 5})
    assert response.status_code == 409 and response.json["error"]["code"] == "review_not_open"
    assert dbq.scalars(select(Review)) == []


def test_reviews_are_rate_limited_per_ip(make_app, party):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", API_RATELIMIT_REVIEWS="2 per minute")
    client = limited.test_client()
    statuses = [_post(client, {"token": party.token, "rating": 5}).status_code for _ in range(3)]
    assert statuses == [201, 200, 429]


@pytest.fixture
def reviewed(app, party):
    """Four reviews of alpha: two featured (one of them hidden), ratings 5, 4, 3, 1."""
    with app.test_request_context():
        station = db.session.get(Station, party.station_id)
        chef = add_chef(station, "Hana")
        rows = [
            (party.booking_id, 5, True, False, "Grace Brewster Hopper"),
            (completed_party(station, chef, day_offset=15).id, 4, True, False, "Alan"),
            (completed_party(station, day_offset=16).id, 3, False, False, "Edsger Dijkstra"),
            (completed_party(station, day_offset=17).id, 1, True, True, "Hidden Person"),
        ]
        for booking_id, rating, featured, hidden, name in rows:
            db.session.add(
                Review(
                    station_id=station.id,
                    booking_id=booking_id,
                    rating=rating,
                    text=f"{rating} stars",
                    author_name=name,
                    featured=featured,
                    is_hidden=hidden,
                    photos=[],
                )
            )
        db.session.commit()
    return party


def test_featured_reviews_with_aggregate_rating(client, reviewed):
    response = client.get(f"{API}/stations/{reviewed.slug}/reviews")
    assert response.status_code == 200
    assert "max-age=300" in response.headers["Cache-Control"]
    body = response.json
    assert body["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": 4.0,  # (5 + 4 + 3) / 3: the hidden review is left out
        "reviewCount": 3,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert sorted(r["author"] for r in body["reviews"]) == ["Alan", "Grace H."]
    assert {r["rating"] for r in body["reviews"]} == {5, 4}
    assert all(set(r) == {"author", "rating", "text", "date", "reply"} for r in body["reviews"])


def test_a_station_without_reviews_and_an_unknown_one(client, world):
    empty = client.get(f"{API}/stations/{world.other.slug}/reviews").json
    assert empty["aggregateRating"]["reviewCount"] == 0 and empty["aggregateRating"]["ratingValue"] is None
    assert empty["reviews"] == []
    assert client.get(f"{API}/stations/nowhere/reviews").status_code == 404
    assert client.get(f"{API}/stations/NOT%20A%20SLUG/reviews").status_code == 404
