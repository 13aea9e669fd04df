"""Review pages: the public page of the review link, and the station's reviews page."""

from __future__ import annotations

from functools import partial

from flask import Response, g, make_response, redirect, render_template, request, send_file, url_for

from app.errors import DomainError
from app.extensions import db
from app.models.booking import Booking, BookingStatus
from app.models.chef import Chef
from app.models.review import Review
from app.models.station import Station
from app.permissions import require
from app.reviews import bp, public_bp, queries, services
from app.reviews import photos as photo_store
from app.reviews.forms import FlagsForm
from app.reviews.schemas import ReviewFields
from app.tenancy import get_scoped_or_404, scoped
from app.web.forms import read_form
from app.web.htmx import add_vary, finish_mutation, render
from app.web.pagination import page_url_builder, paginate

# -- public: the review link -------------------------------------------------------------


@public_bp.url_value_preprocessor
def _allow_photo_uploads(endpoint, values):
    # Runs before every before_request (the CSRF check reads the form first), so the
    # upload limit is in force before any byte of the body is parsed.
    request.max_content_length = photo_store.MAX_UPLOAD_BODY


def _booking_of_link(review_token: str) -> tuple[Booking | None, Response | None]:
    """The link's booking, or the page saying why the link does not work (404, 410 expired)."""
    try:
        return services.booking_for_token(review_token), None
    except services.ReviewLinkInvalid as error:
        status = 410 if isinstance(error, services.ReviewLinkExpired) else 404
        return None, make_response(render_template("reviews/link_problem.html", message=error.message), status)


def _uploads() -> list[photo_store.Photo]:
    files = request.files.getlist(photo_store.FIELD)
    return photo_store.read_uploads([(f.filename or "", f.stream) for f in files])


@public_bp.route("/<review_token>", methods=["GET", "POST"])
def page(review_token: str):
    """The review form of one party (a second submission edits the review)."""
    booking, problem = _booking_of_link(review_token)
    if problem is not None:
        return problem
    station = db.session.get(Station, booking.station_id)
    review = services.review_for(booking)
    context = {"booking": booking, "station": station, "review": review, "token": review_token}
    if booking.status != BookingStatus.COMPLETED.value:
        return render_template("reviews/not_yet.html", **context)
    if request.method == "POST":
        try:
            submitted = services.submit_review(booking, read_form(ReviewFields), _uploads(), source="link")
        except DomainError as error:
            db.session.rollback()
            values = request.form.to_dict()
            return make_response(
                render_template("reviews/page.html", error=error, values=values, **context), error.status
            )
        db.session.commit()
        photo_store.remove(submitted.replaced_photos)
        return redirect(url_for("reviews_public.thanks", review_token=review_token), code=303)
    values = {"rating": str(review.rating), "text": review.text, "author_name": review.author_name} if review else {}
    return render_template("reviews/page.html", error=None, values=values, **context)


@public_bp.get("/<review_token>/thanks")
def thanks(review_token: str):
    """Thank you, and the station's Google / Yelp pages: offered to every reviewer."""
    booking, problem = _booking_of_link(review_token)
    if problem is not None:
        return problem
    review = services.review_for(booking)
    if review is None:
        return redirect(url_for("reviews_public.page", review_token=review_token), code=303)
    station = db.session.get(Station, booking.station_id)
    return render_template(
        "reviews/thanks.html", station=station, review=review, token=review_token, links=services.review_links(station)
    )


# -- staff: the station's reviews ------------------------------------------------------------


@bp.get("/")
@require("reviews.view")
def index():
    """Reviews with rating, sentiment, booking, chef, photos and reply; filters and figures."""
    filters = queries.ListFilters.from_args(request.args)
    page = paginate(queries.review_list(filters), per_page=25)
    chefs = db.session.scalars(scoped(Chef).order_by(Chef.name)).all()
    response = render(
        "reviews/index.html",
        "reviews/_results.html",
        page=page,
        filters=filters,
        chefs=chefs,
        summary=queries.summary(g.station_id, *filters.criteria()),
        page_url=page_url_builder("reviews.index"),
    )
    return add_vary(response)


@bp.post("/<int:review_id>/flags")
@require("reviews.manage")
def flags(review_id: int):
    """Feature a review on the site, or hide it from the site and the rating."""
    review = get_scoped_or_404(Review, review_id)
    back = url_for("reviews.index")
    try:
        form = read_form(FlagsForm)
    except DomainError as error:
        return finish_mutation(error, back=back)
    changed = services.set_flags(review, featured=form.featured, is_hidden=form.is_hidden)
    row = partial(render_template, "reviews/_row.html", review=review)
    return finish_mutation(_flags_message(changed), back=back, fragment=lambda _: row())


def _flags_message(changed: dict[str, bool]) -> str:
    if not changed:
        return "Nothing changed."
    words = {
        ("featured", True): "Featured on the site.",
        ("featured", False): "No longer featured.",
        ("is_hidden", True): "Hidden from the site and the rating.",
        ("is_hidden", False): "Visible again.",
    }
    return " ".join(words[item] for item in changed.items())


@bp.get("/<int:review_id>/photos/<int:photo_index>")
@require("reviews.view")
def photo(review_id: int, photo_index: int):
    """One photo of a review of this station (never a path from the URL)."""
    review = get_scoped_or_404(Review, review_id)
    entries = review.photos or []
    if photo_index >= len(entries):
        return make_response("No such photo.", 404)
    entry = entries[photo_index]
    path = photo_store.resolve(entry.get("path", ""))
    if path is None or not path.is_file():
        return make_response("The photo file is missing.", 404)
    data = path.read_bytes()
    kind = photo_store.sniff(data[:16])
    # Stored before uploads were checked for their pixel count: never hand a bomb to a browser.
    if kind is None or photo_store.header_problem(data, kind):
        return make_response("This photo cannot be shown: it is not a safe image.", 410)
    response = send_file(path, mimetype=entry.get("content_type"), max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
