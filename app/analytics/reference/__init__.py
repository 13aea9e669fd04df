"""The reference: each page computed by raw queries over the source rows (slow at scale).

The pages read the daily rollups (app.analytics.queries); these modules answer the same
`build(filters)` and `headlines(filters)` straight from bookings, payments, leads, messages,
drafts and reviews. `flask analytics verify` and tests/analytics/test_rollups_property.py hold
the fast path to them: every figure equal (percentiles within app.analytics.histogram's error).
"""

from app.analytics.reference import conversations, funnel, operations, revenue, reviews

PAGES = {
    "revenue": revenue,
    "funnel": funnel,
    "operations": operations,
    "conversations": conversations,
    "reviews": reviews,
}
