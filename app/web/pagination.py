"""Pagination of a select() from the `page` query argument."""

from __future__ import annotations

from flask import request, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from app.extensions import db
from app.web.params import page_arg


def paginate(stmt: Select, per_page: int = 25) -> Pagination:
    """One page of `stmt`; `?page=` is checked first (app.web.params: a 400, never an overflow)."""
    return db.paginate(stmt, page=page_arg(), per_page=per_page, max_per_page=100, error_out=False)


def page_url_builder(endpoint: str, **fixed):
    """A function page -> URL keeping the current filters (for the pagination partial)."""
    args = {k: v for k, v in request.args.items() if k != "page" and v}

    def page_url(page: int) -> str:
        return url_for(endpoint, **fixed, **args, page=page)

    return page_url
