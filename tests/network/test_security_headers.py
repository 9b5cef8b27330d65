"""Every response carries the headers an HTTP Observatory A+ asks for, and the
production settings pass Django's deployment checks."""

import os
import subprocess
import sys

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from network.checks import production_addresses_check
from network.settings import BASE_DIR

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "test-only-" + "k" * 60,
    "ALLOWED_HOSTS": "network.example.org",
    "SITE_URL": "https://network.example.org",
    "EMAIL_URL": "smtp+tls://mail.example.org:587",
}


def _urls_without_arguments(resolver=None, prefix="", namespace=""):
    """Every named URL of the project that needs no arguments, as (name, path)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            child_namespace = namespace
            if pattern.namespace:
                child_namespace = f"{namespace}{pattern.namespace}:"
            yield from _urls_without_arguments(
                pattern, prefix + str(pattern.pattern), child_namespace
            )
        elif isinstance(pattern, URLPattern) and pattern.name and pattern.pattern.regex.groups == 0:
            name = namespace + pattern.name
            try:
                yield name, reverse(name)
            except Exception:  # noqa: BLE001 - a pattern reversible only with kwargs
                continue


def _production_env(**overrides: str) -> dict[str, str]:
    # The browser tests allow the ORM inside Playwright's event loop for this process;
    # a production start must not inherit that.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, **PRODUCTION_ENV, **overrides}


def assert_security_headers(response, path):
    csp = response.headers.get("Content-Security-Policy", "")
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip()
    )
    # A page that can run scripts gets a nonce; redirects and empty answers (a webhook's
    # 405 to a GET) run nothing.
    assert "'nonce-" in directives.get("script-src", "") or response.status_code in (
        301, 302, 303, 304, 307, 308, 204,
    ) or not response.get("Content-Type", "").startswith("text/html") or not response.content, (
        f"{path}: {csp}"
    )  # fmt: skip
    assert "unsafe-inline" not in directives.get("script-src", ""), path
    assert directives.get("object-src") == "'none'", path
    assert directives.get("base-uri") == "'none'", path
    assert directives.get("frame-ancestors") == "'none'", path
    # Checkout and the Customer Portal are reached by redirects after our own forms.
    assert directives.get("form-action") == (
        "'self' https://checkout.stripe.com https://billing.stripe.com"
    ), path
    assert response.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", path
    assert response.headers.get("X-Content-Type-Options") == "nosniff", path
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin", path
    assert response.headers.get("Cross-Origin-Resource-Policy") == "same-origin", path
    assert response.headers.get("X-Frame-Options") == "DENY", path


@pytest.mark.django_db
def test_every_page_carries_the_security_headers_for_anonymous_visitors(client):
    seen = 0
    for name, path in _urls_without_arguments():
        if name.startswith("admin:") and name != "admin:index":
            continue  # the admin's many pages share one middleware stack; index stands for them
        response = client.get(path)
        assert_security_headers(response, path)
        seen += 1
    assert seen > 10


@pytest.mark.django_db
def test_every_page_carries_the_security_headers_for_a_member(client, member):
    client.force_login(member)
    for name, path in _urls_without_arguments():
        if name.startswith("admin:") or name in ("account_logout",):
            continue
        assert_security_headers(client.get(path), path)


@pytest.mark.django_db
def test_error_pages_and_static_files_carry_the_security_headers(client):
    assert_security_headers(client.get("/no-such-page/"), "/no-such-page/")
    assert_security_headers(client.get("/static/css/site.css"), "/static/css/site.css")


@pytest.mark.django_db
def test_html_pages_use_a_fresh_script_nonce_on_every_response(client):
    first = client.get(reverse("home")).headers["Content-Security-Policy"]
    second = client.get(reverse("home")).headers["Content-Security-Policy"]

    assert "'nonce-" in first
    assert first != second


@pytest.mark.django_db
def test_hsts_is_sent_for_a_year_with_subdomains_in_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    response = client.get(reverse("home"), secure=True)

    assert response.headers["Strict-Transport-Security"].startswith(
        "max-age=31536000; includeSubDomains"
    )


def _production_settings(code: str) -> str:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; {code}",
        ],
        cwd=BASE_DIR,
        env=_production_env(DJANGO_SETTINGS_MODULE="network.settings"),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_production_cookies_are_secure_host_prefixed_and_same_site_lax():
    printed = _production_settings(
        "print(settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_SECURE, "
        "settings.SESSION_COOKIE_HTTPONLY, settings.SESSION_COOKIE_SAMESITE, "
        "settings.CSRF_COOKIE_NAME, settings.CSRF_COOKIE_SECURE, settings.CSRF_COOKIE_SAMESITE, "
        "settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )

    assert printed.split() == [
        "__Host-sessionid", "True", "True", "Lax",
        "__Host-csrftoken", "True", "Lax",
        "31536000", "True",
    ]  # fmt: skip


def test_production_settings_pass_the_deployment_checks_with_nothing_silenced():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=_production_env(),
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "SILENCED_SYSTEM_CHECKS" not in (BASE_DIR / "network" / "settings.py").read_text()


def test_deployment_checks_warn_when_emails_are_only_written_to_files(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.SITE_URL = "https://network.example.org"

    warnings = production_addresses_check(None)

    assert [w.id for w in warnings] == ["network.W001"]
    assert "EMAIL_URL" in warnings[0].hint


def test_deployment_checks_warn_when_site_url_is_not_the_public_https_address(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.SITE_URL = "http://127.0.0.1:8000"

    warnings = production_addresses_check(None)

    assert [w.id for w in warnings] == ["network.W002"]
    assert "http://127.0.0.1:8000" in warnings[0].msg


def test_production_start_without_a_secret_key_fails_loudly():
    env = _production_env(SECRET_KEY="")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
