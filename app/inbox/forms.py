"""The inbox's forms (read with app.web.forms.read_form; the rules live in the services)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.web.forms import FormModel, Id


class DraftForm(FormModel):
    """The reply box: the text as edited, the draft it was showing, the newest message seen."""

    text: str = ""  # the drafts service says when it is empty or too long
    draft_id: Id | None = None
    seen_message_id: Id | None = None


class RejectForm(FormModel):
    draft_id: Id | None = None
    reason: str = Field(default="", max_length=2000)


class LabelsForm(FormModel):
    intent: str | None = None  # the learning service checks them against the label sets
    emotion: str | None = None


class StatusForm(FormModel):
    status: Literal["open", "closed"]


class KnowledgeForm(FormModel):
    kind: str = "faq"
    question: str = ""
    answer: str = ""
    is_active: bool | None = None  # absent: on for a new entry, off for an edited one


class CannedForm(FormModel):
    title: str = ""
    body: str = ""
