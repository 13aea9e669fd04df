"""Forms of the chef pages (parsing only; the rules live in app.chefs.services)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from app.chefs.services import WEEKDAYS, ChefData


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class ChefForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    email = StringField("Email", validators=[Optional(), Length(max=255)])
    is_active = BooleanField("Active (counts towards capacity)", default=True)
    user_id = SelectField("Signs in as", coerce=_optional_int, validate_choice=False)

    def offer_users(self, users) -> None:
        self.user_id.choices = [SelectChoice("", "— no account —")] + [
            SelectChoice(u.id, f"{u.name} ({u.email})") for u in users
        ]

    def data_for_service(self) -> ChefData:
        return ChefData(
            name=self.name.data or "",
            phone=self.phone.data or "",
            email=self.email.data or "",
            is_active=bool(self.is_active.data),
            user_id=self.user_id.data,
        )


class WindowForm(FlaskForm):
    weekday = SelectField(
        "Day", coerce=int, choices=[SelectChoice(i, day) for i, day in enumerate(WEEKDAYS)], validate_choice=False
    )
    starts = TimeField("From", format="%H:%M", validators=[Optional()])
    ends = TimeField("To", format="%H:%M", validators=[Optional()])


class TimeOffForm(FlaskForm):
    first_day = DateField("First day", validators=[Optional()])
    last_day = DateField("Last day", validators=[Optional()])
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=2000)])


class BlackoutForm(FlaskForm):
    day = DateField("Date", validators=[Optional()])
    reason = StringField("Reason", validators=[Optional(), Length(max=255)])


def form_errors(form: FlaskForm) -> str:
    return "; ".join(f"{form[name].label.text}: {' '.join(errs)}" for name, errs in form.errors.items())
