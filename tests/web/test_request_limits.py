"""Request bodies are bounded everywhere, not only where a view remembered to set a limit."""

from __future__ import annotations

from tests.factories import PASSWORD


def test_a_body_past_the_global_limit_is_refused_before_any_view(client, world):
    big = "x" * (1024 * 1024 + 1)
    response = client.post_form("/login", {"email": "manager@example.com", "password": PASSWORD, "pad": big})
    assert response.status_code == 413


def test_a_staff_form_cannot_upload_a_huge_file_to_disk(as_role, world):
    """Werkzeug spools file parts to disk with no size limit of its own: the global limit stops it."""
    import io

    response = as_role("manager").post_form(
        "/s/alpha/customers/",
        {"upload": (io.BytesIO(b"\0" * (3 * 1024 * 1024)), "big.bin")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413


def test_ordinary_forms_still_fit(client, world):
    response = client.post_form("/login", {"email": "manager@example.com", "password": PASSWORD})
    assert response.status_code == 302
