import urllib.robotparser

import pytest
from django.urls import reverse

from tests.members.factories import PlanFactory

PUBLIC_PAGES = ["home", "about", "membership", "contact", "privacy", "accessibility"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_opens_for_anonymous_visitor(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert b'<main id="main"' in response.content
    assert b'href="#main"' in response.content  # the skip link


@pytest.mark.django_db
def test_home_page_says_what_the_network_is_and_for_whom(client):
    response = client.get(reverse("home"))

    text = response.content.decode()
    assert "independent, subscription-based network" in text
    for audience in ("Providers", "Commissioners", "Policy makers"):
        assert audience in text


@pytest.mark.django_db
def test_membership_page_lists_active_plans_only(client):
    PlanFactory(name="Provider annual", price_pence=12000)
    PlanFactory(name="Old plan", is_active=False)

    response = client.get(reverse("membership"))

    assert "Provider annual" in response.content.decode()
    assert "£120" in response.content.decode()
    assert "Old plan" not in response.content.decode()


@pytest.mark.django_db
def test_membership_page_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    for n in range(12):
        PlanFactory(name=f"Plan {n}")

    with django_assert_max_num_queries(4):
        client.get(reverse("membership"))


@pytest.mark.django_db
def test_unknown_address_gets_not_found_page_in_site_layout(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b'class="site-header"' in response.content


@pytest.mark.django_db
def test_server_error_page_keeps_site_layout(rf):
    from django.contrib.auth.models import AnonymousUser

    from network.views import server_error

    request = rf.get("/")
    request.user = AnonymousUser()

    response = server_error(request)

    assert response.status_code == 500
    assert b"something went wrong" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "template", ["400.html", "403.html", "403_csrf.html", "404.html", "500.html"]
)
def test_error_templates_extend_the_base_layout(client, template):
    from django.template.loader import render_to_string

    html = render_to_string(template, {})

    assert 'class="site-header"' in html


@pytest.mark.django_db
def test_pages_work_for_a_signed_in_member(client, member):
    client.force_login(member)

    for name in PUBLIC_PAGES:
        assert client.get(reverse(name)).status_code == 200


@pytest.mark.django_db
def test_accessibility_statement_gives_compliance_status_known_issues_and_dates(client):
    text = client.get(reverse("accessibility")).content.decode()

    assert 'id="compliance-status"' in text
    assert "partially compliant with the" in text
    assert "Non-compliance with the accessibility regulations" in text
    assert "1.1.1" in text  # each known failure names its success criterion
    assert "This statement was prepared on" in text
    assert "This website was last tested on" in text


# --- robots.txt --------------------------------------------------------------------------


def _robots(client) -> urllib.robotparser.RobotFileParser:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(response.content.decode().splitlines())
    return parser


PUBLIC_TO_CRAWLERS = [
    "/",
    "/about/",
    "/library/",
    "/library/reflective-supervision-record-template/",
    "/library/reflective-supervision-record-template/files/1/",
    "/events/",
    "/data/",
    "/newsletter/",
    "/newsletter/archive/",
    "/membership/",
]
SIGN_IN_PAGES_AND_PERSONAL_LINKS = [
    "/admin/",
    "/account/",
    "/accounts/login/",
    "/forum/",
    "/forum/t/1/introductions/",
    "/library/my/",
    "/newsletter/unsubscribe/a-token/",
    "/newsletter/r/3/a-token/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_TO_CRAWLERS)
def test_robots_txt_leaves_the_public_pages_open_to_crawlers(client, path):
    assert _robots(client).can_fetch("*", path)


@pytest.mark.django_db
@pytest.mark.parametrize("path", SIGN_IN_PAGES_AND_PERSONAL_LINKS)
def test_robots_txt_keeps_crawlers_off_sign_in_pages_and_personal_links(client, path):
    assert not _robots(client).can_fetch("*", path)


@pytest.mark.django_db
def test_robots_txt_names_the_sitemap_at_the_site_address(client, settings):
    settings.SITE_URL = "https://network.example.org"

    assert _robots(client).site_maps() == ["https://network.example.org/sitemap.xml"]
