"""The Jobs page's form (read with app.web.forms.read_form)."""

from __future__ import annotations

from app.web.forms import FormModel


class JobForm(FormModel):
    job_id: str = ""  # checked against what RQ accepts before Redis is asked
