"""The OpenAPI 3.1 document of everything the glossary serves: `api/v1/openapi.json`.

Written here beside the code, as data, rather than generated from the routes: the routes are a
few catch-alls (`/api/{path}`, `/{path}`) whose real paths are the files of the site, and the
document says what those files are. tests/test_openapi.py proves that it matches: every path the
server answers is documented, every documented path is answered, and the API answers as the
document says (schemathesis). It is an API file like the others, with the same headers, and
`build` exports it. `/healthz`, the write endpoints and `/admin/` are the server's alone; the
document is the same on every server and in every export, so the last two say in their
descriptions what a server without a feedback store (or without an admin password) answers.
"""

from __future__ import annotations

from typing import Any

from widget_server import __version__
from widget_server.api import (
    ADMIN_PERIODS,
    ANNOTATE_PATH,
    API_PREFIX,
    EVENTS,
    EVENTS_PATH,
    FEEDBACK_PATH,
    MAX_ANNOTATE_BODY,
    MAX_COMMENT,
    MAX_WRITE_BODY,
    WRITE_PREFLIGHT,
)
from widget_server.model import SLUG_RE, Glossary

OPENAPI_PATH = f"{API_PREFIX}openapi.json"

_JSON = "application/json"
_HTML = "text/html"
_MARKDOWN = "text/markdown"
_TEXT = {"type": "string"}
_TEXTS = {"type": "array", "items": _TEXT}
_SLUG = {"type": "string", "pattern": SLUG_RE.pattern}
# A name in an index file (api.matcher_document): [plural, word, gap, word, ...], after
# [slug, exact, near, not] in `names` (text, then three numbers: not every validator of
# responses reads `prefixItems`).
_NAME_FORM = {"type": "array", "items": _TEXT, "minItems": 2}
_INDEX_NAME = {"type": "array", "items": {"type": ["string", "integer"]}, "minItems": 6}


def openapi_document(glossary: Glossary) -> dict[str, Any]:
    """The document; the glossary gives only the examples of its path parameters."""
    slug = glossary.terms[0].slug if glossary.terms else "premium"
    category = glossary.categories[0].slug if glossary.categories else "insurance"
    site = next((site.id for site in glossary.sites if site.enabled), "example-news")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Glossary Widget",
            "version": __version__,
            "description": (
                "The glossary's JSON API, widget, pages and snippets, and the server's write "
                "endpoints and feedback report. Every path answers the methods it documents "
                "(GET goes with HEAD: the headers of GET, no body), and no other (405, with "
                '`Allow`). Errors are JSON `{"error": "..."}`, but for a missing page, which is '
                "the HTML 404 page, and the feedback report's own plain-text answers."
            ),
        },
        # Relative to this document, which is at api/v1/openapi.json below the base URL.
        "servers": [{"url": "../../", "description": "the glossary's base URL"}],
        "paths": {
            **_with_read_preflight(_api_paths(slug, category, site)),
            **_with_read_preflight(_file_paths()),
            **_page_paths(slug),
            **_write_paths(slug),
            "/admin/": _admin_path(),
            "/admin": _read(
                "The feedback report's address without its final slash (only where `/admin/` is).",
                _redirect(301, "to `admin/`"),
            ),
            **_annotate_paths(),
        },
        "components": {
            "schemas": _SCHEMAS,
            "responses": _RESPONSES,
            "headers": _HEADERS,
            "parameters": _PARAMETERS,
            "securitySchemes": _SECURITY_SCHEMES,
        },
    }


def _annotate_paths() -> dict[str, Any]:
    """The annotate endpoint (annotating.py); only `serve` answers it, not a static export."""
    text_body = {media: {"schema": _TEXT} for media in (_HTML, _MARKDOWN)}
    examples = {
        _HTML: "<p>The insurer raised the premium after the claim.</p>",
        _MARKDOWN: "The insurer raised the *premium* after the claim.\n",
    }
    request_body = {media: {"schema": _TEXT, "example": example} for media, example in examples.items()}
    query = [
        {"name": "style", "in": "query", "schema": {"enum": ["footnotes", "links"]}},
        {"name": "occurrences", "in": "query", "schema": {"enum": ["first", "all"]}},
        {"name": "max", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
        {
            "name": "categories",
            "in": "query",
            "schema": _TEXT,
            "description": "Comma-separated category slugs (default: all).",
        },
        {"name": "site", "in": "query", "schema": _TEXT, "description": "A registered site's id: its settings apply."},
    ]
    errors = {
        "400": _error("A body that is not UTF-8 text, or a bad setting."),
        "413": _error(f"A body over {MAX_ANNOTATE_BODY} bytes."),
        "415": _error("A body that is not text/html or text/markdown in UTF-8."),
        "429": _error("Past the rate limit.", headers={"Retry-After": {"schema": _TEXT}}),
    }
    return {
        f"/{ANNOTATE_PATH}": {
            "post": {
                "summary": "The body with the glossary's terms annotated (links or footnotes); "
                "only `glossary-widget serve` answers it, a static export has no server.",
                "parameters": query,
                "requestBody": {"required": True, "content": request_body},
                "responses": {
                    "200": {
                        "description": "The annotated HTML or Markdown.",
                        "headers": {"Access-Control-Allow-Origin": _header_ref("AllowAnyOrigin")},
                        "content": text_body,
                    },
                    **_with_request_errors(errors),
                },
            },
            "options": {
                "summary": "The CORS preflight: a POST of text/html is not a simple request.",
                "responses": _with_request_errors({"204": {"description": "POST is allowed from any origin."}}),
            },
        }
    }


def _api_paths(slug: str, category: str, site: str) -> dict[str, Any]:
    return {
        f"/{API_PREFIX}categories.json": _read(
            "The categories, with their number of terms.", _json_ok("Categories"), etag=True
        ),
        f"/{API_PREFIX}terms.json": _read(
            "Every term's names and categories, sorted by slug.", _json_ok("TermList"), etag=True
        ),
        f"/{API_PREFIX}terms/{{slug}}.json": _read(
            "What a hover card shows for one term.",
            _json_ok("Term"),
            etag=True,
            parameters=[_path_parameter("slug", slug)],
            missing=_ref_response("NotFound"),
        ),
        f"/{API_PREFIX}matcher.json": _read(
            "The matcher of every category, which a tag without `data-categories` downloads: as "
            "one category's, without `category`.",
            _json_ok("Matcher"),
            etag=True,
        ),
        f"/{API_PREFIX}matcher/{{category}}.json": _read(
            "The matcher the widget downloads for one category, ready-made (docs/api.md). "
            "`names`: from each word a name is looked up by to the names that may begin there, "
            "each `[slug, exact, near, not, plural, word, gap, word, ...]` (`exact` 1: compared "
            "as written, not case-folded; `near`, `not`: 0, or n for the context words or "
            "refusing phrases in `rules[n - 1]`); `starts`: the first letters of those words, "
            "joined by `|`; `rules`: sets of words or phrases, each `[plural, word, gap, word, "
            "...]`.",
            _json_ok("Matcher"),
            etag=True,
            parameters=[_path_parameter("category", category)],
            missing=_ref_response("NotFound"),
        ),
        f"/{API_PREFIX}index.json": _read(
            "The matching index of every category, which widgets pinned before the matcher files "
            "read: as one category's, without `category` and `context` (each term lists "
            "its context words).",
            _json_ok("Index"),
            etag=True,
        ),
        f"/{API_PREFIX}index/{{category}}.json": _read(
            "The matching index of one category, which widgets pinned before the matcher files "
            "read: `[slug, title, alias, ...]` per term; `=` before a slug: its names match "
            "exactly; before an alias: it matches only in capitals; `?` after any `=`: the name "
            "needs a context word in its block; then the term's context words as `+word` and "
            "its refusing phrases as `-phrase`; `context`: the category's default context "
            "words; `words`: each word names are looked up by, with the positions in `terms` of "
            "the entries that have such a name; `starts`: the first letters of those words, "
            "joined by `|`.",
            _json_ok("Index"),
            etag=True,
            parameters=[_path_parameter("category", category)],
            missing=_ref_response("NotFound"),
        ),
        f"/{API_PREFIX}sites/{{site}}.json": _read(
            "A registered partner site's settings, read by a tag with `data-site`; a switched-off "
            "or unknown site is a 404.",
            _json_ok("Site"),
            etag=True,
            parameters=[{"name": "site", "in": "path", "required": True, "schema": _SLUG, "example": site}],
            missing=_ref_response("NotFound"),
        ),
        f"/{OPENAPI_PATH}": _read("This document.", _json_ok("OpenAPI"), etag=True),
        "/healthz": _read(
            "For monitors (the server only; never cached).",
            {
                "200": {
                    "description": "The server is up.",
                    "headers": {"Cache-Control": _header_ref("NoStore")},
                    "content": {_JSON: {"schema": _schema_ref("Health")}},
                }
            },
        ),
    }


def _with_read_preflight(paths: dict[str, Any]) -> dict[str, Any]:
    """The API's files and the widget's answer a CORS preflight too (not /healthz)."""

    def preflight(get: dict[str, Any]) -> dict[str, Any]:
        return {
            "summary": "The CORS preflight of a GET with headers of the page's own: any are allowed.",
            "parameters": [parameter for parameter in get.get("parameters", []) if parameter.get("in") == "path"],
            "responses": _with_request_errors(
                {
                    "204": {"description": "GET and HEAD are allowed from any origin, with any headers."},
                    **({"404": get["responses"]["404"]} if "404" in get["responses"] else {}),
                }
            ),
        }

    return {
        path: {**item, "options": preflight(item["get"])} if path != "/healthz" and "get" in item else item
        for path, item in paths.items()
    }


def _file_paths() -> dict[str, Any]:
    script = {"text/javascript": {"schema": _TEXT}}
    partial = {"description": "The requested byte range.", "content": script}
    return {
        "/widget.js": _read(
            "The widget, cached for five minutes: the tag partners paste.",
            {"200": {"description": "The widget.", "headers": _file_headers(), "content": script}},
            etag=True,
            file=partial,
        ),
        "/static/{file}": _read(
            "Files with a content hash in their name (the pinned widget, the pages' stylesheet), cached for a year.",
            {
                "200": {
                    "description": "The file.",
                    "headers": _file_headers(),
                    "content": {"text/javascript": {"schema": _TEXT}, "text/css": {"schema": _TEXT}},
                }
            },
            etag=True,
            file=partial,
            parameters=[
                {"name": "file", "in": "path", "required": True, "schema": _TEXT, "example": "widget.0123456789ab.js"}
            ],
            missing=_ref_response("PageNotFound"),
        ),
    }


def _page_paths(slug: str) -> dict[str, Any]:
    slug_parameter = [_path_parameter("slug", slug)]
    return {
        "/": _read("The glossary's index.", _redirect(302, "to `glossary/`")),
        "/glossary/": _read("Every term, by category, A-Z.", _page_ok(), etag=True),
        "/glossary/{slug}/": _read(
            "A term's full entry.",
            _page_ok(),
            etag=True,
            parameters=slug_parameter,
            missing=_ref_response("PageNotFound"),
        ),
        "/glossary/{slug}": _read(
            "The entry without its final slash.",
            _redirect(301, "to `glossary/{slug}/`"),
            parameters=slug_parameter,
            missing=_ref_response("PageNotFound"),
        ),
        "/snippets/{slug}.html": _read(
            "An HTML fragment of the card, for partners' pages (which may frame it).",
            _page_ok(framed=False),
            etag=True,
            parameters=slug_parameter,
            missing=_ref_response("PageNotFound"),
        ),
        "/configure/": _read("The configurator: choose settings, preview them, copy the tag.", _page_ok(), etag=True),
        "/configure/preview.html": _read(
            "The configurator's live preview, shown in a sandboxed frame of the configurator.",
            _page_ok(),
            etag=True,
        ),
        "/404.html": _read("The page every missing page gets.", _page_ok(), etag=True),
        "/sitemap.xml": _read(
            "The pages for search engines: the index and every entry, each with its last update.",
            _text_ok("application/xml", "The sitemap (sitemaps.org protocol)."),
            etag=True,
            missing=_ref_response("PageNotFound"),
            description="Only with `--base-url` (a sitemap's URLs are absolute); else the 404 here.",
        ),
        "/robots.txt": _read(
            "Where search engines find the sitemap.",
            _text_ok("text/plain", "Every page may be crawled; the sitemap's URL."),
            etag=True,
            missing=_ref_response("PageNotFound"),
            description=(
                "Only with a `--base-url` at the root of its host (crawlers read robots.txt there "
                "alone); else the 404 here."
            ),
        ),
    }


_WITHOUT_STORE = (
    " Only on a server with a feedback store (`serve` without `--no-feedback`; never in a "
    "static export). A server without one answers every method here but GET, HEAD and OPTIONS "
    "with a 405, and those with a 404 (the read endpoints' preflight finds no such file)."
)


def _write_paths(slug: str) -> dict[str, Any]:
    return {
        f"/{FEEDBACK_PATH}": _write(
            "A reader's vote on a term, and their comment: the vote counts once per reader, term "
            "and UTC day, the comment each time. A comment without `helpful` counts no vote: it "
            "is the comment on a vote sent before it (the card and the entry pages send a No at "
            "once and its comment later).",
            "Vote",
            {"term": slug, "helpful": False, "comment": "Which fees does it leave out?"},
        ),
        f"/{EVENTS_PATH}": _write(
            "A card shown for the first time in a page view.",
            "Event",
            {"event": EVENTS[0], "term": slug},
        ),
    }


def _write(summary: str, schema: str, example: dict[str, Any]) -> dict[str, Any]:
    """A write endpoint's path item: POST of a small JSON object, and its CORS preflight.

    The body is JSON whatever its Content-Type says: pages send it as `text/plain` (a CORS
    "simple" request, as `navigator.sendBeacon` does, with no preflight), other clients may say
    `application/json`.
    """
    body = {"schema": _schema_ref(schema), "example": example}
    responses = {
        "204": {
            "description": "Stored: the write has been committed.",
            "headers": {
                "Access-Control-Allow-Origin": _header_ref("AllowAnyOrigin"),
                "Cache-Control": _header_ref("NoStore"),
            },
        },
        "400": _error(
            "Not JSON, not an object, a missing or mistyped field (the message names "
            "it), a comment too long or not text, or an Origin header that is not "
            "`scheme://host[:port]`; nothing is stored.",
            headers=_cors(),
        ),
        "404": _error("An unknown term; nothing is stored.", headers=_cors()),
        "413": _error(f"A body over {MAX_WRITE_BODY} bytes; nothing is stored."),
        "429": _error(
            "More posts from this reader in the last minute than the rate limit allows; nothing is stored.",
            headers=_retry_after(),
        ),
        "503": _error(
            "The store cannot take writes right now (down, full or not keeping up); nothing is stored.",
            headers=_retry_after(),
        ),
    }
    preflight = {
        "204": {
            "description": "The CORS preflight answer: any origin may POST here.",
            "headers": {
                name: {"required": True, "schema": {"const": value}} for name, value in WRITE_PREFLIGHT.items()
            },
        },
    }
    return {
        "post": {
            "summary": summary,
            "description": "Every check comes before the write, so a 4xx stores nothing." + _WITHOUT_STORE,
            "parameters": [{"$ref": "#/components/parameters/Origin"}],
            "requestBody": {"required": True, "content": {"text/plain": body, _JSON: body}},
            "responses": _with_request_errors(responses),
        },
        "options": {
            "summary": "The CORS preflight, for pages that send the body as `application/json`.",
            "description": _WITHOUT_STORE.strip(),
            "responses": _with_request_errors(preflight),
        },
    }


def _admin_path() -> dict[str, Any]:
    text = {"text/plain": {"schema": _TEXT}}
    private = {
        "Cache-Control": _header_ref("NoStore"),
        "Content-Security-Policy": _header_ref("ContentSecurityPolicy"),
        "X-Frame-Options": {"required": True, "schema": {"const": "DENY"}},
    }
    operation = _read(
        "The publisher's feedback report: opens, votes and comments per term, with a chart.",
        {
            "200": {"description": "The report.", "headers": private, "content": {_HTML: {"schema": _TEXT}}},
            "401": {
                "description": "No or wrong credentials: sign in as `admin`.",
                "headers": {
                    **private,
                    "WWW-Authenticate": {"required": True, "schema": {"type": "string", "pattern": "^Basic realm="}},
                },
                "content": text,
            },
            "503": {
                "description": "The feedback store cannot be read right now.",
                "headers": {**private, "Retry-After": _retry_after()["Retry-After"]},
                "content": text,
            },
        },
        parameters=[
            {
                "name": "since",
                "in": "query",
                "schema": {"enum": list(ADMIN_PERIODS)},
                "description": "The days to report on; anything else means `30d`.",
            }
        ],
        missing=_ref_response("PageNotFound"),
    )["get"]
    operation["description"] = (
        "Only on a server with a feedback store and an admin password (`--admin-password`); "
        "on any other it is the HTML 404 page (the 404 here). HTTP Basic, user `admin`: serve "
        "it over TLS only."
    )
    operation["security"] = [{"basic": []}]
    return {"get": operation}


def _cors() -> dict[str, Any]:
    return {"Access-Control-Allow-Origin": _header_ref("AllowAnyOrigin")}


def _retry_after() -> dict[str, Any]:
    return {
        **_cors(),
        "Retry-After": {
            "required": True,
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
        },
    }


def _read(
    summary: str,
    answers: dict[str, Any],
    *,
    etag: bool = False,
    parameters: list[dict[str, Any]] | None = None,
    missing: dict[str, Any] | None = None,
    file: dict[str, Any] | None = None,
    description: str = "",
) -> dict[str, Any]:
    """A path item answering GET with `answers` (by status), and the errors any request may get."""
    responses = dict(answers)
    request_parameters = list(parameters or [])
    if etag:
        responses["304"] = _ref_response("NotModified")
        request_parameters.append({"$ref": "#/components/parameters/IfNoneMatch"})
    if file is not None:
        responses["206"] = file
        responses["416"] = _ref_response("RangeNotSatisfiable")
        request_parameters.append({"$ref": "#/components/parameters/Range"})
    if missing is not None:
        responses["404"] = missing
    operation: dict[str, Any] = {"summary": summary, "responses": _with_request_errors(responses)}
    if description:
        operation["description"] = description
    if request_parameters:
        operation["parameters"] = request_parameters
    return {"get": operation}


def _json_ok(schema: str) -> dict[str, Any]:
    return {
        "200": {
            "description": "The document.",
            "headers": _file_headers(),
            "content": {_JSON: {"schema": _schema_ref(schema)}},
        }
    }


def _page_ok(framed: bool = True) -> dict[str, Any]:
    headers = {
        "Content-Security-Policy": _header_ref("ContentSecurityPolicy"),
        "Referrer-Policy": _header_ref("ReferrerPolicy"),
    }
    if framed:
        headers["X-Frame-Options"] = _header_ref("FrameOptions")
    return {"200": {"description": "The page.", "headers": headers, "content": {_HTML: {"schema": _TEXT}}}}


def _text_ok(media_type: str, description: str) -> dict[str, Any]:
    return {"200": {"description": description, "content": {media_type: {"schema": _TEXT}}}}


def _redirect(status: int, where: str) -> dict[str, Any]:
    return {str(status): {"description": f"A redirect {where}.", "headers": {"Location": _header_ref("Location")}}}


def _file_headers() -> dict[str, Any]:
    return {
        "ETag": _header_ref("ETag"),
        "Cache-Control": _header_ref("CacheControl"),
        "Access-Control-Allow-Origin": _header_ref("AllowAnyOrigin"),
    }


def _path_parameter(name: str, example: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": _SLUG, "example": example}


def _schema_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ref_response(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{name}"}


def _header_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


def _error(description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "content": {_JSON: {"schema": _schema_ref("Error")}}, **extra}


def _with_request_errors(responses: dict[str, Any]) -> dict[str, Any]:
    """`responses` and, where they say nothing of their own, the errors any request may get."""
    return {
        **responses,
        **{code: _ref_response(name) for code, name in _REQUEST_ERRORS.items() if code not in responses},
    }


# What any request may get whatever its path: the server's limits (docs/api.md: Limits) and methods.
_REQUEST_ERRORS = {
    "400": "BadRequest",
    "405": "MethodNotAllowed",
    "413": "BodyTooLarge",
    "414": "TargetTooLong",
    "431": "HeadersTooLarge",
}

_RESPONSES: dict[str, Any] = {
    "NotModified": {
        "description": "The copy the client has (If-None-Match) is current.",
        "headers": {"ETag": _header_ref("ETag")},
    },
    "NotFound": _error("No such term or category; the message lists the valid categories."),
    "PageNotFound": {"description": "The HTML 404 page.", "content": {_HTML: {"schema": _TEXT}}},
    "RangeNotSatisfiable": _error(
        "The range starts past the end of the file.", headers={"Content-Range": {"schema": _TEXT}}
    ),
    "BadRequest": _error("A request the server cannot parse."),
    "MethodNotAllowed": _error(
        "A method the path does not answer; `Allow` lists those it does.", headers={"Allow": {"schema": _TEXT}}
    ),
    "BodyTooLarge": _error("A request body over the server's limit (64 KiB)."),
    "TargetTooLong": _error("A request target over the server's limit."),
    "HeadersTooLarge": _error("Request headers over the server's limits, in size or number."),
}

_PARAMETERS: dict[str, Any] = {
    "IfNoneMatch": {
        "name": "If-None-Match",
        "in": "header",
        "schema": _TEXT,
        "description": "ETags of the copies the client has: 304 if one is current.",
    },
    "Origin": {
        "name": "Origin",
        "in": "header",
        "schema": _TEXT,
        "description": "The partner page's origin, sent by browsers: feedback is counted "
        "under `http(s)://host[:port]`; without it, `null`, or an origin of another scheme (an "
        "app's web view, an extension), under `unknown`.",
    },
    "Range": {"name": "Range", "in": "header", "schema": _TEXT, "description": "A byte range, such as `bytes=0-99`."},
}

_HEADERS: dict[str, Any] = {
    "ETag": {
        "required": True,
        "description": "Strong for the plain bytes; its weak form (`W/`) for a compressed answer.",
        "schema": {"type": "string", "pattern": '^(W/)?"[0-9a-f]+"$'},
    },
    "CacheControl": {"required": True, "schema": {"type": "string", "pattern": "^public, max-age="}},
    "NoStore": {"required": True, "schema": {"const": "no-store"}},
    "AllowAnyOrigin": {"required": True, "schema": {"const": "*"}},
    "Location": {"required": True, "schema": _TEXT},
    "ContentSecurityPolicy": {"required": True, "schema": {"type": "string", "pattern": "^default-src 'none'"}},
    "ReferrerPolicy": {"required": True, "schema": {"const": "strict-origin-when-cross-origin"}},
    "FrameOptions": {"required": True, "schema": {"const": "SAMEORIGIN"}},
}


_SECURITY_SCHEMES: dict[str, Any] = {
    "basic": {"type": "http", "scheme": "basic", "description": "User `admin`, the admin password."},
}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": list(properties), "properties": properties, "additionalProperties": False}


_SCHEMAS: dict[str, Any] = {
    "Error": _object({"error": _TEXT}),
    "Categories": {
        **_object(
            {
                "categories": {
                    "type": "array",
                    "items": _object(
                        {
                            "slug": _SLUG,
                            "label": _TEXT,
                            "description": _TEXT,
                            "count": {"type": "integer", "minimum": 0},
                        }
                    ),
                },
                # The kill switch: 32-bit FNV-1a hashes of the switched-off origins (widget_server/sites.py).
                "disabled": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 4294967295}},
                # Where the widget posts votes and opens, when the glossary takes feedback (api.py).
                "feedback": _TEXT,
            }
        ),
        "required": ["categories", "disabled"],
    },
    "Site": _object(
        {
            "id": _SLUG,
            "name": _TEXT,
            "origins": _TEXTS,
            "settings": {"type": "object", "additionalProperties": _TEXT},
        }
    ),
    "TermList": _object(
        {
            "terms": {
                "type": "array",
                "items": _object(
                    {
                        "slug": _SLUG,
                        "title": _TEXT,
                        "aliases": _TEXTS,
                        "categories": {"type": "array", "items": _SLUG},
                        "case_sensitive": {"type": "boolean"},
                    }
                ),
            }
        }
    ),
    "Term": _object(
        {
            "slug": _SLUG,
            "title": _TEXT,
            "categories": {"type": "array", "items": _object({"slug": _SLUG, "label": _TEXT})},
            "aliases": _TEXTS,
            "definition": {"type": "string", "maxLength": 300},
            "misuse": {"type": "string", "maxLength": 300},
            "related": {"type": "array", "items": _object({"slug": _SLUG, "title": _TEXT})},
            "url": {"type": "string", "pattern": "^glossary/[a-z0-9-]+/$"},
            "updated": {"type": "string", "format": "date"},
        }
    ),
    "Matcher": {
        **_object(
            {
                "category": _SLUG,
                "names": {"type": "object", "additionalProperties": {"type": "array", "items": _INDEX_NAME}},
                "starts": _TEXT,
                # Only where a term of the file has context rules (api.py).
                "rules": {"type": "array", "items": {"type": "array", "items": _NAME_FORM}},
            }
        ),
        "required": ["names", "starts"],
    },
    "Index": {
        **_object(
            {
                "category": _SLUG,
                "terms": {"type": "array", "items": {"type": "array", "items": _TEXT, "minItems": 2}},
                # The category's default context words, when a term of the file uses them (api.py).
                "context": _TEXTS,
                "words": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "integer", "minimum": 0}},
                },
                "starts": _TEXT,
            }
        ),
        "required": ["terms", "words", "starts"],
    },
    "Health": _object({"status": {"const": "ok"}, "terms": {"type": "integer", "minimum": 0}}),
    "OpenAPI": {"type": "object", "required": ["openapi", "paths"]},
    # What the write endpoints read; other members of the object are ignored.
    "Vote": {
        "type": "object",
        "required": ["term"],
        # A vote, or a comment alone (a comment that is empty after trimming is no comment).
        "anyOf": [{"required": ["helpful"]}, {"required": ["comment"], "properties": {"comment": {"type": "string"}}}],
        "properties": {
            "term": _SLUG,
            "helpful": {"type": "boolean"},
            "comment": {
                "type": ["string", "null"],
                "maxLength": MAX_COMMENT,
                "description": "One line of text: line breaks and control characters become "
                "spaces; empty is no comment.",
            },
        },
    },
    "Event": {
        "type": "object",
        "required": ["event", "term"],
        "properties": {
            "event": {"enum": list(EVENTS)},
            "term": _SLUG,
        },
    },
}
