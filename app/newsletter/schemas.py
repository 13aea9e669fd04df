"""The newsletter sign-up's request and answer (pydantic): validated by the API view and
turned into the OpenAPI document. No app or database needed."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.customers.contact import OptionalContact

MAX_TAGS = 20

Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
ConsentText = Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class SubscriptionRequest(OptionalContact):
    """A newsletter sign-up: an email and/or a phone, each with its own consent."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    station: str = Field(max_length=60, pattern=r"^[a-z0-9-]{1,60}$", description="Station slug")
    email: str | None = Field(default=None, max_length=255)
    phone: str | None = Field(default=None, max_length=32)
    name: str = Field(default="", max_length=120)
    email_consent: bool = Field(default=False, description="Newsletter by email (double opt-in)")
    email_consent_text: ConsentText | None = Field(default=None, description="The text shown next to the email box")
    sms_consent: bool = Field(default=False, description="Newsletter by SMS")
    sms_consent_text: ConsentText | None = Field(default=None, description="The text shown next to the SMS box")
    tags: list[Tag] = Field(
        default_factory=list, max_length=MAX_TAGS, description="Lower-case interests, e.g. 'birthday'"
    )

    @model_validator(mode="after")
    def _consents(self) -> SubscriptionRequest:
        if not self.email_consent and not self.sms_consent:
            raise ValueError("give email_consent or sms_consent (or both)")
        if self.email_consent and (not self.email or not self.email_consent_text):
            raise ValueError("email_consent needs an email and the email_consent_text shown")
        if self.sms_consent and (not self.phone or not self.sms_consent_text):
            raise ValueError("sms_consent needs a phone and the sms_consent_text shown")
        return self


class SubscriptionReceived(BaseModel):
    email: Literal["confirmation_sent", "already_subscribed", "not_requested"] = Field(
        description="confirmation_sent: a link to confirm was emailed (double opt-in)"
    )
    sms: Literal["subscribed", "not_requested"]
