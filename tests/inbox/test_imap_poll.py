"""The IMAP poll against a real IMAP server: pymap's in-memory backend, on a local port."""

from __future__ import annotations

import imaplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from app.extensions import db
from app.inbox.channels import imap_poll
from app.models.conversation import Message
from app.models.station import Station

USER, PASSWORD = "hello@alpha.example", "mailbox-password"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def imap_server():
    """pymap on a free port, plain IMAP, one in-memory mailbox for USER."""
    port = _free_port()
    command = [sys.executable, "-c", "import sys; from pymap.main import main; sys.exit(main())"]
    arguments = ["--host", "127.0.0.1", "--port", str(port), "--no-tls", "dict"]
    process = subprocess.Popen(
        [*command, *arguments, "--demo-user", USER, "--demo-password", PASSWORD],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("pymap did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


class Mailbox:
    """The test's own IMAP client: puts mail in and reads the flags back."""

    def __init__(self, port: int) -> None:
        self.port = port

    def _session(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=5)
        client.login(USER, PASSWORD)
        client.select("INBOX")
        return client

    def deliver(self, raw: bytes) -> None:
        with self._session() as client:
            client.append("INBOX", None, None, raw)

    def unseen(self) -> list[bytes]:
        with self._session() as client:
            return client.uid("SEARCH", None, "UNSEEN")[1][0].split()

    def mark_unseen(self) -> None:
        with self._session() as client:
            for uid in client.uid("SEARCH", None, "ALL")[1][0].split():
                client.uid("STORE", uid, "-FLAGS", "(\\Seen)")


@pytest.fixture
def mailbox(app, world, monkeypatch, imap_server) -> Mailbox:
    """The app polls the local server; station alpha's inbox is USER."""
    for name, value in {
        "IMAP_HOST": "127.0.0.1",
        "IMAP_PORT": imap_server,
        "IMAP_SSL": False,
        "IMAP_USERNAME": USER,
        "IMAP_PASSWORD": PASSWORD,
        "IMAP_FOLDER": "INBOX",
    }.items():
        monkeypatch.setitem(app.config, name, value)
    with app.app_context():
        db.session.get(Station, world.station.id).inbox_email = USER
        db.session.commit()
    return Mailbox(imap_server)


def mail(number: int, text: str = "Do you have Sunday open?") -> bytes:
    message = EmailMessage()
    message["From"] = f"Guest {number} <guest{number}@example.com>"
    message["To"] = USER
    message["Subject"] = f"Question {number}"
    message["Message-ID"] = f"<q{number}@example.com>"
    message.set_content(text)
    return message.as_bytes()


def poll(app):
    with app.app_context():
        return imap_poll.poll_imap()


def stored(app) -> list[Message]:
    with app.app_context():
        return list(db.session.scalars(select(Message).where(Message.channel == "email").order_by(Message.id)))


def test_unseen_mail_is_stored_then_marked_seen(app, mailbox, world):
    mailbox.deliver(mail(1))
    mailbox.deliver(mail(2, "Also: 14 guests."))
    mailbox.deliver(mail(3).replace(f"To: {USER}".encode(), b"To: nobody@elsewhere.example"))
    assert poll(app) == {"stored": 2, "skipped: unknown inbox": 1}
    assert [(m.provider_id, m.body, m.station_id) for m in stored(app)] == [
        ("<q1@example.com>", "Do you have Sunday open?", world.station.id),
        ("<q2@example.com>", "Also: 14 guests.", world.station.id),
    ]
    assert mailbox.unseen() == []
    assert poll(app) == {}  # nothing new


def test_mail_read_again_after_a_crash_is_not_stored_twice(app, mailbox):
    mailbox.deliver(mail(1))
    poll(app)
    mailbox.mark_unseen()  # as if the poll died between the commit and the \Seen flag
    assert poll(app) == {"duplicate": 1}
    assert len(stored(app)) == 1 and mailbox.unseen() == []


def test_a_message_that_fails_stays_unseen_and_the_others_go_in(app, mailbox, monkeypatch):
    real_receive = imap_poll.receive_raw

    def receive_failing_on_the_first(raw: bytes) -> str:
        if b"<q1@example.com>" in raw:
            raise RuntimeError("database hiccup")
        return real_receive(raw)

    monkeypatch.setattr(imap_poll, "receive_raw", receive_failing_on_the_first)
    mailbox.deliver(mail(1))
    mailbox.deliver(mail(2))
    assert poll(app) == {"failed": 1, "stored": 1}
    assert [m.provider_id for m in stored(app)] == ["<q2@example.com>"]
    assert len(mailbox.unseen()) == 1


def test_a_missing_folder_fails_the_job_loudly(app, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "IMAP_FOLDER", "Nowhere")
    with pytest.raises(imaplib.IMAP4.error, match="Nowhere"):
        poll(app)


def test_without_imap_host_the_poll_does_nothing(app):
    assert poll(app) == "not configured"
