"""The Content-Security-Policy header: django-csp's policy from the settings, put
together once per process, with each response's own nonce."""

import pytest
from csp.decorators import csp_exempt, csp_update
from csp.exceptions import CSPNonceError
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from network.middleware import ContentSecurityPolicyMiddleware


def _directives(header: str) -> dict[str, str]:
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in header.split(";"))


def _served(view, path: str = "/"):
    request = RequestFactory().get(path)
    return request, ContentSecurityPolicyMiddleware(view)(request)


def _page_with_a_script(request):
    return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')


def test_the_header_is_django_csps_policy_with_the_responses_own_nonce():
    request, response = _served(_page_with_a_script)

    nonce = request._csp_nonce
    assert _directives(response["Content-Security-Policy"]) == _directives(
        build_policy(nonce=nonce)
    )
    assert f"'nonce-{nonce}'" in _directives(response["Content-Security-Policy"])["script-src"]


def test_a_page_without_a_script_gets_the_policy_without_a_nonce():
    _, response = _served(lambda request: HttpResponse("<p>Plain</p>"))

    assert _directives(response["Content-Security-Policy"]) == _directives(build_policy())
    assert "nonce-" not in response["Content-Security-Policy"]


def test_each_response_gets_its_own_nonce():
    first = _served(_page_with_a_script)[1]["Content-Security-Policy"]
    second = _served(_page_with_a_script)[1]["Content-Security-Policy"]

    assert first != second


def test_a_view_that_adds_to_the_policy_gets_its_addition():
    view = csp_update({"style-src": ["'unsafe-inline'"]})(_page_with_a_script)

    _, response = _served(view)

    assert _directives(response["Content-Security-Policy"])["style-src"] == (
        "'self' 'unsafe-inline'"
    )


def test_an_exempt_view_gets_no_policy():
    _, response = _served(csp_exempt()(lambda request: HttpResponse("ok")))

    assert "Content-Security-Policy" not in response


def test_a_header_the_view_set_itself_is_kept():
    def view(request):
        response = HttpResponse("ok")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    _, response = _served(view)

    assert response["Content-Security-Policy"] == "default-src 'none'"


def test_a_changed_setting_changes_the_header_the_process_built(settings):
    middleware = ContentSecurityPolicyMiddleware(_page_with_a_script)
    middleware(RequestFactory().get("/"))
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}

    response = middleware(RequestFactory().get("/"))

    assert response["Content-Security-Policy"] == "default-src 'none'"


def test_a_nonce_asked_for_after_the_header_is_written_is_refused():
    request, _ = _served(lambda request: HttpResponse("<p>Plain</p>"))

    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


@pytest.mark.django_db
def test_the_kept_home_page_carries_the_nonce_its_header_names(client):
    client.get(reverse("home"))
    client.cookies.clear()

    response = client.get(reverse("home"))

    script_src = _directives(response["Content-Security-Policy"])["script-src"]
    nonce = script_src.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
