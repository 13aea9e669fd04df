"""Invite and role forms, shared by the team page and the admin users page."""

from __future__ import annotations

from pydantic import Field

from app.ids import MAX_ID
from app.web.forms import Email, FormModel

# Least privileged first (role_choices keeps this order).
ROLE_LABELS = {
    "chef": "Chef",
    "staff": "Staff",
    "manager": "Manager",
    "owner": "Owner (every station)",
}


class InviteForm(FormModel):
    name: str = Field(max_length=120)
    email: Email = Field(max_length=255)
    role: str  # the team service says which roles this person may give
    station_id: int | None = Field(default=None, ge=0, le=MAX_ID)  # the admin page's; 0 or empty: none


class RoleForm(FormModel):
    role: str = ""


class ProfileForm(FormModel):
    name: str = ""  # the team service says what a profile needs
    email: str = ""


class MembershipForm(FormModel):
    action: str = "save"  # save | remove
    role: str = ""


class ActiveForm(FormModel):
    active: bool = False


def role_choices(roles) -> list[tuple[str, str]]:
    """Least privilege first: an invitation left as it opens gives the smallest role."""
    ordered = sorted(roles, key=lambda role: list(ROLE_LABELS).index(role.value))
    return [(role.value, ROLE_LABELS[role.value]) for role in ordered]
