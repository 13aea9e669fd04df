"""Every module that defines jobs, imported once so the registry knows them all."""

from __future__ import annotations

import importlib

JOB_MODULES = (
    "app.jobs.builtin",
    "app.delivery.jobs",
    "app.bookings.jobs",
    "app.notifications.jobs",
    "app.payments.jobs",
    "app.ai.jobs",
    "app.inbox.jobs",
    "app.inbox.alerts",
    "app.inbox.sending",
    "app.inbox.channels.imap_poll",
    "app.reviews.jobs",
    "app.newsletter.jobs",
    "app.leads.jobs",
    "app.analytics.maintenance",
)


def load() -> None:
    for name in JOB_MODULES:
        importlib.import_module(name)
