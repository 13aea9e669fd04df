"""Request bodies are bounded everywhere, and signed-in pages are never cached (OWASP ASVS 8.2.1)."""

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


def test_signed_in_pages_are_never_stored_by_browsers_or_proxies(as_role, client, world):
    page = as_role("manager").get("/s/alpha/customers/")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Cookie" in page.headers["Vary"]
    # Public pages and static files keep their own caching.
    assert "no-store" not in (client.get("/login").headers.get("Cache-Control") or "")
    assert "no-store" not in (as_role("manager").get("/static/app.css").headers.get("Cache-Control") or "")
