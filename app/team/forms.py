"""Invite and role forms, shared by the team page and the admin users page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

ROLE_LABELS = {
    "owner": "Owner (every station)",
    "manager": "Manager",
    "staff": "Staff",
    "chef": "Chef",
}


class InviteForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=255)])
    role = SelectField("Role", validators=[DataRequired()])
    station_id = SelectField("Station", coerce=int, validate_choice=False, default=0)

    def limit_roles(self, roles) -> None:
        self.role.choices = [(r.value, ROLE_LABELS[r.value]) for r in roles]


class RoleForm(FlaskForm):
    role = SelectField("Role", validators=[DataRequired()])
