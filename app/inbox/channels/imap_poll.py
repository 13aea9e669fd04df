"""Inbound email read from an IMAP mailbox: the periodic job `conversations.poll_imap`.

For a mailbox that no inbound-parse service forwards (IMAP_HOST, IMAP_PORT, IMAP_SSL,
IMAP_USERNAME, IMAP_PASSWORD, IMAP_FOLDER). Each unseen message is fetched without
marking it (BODY.PEEK), stored through the same parser as the webhook and committed;
only then is it flagged \\Seen. A crash in between leaves it unseen: the next poll
reads it again and `receive()` dedupes it by its Message-ID. A message that fails to
store is left unseen and logged, and the others still go in.
"""

from __future__ import annotations

import imaplib
import logging
from collections import Counter

from flask import current_app

from app.extensions import db
from app.inbox.channels.email_in import receive_raw
from app.jobs.registry import job

log = logging.getLogger(__name__)

BATCH = 50  # messages per poll, so one run stays well inside the job's timeout
TIMEOUT_SECONDS = 30  # per socket operation


def _connect(config) -> imaplib.IMAP4:
    mailbox_class = imaplib.IMAP4_SSL if config.get("IMAP_SSL", True) else imaplib.IMAP4
    return mailbox_class(config["IMAP_HOST"], config.get("IMAP_PORT") or 993, timeout=TIMEOUT_SECONDS)


def _fetch(mailbox: imaplib.IMAP4, uid: bytes) -> bytes | None:
    status, data = mailbox.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        return None
    # data: [(b'1 (UID 7 BODY[] {1234}', b'<raw message>'), b')']
    return next((item[1] for item in data if isinstance(item, tuple)), None)


@job("conversations.poll_imap", queue="periodic", retries=0, timeout=300)
def poll_imap() -> dict[str, int] | str:
    """Store the unseen mail of the configured IMAP folder; counts by outcome."""
    config = current_app.config
    if not config.get("IMAP_HOST"):
        return "not configured"
    outcomes: Counter[str] = Counter()
    with _connect(config) as mailbox:  # logs out on leaving
        mailbox.login(config.get("IMAP_USERNAME") or "", config.get("IMAP_PASSWORD") or "")
        folder = config.get("IMAP_FOLDER") or "INBOX"
        status, detail = mailbox.select(folder)
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open IMAP folder {folder!r}: {detail!r}")
        status, found = mailbox.uid("SEARCH", None, "UNSEEN")
        if status != "OK":
            raise imaplib.IMAP4.error(f"IMAP search failed: {found!r}")
        for uid in found[0].split()[:BATCH]:
            raw = _fetch(mailbox, uid)
            if raw is None:
                outcomes["unreadable"] += 1
                continue
            try:
                outcomes[receive_raw(raw)] += 1
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("IMAP message %s could not be stored; it stays unseen", uid.decode())
                outcomes["failed"] += 1
                continue
            # After the commit: marked only once it is safely stored.
            mailbox.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    return dict(outcomes)
