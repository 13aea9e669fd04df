"""Sign-in and password forms (read with app.web.forms.read_form)."""

from __future__ import annotations

from pydantic import Field, field_validator

from app.auth.passwords import password_problem
from app.web.forms import Email, FormModel, Password


class LoginForm(FormModel):
    email: str = Field(max_length=255)
    password: Password
    remember: bool = False


class ReauthenticateForm(FormModel):
    password: Password


class ForgotPasswordForm(FormModel):
    email: Email = Field(max_length=255)


class NewPasswordForm(FormModel):
    password: Password
    confirm: Password

    @field_validator("password")
    @classmethod
    def _strong(cls, value: str) -> str:
        problem = password_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("confirm")
    @classmethod
    def _same(cls, value: str, info) -> str:
        if "password" in info.data and value != info.data["password"]:
            raise ValueError("The passwords differ.")
        return value


class ChangePasswordForm(NewPasswordForm):
    current: Password
