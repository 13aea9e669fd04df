"""The customer page's forms (read with app.web.forms.read_form)."""

from __future__ import annotations

from app.web.forms import FormModel, Id


class NotesForm(FormModel):
    notes: str = ""  # empty clears them; the service limits the length


class MergeForm(FormModel):
    duplicate_id: Id | None = None
