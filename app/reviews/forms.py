"""The staff reviews page's form (read with app.web.forms.read_form)."""

from __future__ import annotations

from app.web.forms import FormModel


class FlagsForm(FormModel):
    """Either flag may be sent alone; one not sent stays as it is."""

    featured: bool | None = None
    is_hidden: bool | None = None
