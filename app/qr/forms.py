"""The QR code form (parsing and CSRF only; the rules live in app.qr.services)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, URLField

from app.qr.services import QrCodeData


class QrCodeForm(FlaskForm):
    name = StringField("Name")
    campaign = StringField("Campaign (utm_campaign)")
    target_url = URLField("Target")
    utm_source = StringField("Source (utm_source)")
    utm_medium = StringField("Medium (utm_medium)")
    utm_content = StringField("Content (utm_content)")

    @classmethod
    def for_code(cls, qr) -> QrCodeForm:
        """Filled from the code, or from the POSTed form when there is one."""
        utm = qr.utm or {}
        return cls(
            obj=qr,
            utm_source=utm.get("utm_source", ""),
            utm_medium=utm.get("utm_medium", ""),
            utm_content=utm.get("utm_content", ""),
        )

    def data_for_service(self) -> QrCodeData:
        return QrCodeData(
            name=self.name.data or "",
            campaign=self.campaign.data or "",
            target_url=self.target_url.data or "",
            utm_source=self.utm_source.data or "",
            utm_medium=self.utm_medium.data or "",
            utm_content=self.utm_content.data or "",
        )

    def show_errors(self, fields: dict[str, str]) -> None:
        """Put a service's field messages beside the inputs."""
        for name, message in fields.items():
            if name in self:
                self[name].errors = [*self[name].errors, message]
