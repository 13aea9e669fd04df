"""Station forms."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

US_TIMEZONES = sorted(tz for tz in available_timezones() if tz.startswith(("America/", "Pacific/Honolulu")))


class StationForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    slug = StringField(
        "Slug (in addresses)",
        validators=[
            DataRequired(),
            Regexp(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$", message="Lower-case letters, digits and dashes."),
        ],
    )
    timezone = SelectField("Timezone", choices=[(tz, tz) for tz in US_TIMEZONES], default="America/New_York")
    address = StringField("Address", validators=[Optional(), Length(max=255)])
    zip_code = StringField("ZIP", validators=[DataRequired(), Regexp(r"^[0-9]{5}$", message="5 digits.")])
    phone = StringField("Phone", validators=[Optional(), Length(max=32)])
    email = EmailField("Email", validators=[Optional(), Email(check_deliverability=False)])
    is_active = BooleanField("Active (takes bookings)", default=True)
    # Where the inbox receives this station's messages (see README, "Conversations").
    sms_number = StringField("Twilio number for SMS", validators=[Optional(), Length(max=32)])
    instagram_account_id = StringField("Instagram business account id", validators=[Optional(), Length(max=64)])
    inbox_email = EmailField("Inbox email address", validators=[Optional(), Email(check_deliverability=False)])

    def data_for_service(self) -> dict:
        return {
            name: self[name].data
            for name in ("name", "slug", "timezone", "address", "zip_code", "phone", "email", "is_active")
        } | {
            "address": self.address.data or "",
            "phone": self.phone.data or "",
            "email": self.email.data or "",
            # Empty means "none": NULL keeps the unique constraints out of the way.
            "sms_number": (self.sms_number.data or "").strip() or None,
            "instagram_account_id": (self.instagram_account_id.data or "").strip() or None,
            "inbox_email": (self.inbox_email.data or "").strip() or None,
        }
