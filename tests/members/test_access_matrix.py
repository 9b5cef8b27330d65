"""The access matrix: every URL pattern of the project, requested as every role.

Expectations come from every installed app's `access_expectations` module (members'
is a package of several); see members/access_matrix.py for the format. A URL
with no expectation fails here, so no view added later escapes review. Arguments come
from each module's `url_kwargs(people)`, including objects that belong to another
member, so that one member reaching another's data shows up as a wrong status.
Admin URLs are checked in one test against their group's expectation: inside a glob
("admin:*") a 200 means "let into the admin", whose permissions decide page by page;
an admin URL named on its own (or a 403, 302 anywhere) is held to its exact status, with
the objects its module's `url_kwargs` gives.
"""

import copy
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client

from members import access_matrix
from tests import roles

pytestmark = pytest.mark.django_db

EXPECTATIONS = access_matrix.discover()
ROWS = access_matrix.url_rows()
ADMIN_ROWS = [row for row in ROWS if row.name.startswith("admin:")]
CASES = [
    pytest.param(key, row, id=key)
    for row in ROWS
    if not row.name.startswith("admin:")
    for key in EXPECTATIONS.keys_for(row)
]


@pytest.fixture(scope="module")
def _people_signed_in(django_db_setup, django_db_blocker):
    """One person per role (None for the visitor) and their session key, made once for
    the module, as Django's setUpTestData makes class data: in a transaction of its own,
    which each test's savepoint rolls back to and which is rolled back at the end. Two
    hundred tests each making eleven people and signing them in was half their time."""
    with django_db_blocker.unblock():
        module_transaction = transaction.atomic()
        module_transaction.__enter__()
        people = {
            role: None if role == "anonymous" else getattr(roles, role)()
            for role in access_matrix.ROLES
        }
        sessions = {
            role: roles.session_cookie(user) for role, user in people.items() if user is not None
        }
    yield people, sessions
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module_transaction.__exit__(None, None, None)


@pytest.fixture
def people(_people_signed_in, db) -> dict:
    """The module's people, as fresh objects: what one test does to them in memory
    must not reach the next (the database rolls back by itself)."""
    return copy.deepcopy(_people_signed_in[0])


@pytest.fixture
def clients(_people_signed_in, db) -> dict:
    """A browser per role holding only that role's session: a response that signed
    someone out or set cookies in one test must not reach the next."""
    sessions = _people_signed_in[1]
    found = {}
    for role in access_matrix.ROLES:
        found[role] = Client()
        if role in sessions:
            found[role].cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
    return found


def _check(clients, key: str, url: str) -> list[str]:
    failures = []
    method = EXPECTATIONS.method(key)
    for role in access_matrix.ROLES:
        expected = EXPECTATIONS.status(key, role)
        status = getattr(clients[role], method)(url).status_code
        if status != expected:
            failures.append(
                f"{key} {method.upper()} {url} as {role}: {status}, expected {expected}"
            )
    return failures


def test_every_url_pattern_has_an_expectation():
    missing = access_matrix.missing(EXPECTATIONS, ROWS)

    assert not missing, "URLs with no access expectation:\n" + "\n".join(
        f"  {row.name}  ({row.route})" for row in missing
    )


def test_every_expectation_names_a_url_pattern():
    names = {row.name for row in ROWS}
    stale = [
        key
        for key in EXPECTATIONS.expected
        if "*" not in key and access_matrix.base_name(key) not in names
    ]

    assert not stale, f"expectations for URLs that do not exist: {stale}"


def test_every_role_has_a_fixture_and_every_row_an_answer_for_it():
    for key in EXPECTATIONS.expected:
        for role in access_matrix.ROLES:
            assert EXPECTATIONS.status(key, role) is not None, f"{key} says nothing for {role}"


@pytest.mark.parametrize(("key", "row"), CASES)
def test_url_answers_every_role_as_expected(key, row, people, clients):
    kwargs = {}
    if row.kwarg_names:
        hook = EXPECTATIONS.hooks.get(key)
        assert hook is not None, f"{key} takes {row.kwarg_names} but its module has no url_kwargs"
        arguments = hook(people)
        assert key in arguments, (
            f"url_kwargs of {EXPECTATIONS.sources[key]} gives nothing for {key}"
        )
        kwargs = arguments[key]
    url = access_matrix.url_for(row, kwargs)

    failures = _check(clients, key, url)

    assert not failures, "\n".join(failures)


def _admin_kwargs(row: access_matrix.UrlRow) -> dict:
    """Arguments for an admin URL: any value of the right shape (access is decided before
    the object is looked up)."""
    kwargs = {}
    for name in row.kwarg_names:
        if name == "app_label":
            kwargs[name] = "members"
        elif type(row.converters.get(name)).__name__ == "IntConverter" or name.endswith("_id"):
            kwargs[name] = 1
        else:
            kwargs[name] = "1"
    return kwargs


def _inside_the_admin(response) -> bool:
    """Answered by the admin itself (its permissions decide, page by page, and the
    arguments here are made up), not sent to sign in or to set up two-factor."""
    if response.status_code == 302:
        return response["Location"].startswith("/admin/")
    return response.status_code in (200, 403, 404, 405)


def _admin_urls(people) -> list[tuple[str, str]]:
    """Each admin URL with the key that covers it: made-up arguments, or the objects its
    module's url_kwargs gives for the key (each module's hook is run once)."""
    given: dict = {}
    urls = []
    for row in ADMIN_ROWS:
        for key in EXPECTATIONS.keys_for(row):
            kwargs = _admin_kwargs(row)
            hook = EXPECTATIONS.hooks.get(key)
            if hook is not None and row.kwarg_names:
                if hook not in given:
                    given[hook] = hook(people)
                named = given[hook].get(key, {})
                kwargs.update({name: named[name] for name in row.kwarg_names if name in named})
            urls.append((key, access_matrix.url_for(row, kwargs)))
    return urls


def test_admin_urls_answer_every_role_as_their_group_expects(clients, people):
    """Each admin URL, as each role, answers its group's status (staff and editors are
    inside it); and every redirect of anyone else leads to signing in, never into the
    admin."""
    allowed = ("/admin/login/", "/accounts/login/", "/accounts/2fa/")
    urls = _admin_urls(people)
    failures = []
    for role in access_matrix.ROLES:
        client = clients[role]  # then every admin URL
        for key, url in urls:
            response = client.get(url)
            expected = EXPECTATIONS.status(key, role)
            if expected == 200 and "*" in key and _inside_the_admin(response):
                continue
            if response.status_code != expected:
                failures.append(
                    f"{key} {url} as {role}: {response.status_code}, expected {expected}"
                )
            location = response.get("Location", "")
            # /admin/ itself is one of the URLs checked here (logout leads to it).
            if response.status_code == 302 and not (
                location.startswith(allowed) or location == "/admin/"
            ):
                failures.append(f"{url} as {role} redirects to {location}")

    assert not failures, "\n".join(failures)


def test_access_matrix_command_prints_roles_against_urls():
    out = StringIO()

    call_command("access_matrix", "--format", "markdown", stdout=out)

    table = out.getvalue()
    assert "| URL | Path | Method | Visitor | Registered |" in table
    org_row = next(line for line in table.splitlines() if "`members:organisation[own]`" in line)
    assert org_row.count("404 not found") == 9
    assert org_row.count("200 opens") == 1
    assert "`admin:*` | `/admin/... (" in table


def test_access_matrix_command_fails_on_a_url_without_expectation(monkeypatch):
    rows = [*access_matrix.url_rows(), access_matrix.UrlRow("new:page", "new/", ())]
    monkeypatch.setattr(access_matrix, "url_rows", lambda: rows)

    with pytest.raises(CommandError, match="new:page"):
        call_command("access_matrix", stdout=StringIO())


def test_deny_by_default_every_view_needs_a_login_unless_marked(settings):
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings.MIDDLEWARE
