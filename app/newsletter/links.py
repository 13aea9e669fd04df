"""Tracked links: every http(s) URL of a campaign body becomes /n/c/<token>?r=<recipient>.

The redirect goes only to the URL stored for the token (never to anything in the
query), so the endpoint is no open redirect; `r` is the recipient id, signed, so
clicks are counted per recipient without letting anyone forge someone else's.
"""

from __future__ import annotations

import re
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from app.extensions import db
from app.models.newsletter import Campaign, CampaignLink, CampaignRecipient, LinkClick

URL = re.compile(r"https?://[^\s<>\"')\]]+")
RECIPIENT_SALT = "teppan.newsletter.click"
MAX_URL = 2000


def urls_in(body: str) -> list[str]:
    """The distinct links of a body, in order (a trailing full stop is not part of a URL)."""
    found = [match.rstrip(".,;:!?") for match in URL.findall(body or "")]
    return list(dict.fromkeys(u for u in found if len(u) <= MAX_URL))


def ensure_links(campaign: Campaign) -> dict[str, str]:
    """One CampaignLink per URL of the body (created once); {url: token}."""
    existing = dict(
        db.session.execute(
            select(CampaignLink.url, CampaignLink.token).where(CampaignLink.campaign_id == campaign.id)
        ).all()
    )
    for url in urls_in(campaign.body):
        if url not in existing:
            token = secrets.token_urlsafe(12)
            db.session.add(CampaignLink(campaign_id=campaign.id, url=url, token=token, clicks=0))
            existing[url] = token
    db.session.flush()
    return existing


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=RECIPIENT_SALT)


def sign_recipient(recipient_id: int) -> str:
    return _serializer().dumps(recipient_id)


def recipient_of(signed: str | None) -> int | None:
    if not signed:
        return None
    try:
        value = _serializer().loads(signed)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def rewrite(body: str, tokens: dict[str, str], tracked_url, recipient_id: int | None) -> str:
    """The body with each known URL replaced by its tracked address (longest URLs first)."""
    signed = sign_recipient(recipient_id) if recipient_id is not None else None
    for url in sorted(tokens, key=len, reverse=True):
        body = body.replace(url, tracked_url(tokens[url], signed))
    return body


def record_click(token: str, signed_recipient: str | None) -> str | None:
    """Count a click of the link `token`; the URL to redirect to, or None for an unknown token."""
    link = db.session.scalar(select(CampaignLink).where(CampaignLink.token == token[:32]))
    if link is None:
        return None
    recipient_id = recipient_of(signed_recipient)
    if recipient_id is not None:
        # A signed id of another campaign's recipient is not this link's click.
        same_campaign = db.session.scalar(
            select(CampaignRecipient.id).where(
                CampaignRecipient.id == recipient_id, CampaignRecipient.campaign_id == link.campaign_id
            )
        )
        recipient_id = same_campaign
    db.session.execute(update(CampaignLink).where(CampaignLink.id == link.id).values(clicks=CampaignLink.clicks + 1))
    db.session.add(LinkClick(link_id=link.id, recipient_id=recipient_id))
    db.session.flush()
    return link.url
