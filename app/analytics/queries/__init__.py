"""One module per analytics page; each has TITLE, `build(filters) -> Page` and `headlines(filters)`."""

from app.analytics.queries import conversations, funnel, operations, revenue, reviews

PAGES = {
    "revenue": revenue,
    "funnel": funnel,
    "operations": operations,
    "conversations": conversations,
    "reviews": reviews,
}
