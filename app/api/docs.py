"""The human docs page: the OpenAPI document turned into tables and examples.

Nothing here is written by hand about an endpoint: every operation, parameter and
field comes from the document, so the page and the spec always agree.
"""

from __future__ import annotations

import json
import re
from typing import Any

from markupsafe import Markup, escape

METHODS = ("get", "post", "put", "patch", "delete")
SCHEMA_PREFIX = "#/components/schemas/"
CONSTRAINTS = (
    ("minLength", "at least {} characters"),
    ("maxLength", "at most {} characters"),
    ("minimum", "≥ {}"),
    ("maximum", "≤ {}"),
    ("maxItems", "at most {} items"),
    ("pattern", "pattern {}"),
    ("default", "default {}"),
)


def prose(text: str) -> Markup:
    """`code` spans and "* " bullet lists of the document's descriptions, as HTML."""
    blocks: list[str] = []
    items: list[str] = []
    paragraph: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()

    def flush_items() -> None:
        if items:
            blocks.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in (text or "").splitlines():
        stripped = line.strip()
        if stripped.startswith("* "):
            flush_paragraph()
            items.append(stripped[2:])
        elif not stripped:
            flush_paragraph()
            flush_items()
        elif items:
            items[-1] += " " + stripped
        else:
            paragraph.append(stripped)
    flush_paragraph()
    flush_items()
    return Markup("".join(blocks))


def _inline(text: str) -> str:
    parts = re.split(r"`([^`]*)`", text)
    return "".join(f"<code>{escape(p)}</code>" if i % 2 else str(escape(p)) for i, p in enumerate(parts))


def schema_link(name: str) -> Markup:
    return Markup('<a href="#schema-{0}">{0}</a>').format(name)


def type_of(schema: dict[str, Any]) -> Markup:
    """A short, linked description of a JSON schema's type."""
    if "$ref" in schema:
        return schema_link(schema["$ref"].removeprefix(SCHEMA_PREFIX))
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return Markup(" or ").join(type_of(s) for s in schema[key])
    if "const" in schema:
        return Markup("<code>{}</code>").format(json.dumps(schema["const"]))
    if "enum" in schema:
        return Markup("one of ") + Markup(", ").join(
            Markup("<code>{}</code>").format(json.dumps(v)) for v in schema["enum"]
        )
    kind = schema.get("type", "any")
    if kind == "array":
        return Markup("array of ") + type_of(schema.get("items", {}))
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return Markup("map of key → ") + type_of(schema["additionalProperties"])
    if schema.get("format"):
        return Markup("{} ({})").format(kind, schema["format"])
    return Markup("{}").format(kind)


def notes(schema: dict[str, Any]) -> str:
    parts = [schema["description"]] if schema.get("description") else []
    target = schema
    if "anyOf" in schema:  # Optional[...]: the constraints sit on the non-null branch
        target = next((s for s in schema["anyOf"] if s.get("type") != "null"), schema)
    for key, template in CONSTRAINTS:
        source = schema if key == "default" else target
        if key in source:
            parts.append(template.format(json.dumps(source[key]) if key == "default" else source[key]))
    if "propertyNames" in schema and "maxLength" in schema["propertyNames"]:
        parts.append(f"keys of at most {schema['propertyNames']['maxLength']} characters")
    return "; ".join(parts)


def fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per property of an object schema."""
    required = set(schema.get("required", ()))
    return [
        {"name": name, "type": type_of(prop), "required": name in required, "notes": notes(prop)}
        for name, prop in schema.get("properties", {}).items()
    ]


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _media(content: dict[str, Any]) -> dict[str, Any]:
    media_type, media = next(iter(content.items()))
    return {
        "media_type": media_type,
        "type": type_of(media.get("schema", {})),
        "example": _pretty(media["example"]) if "example" in media else None,
    }


def operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    base = doc.get("servers", [{}])[0].get("url", "")
    result = []
    for path, item in doc["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            result.append(
                {
                    "id": op["operationId"],
                    "method": method.upper(),
                    "path": base + path,
                    "summary": op.get("summary", ""),
                    "description": prose(op.get("description", "")),
                    "tags": op.get("tags", []),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": type_of(p.get("schema", {})),
                            "notes": notes({**p.get("schema", {}), "description": p.get("description", "")}),
                            "example": p.get("example"),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "request": _media(op["requestBody"]["content"]) if "requestBody" in op else None,
                    "responses": [
                        {
                            "status": status,
                            "description": Markup(_inline(response.get("description", ""))),
                            **(_media(response["content"]) if "content" in response else {}),
                        }
                        for status, response in op["responses"].items()
                    ],
                }
            )
    return result


def page_context(doc: dict[str, Any]) -> dict[str, Any]:
    schemas = doc.get("components", {}).get("schemas", {})
    return {
        "info": doc["info"],
        "intro": prose(doc["info"].get("description", "")),
        "operations": operations(doc),
        "schemas": [
            {"name": name, "description": schema.get("description", ""), "fields": fields(schema)}
            for name, schema in sorted(schemas.items())
        ],
    }
