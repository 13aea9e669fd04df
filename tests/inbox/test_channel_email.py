"""Inbound email through the raw-MIME webhook: token, routing, threading, quotes, auto-replies."""

from __future__ import annotations

import io
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from app.extensions import db
from app.inbox.channels import email_in
from app.models.conversation import Conversation, Message
from app.models.station import Station

TOKEN = "inbound-email-token"
INBOX = "hello@alpha.example"
URL = "/webhooks/email/inbound"


@pytest.fixture
def alpha(app, world, monkeypatch):
    """Station alpha's inbox is INBOX, beta's another one; the webhook token is configured."""
    monkeypatch.setitem(app.config, "INBOUND_EMAIL_TOKEN", TOKEN)
    monkeypatch.setitem(app.config, "MAIL_FROM", "Teppan <no-reply@teppan.example>")
    with app.app_context():
        db.session.get(Station, world.station.id).inbox_email = INBOX
        db.session.get(Station, world.other.id).inbox_email = "hello@beta.example"
        db.session.commit()
    return world.station


def mail(
    text: str | None = "Hi! Are you free on June 5th for 12 people?",
    *,
    message_id: str = "<first@mail.example>",
    sender: str = "Ana Ruiz <Ana.Ruiz@Example.com>",
    to: str = f"Teppan Alpha <{INBOX}>",
    subject: str = "Party in June",
    html: str | None = None,
    **headers: str,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    if text is not None:
        message.set_content(text)
    if html is not None:
        if text is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    return message.as_bytes()


def post_mail(client, raw: bytes, *, token: str | None = TOKEN):
    return client.post(
        URL, data=raw, content_type="message/rfc822", query_string={"token": token} if token is not None else None
    )


def messages(app) -> list[Message]:
    with app.app_context():
        return list(db.session.scalars(select(Message).where(Message.channel == "email").order_by(Message.id)))


def conversation_of(app, message: Message) -> Conversation:
    with app.app_context():
        return db.session.get(Conversation, message.conversation_id)


def test_a_raw_email_is_stored_once(app, client, alpha):
    raw = mail()
    first, again = post_mail(client, raw), post_mail(client, raw)
    assert first.status_code == again.status_code == 200
    assert (first.get_data(as_text=True), again.get_data(as_text=True)) == ("stored", "duplicate")
    (message,) = messages(app)
    assert message.station_id == alpha.id and message.provider_id == "<first@mail.example>"
    assert message.body == "Hi! Are you free on June 5th for 12 people?"
    conversation = conversation_of(app, message)
    assert (conversation.contact, conversation.contact_name, conversation.subject) == (
        "ana.ruiz@example.com",
        "Ana Ruiz",
        "Party in June",
    )


@pytest.mark.parametrize("as_file", [False, True], ids=["field", "file"])
def test_sendgrid_posts_the_raw_email_as_a_form_part_with_a_bearer_token(app, client, alpha, as_file):
    raw = mail()
    response = client.post(
        URL,
        data={"email": (io.BytesIO(raw), "email.eml") if as_file else raw.decode(), "to": INBOX},
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 200
    assert len(messages(app)) == 1


@pytest.mark.parametrize("token", ["wrong", "", None], ids=["wrong", "empty", "missing"])
def test_a_bad_token_is_refused_and_nothing_is_stored(app, client, alpha, token):
    assert post_mail(client, mail(), token=token).status_code == 403
    assert messages(app) == []


def test_without_a_configured_token_every_email_is_refused(app, client, alpha, monkeypatch):
    monkeypatch.setitem(app.config, "INBOUND_EMAIL_TOKEN", None)
    assert post_mail(client, mail(), token="").status_code == 403
    assert messages(app) == []


def test_routing_uses_the_envelope_recipient_and_ignores_case(app, client, alpha, world):
    raw = mail(to="Party list <party@friends.example>", Delivered_To="Hello@Beta.Example")
    assert post_mail(client, raw).status_code == 200
    assert messages(app)[0].station_id == world.other.id


def test_mail_to_no_station_inbox_is_dropped(app, client, alpha):
    response = post_mail(client, mail(to="someone@elsewhere.example"))
    assert response.status_code == 200 and response.get_data(as_text=True) == "skipped: unknown inbox"
    assert messages(app) == []


def test_a_reply_lands_in_the_same_conversation(app, client, alpha):
    post_mail(client, mail())
    reply = mail(
        "Also, one guest is vegetarian.",
        message_id="<second@work.example>",
        sender="ana@work.example",  # another address: the thread, not the sender, decides
        subject="Re: Party in June",
        In_Reply_To="<first@mail.example>",
        References="<first@mail.example>",
    )
    assert post_mail(client, reply).status_code == 200
    first, second = messages(app)
    assert second.conversation_id == first.conversation_id
    assert second.in_reply_to == "<first@mail.example>"
    assert conversation_of(app, second).unread == 2


def test_quoted_history_is_cut(app, client, alpha):
    text = (
        "Sounds great, see you then!\n"
        "\n"
        "On Mon, Nov 23, 2026 at 10:00 AM Teppan Alpha <hello@alpha.example>\n"
        "wrote:\n"
        "> Your party is booked.\n"
        "> See you Saturday.\n"
    )
    post_mail(client, mail(text))
    assert messages(app)[0].body == "Sounds great, see you then!"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Perfecto.\n\nEl lun, 23 nov 2026 a las 10:00, Teppan <hola@x.example> escribió:\n> Hola", "Perfecto."),
        ("Yes please\n-----Original Message-----\nFrom: Teppan\nSent: Monday", "Yes please"),
        ("> quoted first\nMy answer below the quote\n> more quote", "My answer below the quote"),
        ("> only a forwarded quote", "> only a forwarded quote"),
        ("On Saturday we will be 12.\nThanks", "On Saturday we will be 12.\nThanks"),
    ],
    ids=["spanish", "outlook", "interleaved", "all quote", "not a quote header"],
)
def test_strip_quoted(text, expected):
    assert email_in.strip_quoted(text) == expected


def test_an_html_only_email_becomes_text_without_its_quote(app, client, alpha):
    html = (
        "<html><head><style>p {color: red}</style></head><body>"
        "<p>Can we add <b>gyoza</b> &amp; edamame?</p><div>Thanks</div>"
        '<div class="gmail_quote"><blockquote>Old message</blockquote></div></body></html>'
    )
    post_mail(client, mail(None, html=html))
    assert messages(app)[0].body == "Can we add gyoza & edamame?\n\nThanks"


def test_the_plain_part_is_preferred_to_the_html_one(app, client, alpha):
    post_mail(client, mail("Plain words", html="<p>HTML words</p>"))
    assert messages(app)[0].body == "Plain words"


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"Precedence": "auto_reply"},
        {"X_Autoreply": "yes"},
        {"sender": "Teppan <No-Reply@teppan.example>"},  # our own MAIL_FROM
        {"sender": "hello@beta.example"},  # another station's inbox: a loop
    ],
    ids=["auto-submitted", "bulk", "auto_reply", "x-autoreply", "mail from", "station inbox"],
)
def test_automatic_and_own_mail_is_skipped(app, client, alpha, headers):
    response = post_mail(client, mail(**headers))
    assert response.status_code == 200 and response.get_data(as_text=True).startswith("skipped")
    assert messages(app) == []


def test_auto_submitted_no_is_a_person(app, client, alpha):
    post_mail(client, mail(Auto_Submitted="no"))
    assert len(messages(app)) == 1


def test_attachments_are_listed_not_stored(app, client, alpha):
    message = EmailMessage()
    message["From"], message["To"], message["Message-ID"] = "ana@example.com", INBOX, "<photo@mail.example>"
    message.set_content("Here is the backyard.")
    message.add_attachment(b"\x89PNG...", maintype="image", subtype="png", filename="yard.png")
    post_mail(client, message.as_bytes())
    (stored,) = messages(app)
    assert stored.body == "Here is the backyard."
    assert stored.meta == {"attachments": [{"filename": "yard.png", "content_type": "image/png"}]}


def test_an_email_without_message_id_is_still_stored_once(app, client, alpha):
    raw = mail().replace(b"Message-ID: <first@mail.example>\n", b"")
    assert b"Message-ID" not in raw
    post_mail(client, raw)
    post_mail(client, raw)
    (message,) = messages(app)
    assert message.provider_id.startswith("<sha256-")


def test_unstorable_bytes_are_replaced(app, client, alpha):
    raw = mail("nul \x00 here").replace(b"Subject: Party in June", b"Subject: caf\xe9 \xff")
    assert post_mail(client, raw).status_code == 200
    (message,) = messages(app)
    assert "\x00" not in message.body and "nul" in message.body


def test_an_empty_body_is_a_400(app, client, alpha):
    assert post_mail(client, b"  ").status_code == 400


def test_an_oversized_email_is_a_413(app, client, alpha):
    raw = mail("x" * (email_in.MAX_EMAIL_BYTES + 100))
    assert post_mail(client, raw).status_code == 413
    assert messages(app) == []
