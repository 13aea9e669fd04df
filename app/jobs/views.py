"""The Jobs page (see app/jobs/__init__.py)."""
