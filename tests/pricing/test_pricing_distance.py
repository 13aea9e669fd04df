"""Distance providers: offline ZIP centroids with real ZIPs, and a routing API against a local fake."""

from __future__ import annotations

import logging
import socket
import time

import pytest
from werkzeug import Request, Response

from app.errors import ValidationFailed
from app.pricing import distance
from app.pricing.distance import (
    ROAD_FACTOR,
    DistanceProvider,
    DistanceResult,
    RoutingProvider,
    UnknownZip,
    ZipCentroidProvider,
    centroid,
    haversine_miles,
    provider_for,
)

ATLANTA = "30313"  # the demo Atlanta station
DOWNTOWN_ATLANTA = "30303"
DALLAS = "75201"


def route_path(from_zip: str, to_zip: str) -> str:
    (lat1, lon1), (lat2, lon2) = centroid(from_zip), centroid(to_zip)
    return f"/route/v1/driving/{lon1:.6f},{lat1:.6f};{lon2:.6f},{lat2:.6f}"


def test_nearby_zip_is_a_short_estimate():
    result = ZipCentroidProvider().miles(ATLANTA, DOWNTOWN_ATLANTA)
    assert result.estimate is True and result.method == "zip-centroid"
    assert 0 < result.miles < 5
    assert result.miles == round(result.miles, 1)


def test_dallas_is_far_outside_150_miles():
    result = ZipCentroidProvider().miles(ATLANTA, DALLAS)
    # ~720 straight-line miles between the two downtowns, times the road factor.
    assert 850 < result.miles < 950
    assert result.miles == pytest.approx(720 * ROAD_FACTOR, rel=0.05)


def test_same_zip_is_zero_and_zip_plus_four_is_accepted():
    assert ZipCentroidProvider().miles(ATLANTA, ATLANTA).miles == 0.0
    p = ZipCentroidProvider()
    assert p.miles(ATLANTA, " 30303-1234 ") == p.miles(ATLANTA, "30303")


def test_distance_is_symmetric():
    p = ZipCentroidProvider()
    assert p.miles(ATLANTA, DALLAS) == p.miles(DALLAS, ATLANTA)


def test_haversine_known_value():
    # One degree of latitude is about 69.1 miles.
    assert haversine_miles((33.0, -84.0), (34.0, -84.0)) == pytest.approx(69.1, abs=0.1)


@pytest.mark.parametrize("bad", ["00000", "99999"])
def test_unknown_zip_is_a_validation_failure(bad):
    with pytest.raises(UnknownZip) as info:
        ZipCentroidProvider().miles(ATLANTA, bad)
    err = info.value
    assert isinstance(err, ValidationFailed) and err.status == 422 and err.code == "unknown_zip"
    assert err.message == f"We do not know the ZIP code {bad}."
    assert err.fields == {"to_zip": err.message} and err.zip_code == bad


@pytest.mark.parametrize("bad", ["", "   ", "3031", "303133", "abcde", "30313-12", None, 30313])
def test_malformed_zip_is_refused_not_crashed(bad):
    with pytest.raises(UnknownZip) as info:
        ZipCentroidProvider().miles(bad, ATLANTA)
    assert info.value.field == "from_zip"


def test_providers_satisfy_the_protocol():
    assert isinstance(ZipCentroidProvider(), DistanceProvider)
    assert isinstance(RoutingProvider("http://routing.invalid"), DistanceProvider)


def test_provider_for_picks_by_config():
    assert isinstance(provider_for({}), ZipCentroidProvider)
    assert isinstance(provider_for({"ROUTING_API_URL": ""}), ZipCentroidProvider)
    routed = provider_for({"ROUTING_API_URL": "http://osrm.local:5000/", "ROUTING_API_KEY": "k"})
    assert isinstance(routed, RoutingProvider)
    assert (routed.url, routed.api_key) == ("http://osrm.local:5000", "k")


def test_distance_result_round_trips():
    result = DistanceResult(12.3, True, "routing")
    assert DistanceResult.from_dict(result.as_dict()) == result


# Routing provider, against pytest-httpserver (a real local HTTP server).


def test_routing_reads_metres_of_the_first_route(httpserver):
    httpserver.expect_request(route_path(ATLANTA, DALLAS), query_string="overview=false").respond_with_json(
        {"code": "Ok", "routes": [{"distance": 1_250_000.0, "duration": 40000}]}
    )
    result = RoutingProvider(httpserver.url_for("/")).miles(ATLANTA, DALLAS)
    assert result == DistanceResult(776.7, True, "routing")  # 1,250 km; centre to centre, so an estimate
    httpserver.check_assertions()


def test_routing_sends_the_key_in_a_header_not_the_url(httpserver):
    httpserver.expect_request(
        route_path(ATLANTA, DOWNTOWN_ATLANTA), headers={"Authorization": "Bearer s3cret"}
    ).respond_with_json({"code": "Ok", "routes": [{"distance": 3218.688}]})
    provider = provider_for({"ROUTING_API_URL": httpserver.url_for(""), "ROUTING_API_KEY": "s3cret"})
    assert provider.miles(ATLANTA, DOWNTOWN_ATLANTA).miles == 2.0
    (request, _response), *_ = httpserver.log
    assert "s3cret" not in request.url


def test_routing_results_are_cached(httpserver):
    httpserver.expect_request(route_path(ATLANTA, DALLAS)).respond_with_json(
        {"code": "Ok", "routes": [{"distance": 1_000_000}]}
    )
    provider = RoutingProvider(httpserver.url_for("/"))
    assert provider.miles(ATLANTA, DALLAS) == provider.miles(ATLANTA, DALLAS)
    assert len(httpserver.log) == 1


def json_response(body: str) -> Response:
    return Response(body, content_type="application/json")


def fallback_cases():
    yield "server error", lambda: Response("boom", status=500)
    yield "not json", lambda: Response("<html>", content_type="text/html")
    yield "no route", lambda: json_response('{"code": "NoRoute", "routes": []}')
    yield "empty routes", lambda: json_response('{"code": "Ok", "routes": []}')
    yield "bad distance", lambda: json_response('{"code": "Ok", "routes": [{"distance": "far"}]}')
    yield "negative", lambda: json_response('{"code": "Ok", "routes": [{"distance": -5}]}')
    yield "a list", lambda: json_response("[1, 2]")


@pytest.mark.parametrize(("case", "make_response"), list(fallback_cases()), ids=lambda v: v)
def test_routing_falls_back_to_centroids_on_bad_answers(httpserver, caplog, case, make_response):
    path = route_path(ATLANTA, DALLAS)
    httpserver.expect_request(path).respond_with_handler(lambda _request: make_response())
    with caplog.at_level(logging.WARNING, logger="app.pricing.distance"):
        result = RoutingProvider(httpserver.url_for("/")).miles(ATLANTA, DALLAS)
    assert result == ZipCentroidProvider().miles(ATLANTA, DALLAS)
    assert result.method == "zip-centroid" and result.estimate
    assert "using the ZIP-centroid estimate" in caplog.text
    assert len(httpserver.log) == 1


def test_routing_falls_back_on_timeout(httpserver, monkeypatch, caplog):
    monkeypatch.setattr(distance, "ROUTING_TIMEOUT_SECONDS", 0.2)

    def slow(_request: Request) -> Response:
        time.sleep(0.6)
        return Response('{"code": "Ok", "routes": [{"distance": 1}]}', content_type="application/json")

    httpserver.expect_request(route_path(ATLANTA, DALLAS)).respond_with_handler(slow)
    with caplog.at_level(logging.WARNING):
        result = RoutingProvider(httpserver.url_for("/")).miles(ATLANTA, DALLAS)
    assert result.method == "zip-centroid"
    assert "timed out" in caplog.text


def test_routing_falls_back_when_nothing_listens(caplog):
    # A port that was free a moment ago: connection refused, quickly.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with caplog.at_level(logging.WARNING):
        result = RoutingProvider(f"http://127.0.0.1:{port}").miles(ATLANTA, DOWNTOWN_ATLANTA)
    assert result.method == "zip-centroid"
    assert f"Routing API http://127.0.0.1:{port} failed" in caplog.text


def test_failures_are_not_cached(httpserver):
    path = route_path(ATLANTA, DALLAS)
    httpserver.expect_ordered_request(path).respond_with_data("down", status=503)
    one_mile = {"code": "Ok", "routes": [{"distance": 1609.344}]}
    httpserver.expect_ordered_request(path).respond_with_json(one_mile)
    provider = RoutingProvider(httpserver.url_for("/"))
    assert provider.miles(ATLANTA, DALLAS).method == "zip-centroid"
    assert provider.miles(ATLANTA, DALLAS) == DistanceResult(1.0, True, "routing")


def test_routing_refuses_unknown_zips_without_calling_out(httpserver):
    with pytest.raises(UnknownZip):
        RoutingProvider(httpserver.url_for("/")).miles(ATLANTA, "00000")
    assert httpserver.log == []
