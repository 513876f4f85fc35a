"""The forms on a page, read from its HTML: where each posts and the fields it sends, with the
values it offers (hidden values, options, checkbox and button values). The fuzz test posts
random subsets of them."""

from __future__ import annotations

from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

FIELD_TAGS = {"input", "select", "textarea", "button"}


class _FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[tuple[str, str, dict[str, set]]] = []
        self.page_fields: dict[str, set] = defaultdict(set)
        self.htmx: list[tuple[str, str]] = []
        self.links: list[str] = []
        self.current: dict[str, set] | None = None
        self.select: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        for verb in ("get", "post"):
            if f"hx-{verb}" in attrs:
                url = urljoin(self.page, attrs[f"hx-{verb}"] or self.page)
                self.htmx.append((verb.upper(), url))
        if tag == "a" and attrs.get("href", "").startswith(("/", "?")):
            self.links.append(urljoin(self.page, attrs["href"]))
        if tag == "form":
            self.current = defaultdict(set)
            method = attrs.get("method", "get").upper()
            action = urljoin(self.page, attrs.get("action") or self.page)
            self.forms.append((method, action, self.current))
            return
        if tag == "option" and self.select:
            self._add(self.select, attrs.get("value", ""))
            return
        if tag not in FIELD_TAGS or not attrs.get("name"):
            return
        name = attrs["name"]
        if tag == "select":
            self.select = name
        if tag == "textarea":
            self.textarea, self.text = name, ""
            return
        self._add(name, attrs.get("value", ""))
        if attrs.get("formaction"):
            fields = self.current if self.current is not None else {}
            self.forms.append(("POST", urljoin(self.page, attrs["formaction"]), fields))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            self._add(self.textarea, self.text)
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def _add(self, name: str, value: str) -> None:
        self.page_fields[name].add(value)
        if self.current is not None:
            self.current[name].add(value)


def page_forms(html: str, page: str) -> list[tuple[str, str, dict[str, set]]]:
    """[(method, action URL, {field name: {values}})] for each form, for each htmx request
    (with every field of the page: htmx may include any of them) and for each link within the
    site (a GET with the link's query)."""
    parser = _FormParser(page)
    parser.feed(html)
    forms = [(method, action, dict(fields)) for method, action, fields in parser.forms]
    forms += [(method, url, dict(parser.page_fields)) for method, url in parser.htmx]
    for link in parser.links:
        fields = defaultdict(set)
        for name, value in parse_qsl(urlsplit(link).query, keep_blank_values=True):
            fields[name].add(value)
        forms.append(("GET", link, dict(fields)))
    return forms
