"""The access matrix: what every role gets from every URL of the project.

Each app says what it expects in an `access_expectations` module, found by Django's
`autodiscover_modules`; a package may instead name its modules in `PARTS` (members
does). Both the access-matrix test
(tests/members/test_access_matrix.py), which requests every URL as every role, and
`python manage.py access_matrix`, which prints the table for staff and auditors, read
them through this module. A URL pattern with no expectation is reported as missing, so
no view added later escapes review.

The format of an `access_expectations.py` module:

    EXPECTED = {
        "app:url_name": {"anonymous": 302, "staff": 200, "*": 403},  # "*": any other role
        "app:thing[own]": {...},     # a variant: the same URL with other arguments
        "app:thing[other]": {...},   #   (e.g. one's own object and someone else's)
        "admin:*": {"*": 302},       # a glob: one expectation for a group of URLs
    }
    METHODS = {"app:url_name": "post"}   # optional; requests are GET otherwise
    def url_kwargs(people: dict) -> dict[str, dict]:   # optional fixture hook
        # people maps each role to its user (None for anonymous); create what the URLs
        # need and return their arguments, keyed like EXPECTED.

Expected values are HTTP status codes: 200 the page, 302 a redirect (to sign in for
visitors), 403 refused, 404 not found (someone else's object looks like no object),
405 the method is not allowed (a POST-only action requested with GET), 410 gone.
"""

import fnmatch
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.module_loading import autodiscover_modules

ROLES = [
    "anonymous",
    "registered",
    "provider_member",
    "commissioner_member",
    "policy_member",
    "self_typed_member",
    "lapsed",
    "org_admin",
    "moderator",
    "editor",
    "staff",
]

ROLE_TITLES = {
    "anonymous": "Visitor",
    "registered": "Registered",
    "provider_member": "Member (provider, personal)",
    "commissioner_member": "Member (commissioner, seat)",
    "policy_member": "Member (policy, staff grant)",
    # A policy member (staff grant) who posted member_type=commissioner to their profile:
    # what they wrote must open nothing the grant's type does not.
    "self_typed_member": "Member (policy grant, changed their own type)",
    "lapsed": "Lapsed",
    "org_admin": "Org admin",
    "moderator": "Moderator",
    "editor": "Editor",
    "staff": "Staff",
}

_VARIANT = re.compile(r"^(?P<name>[^\[]+)\[(?P<variant>[^\]]+)\]$")


@dataclass(frozen=True)
class UrlRow:
    """One URL pattern of the project."""

    name: str  # "namespace:name", or the route itself when the pattern has no name
    route: str
    kwarg_names: tuple[str, ...]
    converters: dict = field(default_factory=dict, compare=False, hash=False)
    named: bool = True


@dataclass
class Expectations:
    expected: dict[str, dict[str, int]] = field(default_factory=dict)
    methods: dict[str, str] = field(default_factory=dict)
    hooks: dict[str, Callable[[dict], dict]] = field(default_factory=dict)  # key -> hook
    sources: dict[str, str] = field(default_factory=dict)  # key -> module

    def status(self, key: str, role: str) -> int | None:
        entry = self.expected[key]
        return entry.get(role, entry.get("*"))

    def method(self, key: str) -> str:
        return self.methods.get(key) or self.methods.get(base_name(key)) or "get"

    def keys_for(self, row: UrlRow) -> list[str]:
        """The expectation keys that cover a URL: its name, its variants, else a glob."""
        exact = [key for key in self.expected if key == row.name or base_name(key) == row.name]
        if exact:
            return sorted(exact)
        globs = [key for key in self.expected if "*" in key and fnmatch.fnmatch(row.name, key)]
        # The most specific glob wins (the longest pattern).
        return sorted(globs, key=len, reverse=True)[:1]


def base_name(key: str) -> str:
    match = _VARIANT.match(key)
    return match.group("name") if match else key


def _expectation_modules() -> Iterator[ModuleType]:
    """Every app's `access_expectations` module, or the modules its PARTS names."""
    autodiscover_modules("access_expectations")
    for config in apps.get_app_configs():
        module = sys.modules.get(f"{config.name}.access_expectations")
        if module is not None:
            yield from getattr(module, "PARTS", (module,))


def discover() -> Expectations:
    """Read every expectations module. A URL key defined twice is an error."""
    found = Expectations()
    for module in _expectation_modules():
        module_name = module.__name__
        hook = getattr(module, "url_kwargs", None)
        for key, entry in module.EXPECTED.items():
            if key in found.expected:
                raise ValueError(
                    f"{key} is expected in both {found.sources[key]} and {module_name}"
                )
            found.expected[key] = entry
            found.sources[key] = module_name
            if hook is not None:
                found.hooks[key] = hook
        found.methods.update(getattr(module, "METHODS", {}))
    return found


def _argument_names(pattern) -> dict:
    """The arguments a pattern (or an including resolver) captures, with converters."""
    converters = dict(getattr(pattern.pattern, "converters", {}))
    for group in pattern.pattern.regex.groupindex:
        converters.setdefault(group, None)
    return converters


def _walk(
    patterns, prefix: str = "", namespaces: tuple[str, ...] = (), captured: dict | None = None
) -> Iterator[UrlRow]:
    captured = captured or {}
    for pattern in patterns:
        arguments = {**captured, **_argument_names(pattern)}
        if isinstance(pattern, URLResolver):
            namespace = (pattern.namespace,) if pattern.namespace else ()
            yield from _walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                namespaces + namespace,
                arguments,
            )
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            # An unnamed pattern is named by its route, inside its namespace.
            name = ":".join((*namespaces, pattern.name or route))
            yield UrlRow(
                name=name,
                route=route,
                kwarg_names=tuple(arguments),
                converters=arguments,
                named=bool(pattern.name),
            )


def url_for(row: UrlRow, kwargs: dict) -> str:
    """The path of a URL row: reversed by name, or built from the route when unnamed."""
    if row.named:
        return reverse(row.name, kwargs=kwargs)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs.get(m.group(1), "1")), row.route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs.get(m.group(1), "1")), path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\Z", "")


def url_rows() -> list[UrlRow]:
    """Every URL pattern of the project, in URLconf order (one row per name)."""
    seen: set[str] = set()
    rows = []
    for row in _walk(get_resolver().url_patterns):
        if row.name not in seen:
            seen.add(row.name)
            rows.append(row)
    return rows


def missing(expectations: Expectations, rows: list[UrlRow]) -> list[UrlRow]:
    return [row for row in rows if not expectations.keys_for(row)]


def describe(status: int | None) -> str:
    return {
        200: "200 opens",
        301: "301 moved",
        302: "302 redirect",
        400: "400 bad input",
        403: "403 refused",
        404: "404 not found",
        405: "405 method",
        409: "409 conflict",
        410: "410 gone",
    }.get(status, str(status) if status is not None else "MISSING")
