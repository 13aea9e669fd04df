"""The QR code form (read with app.web.forms.read_form; the rules live in app.qr.services)."""

from __future__ import annotations

from app.models.qr import QrCode
from app.qr.services import QrCodeData
from app.web.forms import FormModel

FIELDS = ("name", "campaign", "target_url", "utm_source", "utm_medium", "utm_content")


class QrCodeForm(FormModel):
    name: str = ""
    campaign: str = ""
    target_url: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    utm_content: str = ""

    def data_for_service(self) -> QrCodeData:
        return QrCodeData(**self.model_dump())

    @staticmethod
    def values_of(qr: QrCode) -> dict:
        """The code's values, as the form shows them."""
        utm = qr.utm or {}
        return {"name": qr.name, "campaign": qr.campaign, "target_url": qr.target_url} | {
            key: utm.get(key, "") for key in ("utm_source", "utm_medium", "utm_content")
        }
