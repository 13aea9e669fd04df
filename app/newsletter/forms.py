"""The newsletter pages' forms (read with app.web.forms.read_form; the rules live in the services)."""

from __future__ import annotations

from pydantic import Field

from app.web.forms import FormModel


class CampaignForm(FormModel):
    name: str = ""  # app.newsletter.campaigns.save says what each field needs
    channel: str | None = None  # absent: the campaign's own, or email
    subject: str = ""
    body: str = ""
    segment_id: str = ""


class TestSendForm(FormModel):
    phone: str | None = None  # SMS campaigns: where the test goes (email ones go to you)


class ScheduleForm(FormModel):
    scheduled_at: str = ""  # a datetime-local value, station time


class SegmentForm(FormModel):
    name: str = ""
    past_customers: bool = False
    lead_stages: list[str] = Field(default_factory=list)
    tags: str = ""  # comma-separated

    def rules(self) -> dict:
        """The rules as typed (app.newsletter.segments.clean_rules checks them)."""
        tags = [tag.strip() for tag in self.tags.split(",") if tag.strip()]
        return {"past_customers": self.past_customers, "lead_stages": list(self.lead_stages), "tags": tags}
