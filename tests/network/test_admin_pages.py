"""Every page of the admin opens for the people who work in it.

For each model registered in the admin, a realistic object (with its files, where the
model or its inlines hold files) is made from the factories, and its change list, add,
change, delete confirmation and history pages are requested as staff and as an editor;
so is every other URL the admin serves (custom views of a ModelAdmin, the site's own
pages). Each answers as intended: staff may use what the ModelAdmin allows anyone;
an editor may use what that allows AND their group's permissions give them (403
otherwise); moderators have no admin and are sent to sign in. A registered model without
a builder here, or an admin URL without an expectation, fails the test, so a new admin
page cannot escape it.
"""

import itertools
import re
from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.core.files.base import ContentFile
from django.db import models
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, resolve, reverse
from django.utils import timezone

from events import services as events_services
from forum.models import ModerationAction, ReportReason, Suspension, WatchPattern
from forum.moderation import actions
from forum.services import reports
from members.access import EDITORS_GROUP, MODERATORS_GROUP
from members.models import (
    DataRequest,
    InvoiceRequest,
    MemberType,
    MemberTypeChangeRequest,
    OrganisationDetailsChange,
    Region,
    SeatRemoval,
    StripeEvent,
)
from members.staff_groups import (
    EDITORS_APP_LABELS,
    EDITORS_LEFT_OUT,
    MODERATORS_APP_LABELS,
    group_with_permissions,
)
from network.models import ContactMessage
from newsletter.models import Delivery, DigestDelivery, DigestPeriod, Suppression
from newsletter.suppressions import address_hash
from tests import roles
from tests.events.factories import EventFactory
from tests.forum.factories import (
    CategoryFactory,
    PostFactory,
    ThreadFactory,
    category_moderator,
)
from tests.members.factories import (
    GrantFactory,
    InvitationFactory,
    InvoiceFactory,
    OrganisationFactory,
    PlanFactory,
    SeatFactory,
    SubscriptionFactory,
    TopicFactory,
    UserFactory,
)
from tests.newsletter.factories import EditionFactory, SectionFactory, SubscriberFactory
from tests.practice_library.factories import (
    ResourceFactory,
    ResourceTypeFactory,
    attach,
    pdf_bytes,
)
from tests.sector_data.factories import (
    ChartFactory,
    CouncilFactory,
    DataPageFactory,
    mapped_dataset,
    upload,
)

pytestmark = pytest.mark.django_db


# --- One realistic object per registered model ----------------------------------------


def _resource(title: str = "Preparing for an Ofsted inspection", review_due=None):
    resource = ResourceFactory(
        title=title,
        topics=[TopicFactory(name="Inspection and quality")],
        audiences=[MemberType.PROVIDER],
        review_due=review_due,
    )
    attach(resource, name="inspection-checklist.pdf", title="Checklist")
    return resource


def _edition():
    edition = EditionFactory()
    SectionFactory(edition=edition)
    return edition


def _event(title: str = "Preparing for inspection: a free session for registered managers"):
    event = EventFactory(title=title)
    event.slides.save("inspection-session-slides.pdf", ContentFile(pdf_bytes()), save=True)
    return event


def _registration():
    return events_services.registration_create(
        event=_event("Regional meeting of commissioners and providers, West Midlands"),
        user=SubscriptionFactory().user,
        needs="A seat near the front, please.",
    ).registration


def _event_message():
    event = _event("Webinar: therapeutic models of care in small homes")
    events_services.registration_create(event=event, user=SubscriptionFactory().user)
    return events_services.message_send(
        event=event,
        subject="Joining details for Thursday",
        body="The joining link opens fifteen minutes before the start.",
        sent_by=UserFactory(is_staff=True),
    )


_editions = itertools.count(1)


def _dataset_version():
    CouncilFactory(name="Northmoor (fictional)", slug="northmoor", region=Region.WEST_MIDLANDS)
    dataset = mapped_dataset(
        title=f"Children's homes and places by council, edition {next(_editions)}"
    )
    return upload(
        dataset,
        [
            ["Year", "Region", "Council", "Homes", "Places"],
            ["2022", "West Midlands", "Northmoor", "10", "40"],
            ["2023", "West Midlands", "Northmoor", "12", "44"],
        ],
    )


def _data_page():
    measure = _dataset_version().dataset.measures.get(slug="homes")
    page = DataPageFactory(title="Homes and places over ten years", slug="homes-and-places")
    ChartFactory(page=page, title="Children's homes", measure=measure)
    return page


def _post():
    return PostFactory(thread=ThreadFactory(title="Recruiting night staff"))


def _moderation_action():
    post = _post()
    moderator = category_moderator(post.thread.category)
    actions.post_hide(actor=moderator, post=post, reason="Names a young person")
    return ModerationAction.objects.filter(post=post).latest("pk")


def _report():
    reporter = SubscriptionFactory().user
    return reports.report_create(
        reporter=reporter,
        post=_post(),
        reason=ReportReason.OTHER,
        details="Reads like an advert for agency staff rather than a question.",
    )


def _invoice_request():
    organisation = OrganisationFactory(name="Eastfield County Council (fictional)")
    return InvoiceRequest.objects.create(
        requested_by=UserFactory(),
        plan=PlanFactory(organisation=True, member_type=MemberType.COMMISSIONER),
        organisation=organisation,
        seats=12,
        purchase_order_number="PO-44120",
    )


def _stripe_event():
    return StripeEvent.objects.create(
        stripe_event_id="evt_1PAdminPages",
        event_type="customer.subscription.updated",
        payload={
            "id": "evt_1PAdminPages",
            "type": "customer.subscription.updated",
            "data": {"object": {"id": "sub_test_pages", "object": "subscription"}},
        },
        stripe_subscription_id="sub_test_pages",
    )


def _delivery():
    subscriber = SubscriberFactory()
    return Delivery.objects.create(
        edition=_edition(), subscriber=subscriber, email=subscriber.email
    )


def _digest_period(kind: str = "daily"):
    end = timezone.now().replace(microsecond=0)
    return DigestPeriod.objects.create(
        kind=kind, period_start=end - timedelta(days=1), period_end=end
    )


def _member_type_change_request():
    grant = GrantFactory(member_type=MemberType.POLICY)
    return MemberTypeChangeRequest.objects.create(
        user=grant.user,
        current_type=MemberType.POLICY,
        requested_type=MemberType.COMMISSIONER,
        reason="I moved to the commissioning team at Northmoor County Council in June.",
    )


BUILDERS: dict[str, Callable[[], models.Model]] = {
    "sector_data.council": lambda: CouncilFactory(
        name="Severnside (fictional)", region=Region.WEST_MIDLANDS, child_population=20_000
    ),
    "sector_data.dataset": lambda: _dataset_version().dataset,
    "sector_data.datasetversion": _dataset_version,
    "sector_data.measure": lambda: _dataset_version().dataset.measures.get(slug="places"),
    "sector_data.datapage": _data_page,
    "events.event": _event,
    "events.registration": _registration,
    "events.eventmessage": _event_message,
    "network.topic": lambda: TopicFactory(name="Leaving care and Staying Close"),
    "network.contactmessage": lambda: ContactMessage.objects.create(
        name="Amira Shah",
        email="amira@example.org",
        subject="Invoices for our council",
        message="Can we pay by invoice against a PO number?",
    ),
    "auth.group": lambda: Group.objects.get_or_create(name=EDITORS_GROUP)[0],
    "members.user": lambda: SubscriptionFactory().user,
    "members.organisation": lambda: OrganisationFactory(),
    "members.invitation": lambda: InvitationFactory(),
    "members.seat": lambda: SeatFactory(),
    "members.seatremoval": lambda: SeatRemoval.objects.create(
        organisation=OrganisationFactory(), user=UserFactory(), removed_by=UserFactory()
    ),
    "members.organisationdetailschange": lambda: OrganisationDetailsChange.objects.create(
        organisation=OrganisationFactory(),
        changed_by=UserFactory(),
        fields_changed=["name", "purchase_order_number"],
        values={
            "name": ["Fictional Harbour Homes", "Fictional Harbour Homes Ltd"],
            "purchase_order_number": ["", "PO-2027-0017"],
        },
    ),
    "members.plan": lambda: PlanFactory(),
    "members.subscription": lambda: SubscriptionFactory(),
    "members.invoice": lambda: InvoiceFactory(),
    "members.invoicerequest": _invoice_request,
    "members.stripeevent": _stripe_event,
    "members.membershipgrant": lambda: GrantFactory(member_type=MemberType.POLICY),
    "members.membertypechangerequest": _member_type_change_request,
    "members.datarequest": lambda: DataRequest.objects.create(
        user=UserFactory(), kind=DataRequest.Kind.ERASURE, source=DataRequest.Source.EMAIL
    ),
    "practice_library.resourcetype": lambda: ResourceTypeFactory(name="Case study"),
    "practice_library.resource": _resource,
    "practice_library.resourcedueforreview": lambda: _resource(
        title="Staying Close: a model for leaving care",
        review_due=timezone.localdate() - timedelta(days=10),
    ),
    "forum.category": lambda: CategoryFactory(),
    "forum.thread": lambda: _post().thread,
    "forum.post": _post,
    "forum.moderationaction": _moderation_action,
    "forum.report": _report,
    "forum.watchpattern": lambda: WatchPattern.objects.create(
        name="Phone numbers", pattern=r"\b07\d{9}\b"
    ),
    "forum.suspension": lambda: Suspension.objects.create(
        member=UserFactory(), reason="Cooling off after a heated thread", created_by=UserFactory()
    ),
    "newsletter.newsletter": lambda: _edition().newsletter,
    "newsletter.subscriber": lambda: SubscriberFactory(),
    "newsletter.edition": _edition,
    "newsletter.delivery": _delivery,
    "newsletter.digestperiod": _digest_period,
    "newsletter.digestdelivery": lambda: DigestDelivery.objects.create(
        period=_digest_period("weekly"), subscriber=SubscriberFactory()
    ),
    "newsletter.suppression": lambda: Suppression.objects.create(
        address_hash=address_hash(f"complained{Suppression.objects.count()}@example.org"),
        reason=Suppression.Reason.COMPLAINED,
    ),
    "sites.site": Site.objects.get_current,
    "account.emailaddress": lambda: EmailAddress.objects.get(user=UserFactory()),
    "mfa.authenticator": lambda: Authenticator.objects.create(
        user=UserFactory(), type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    ),
    "usersessions.usersession": lambda: UserSession.objects.create(
        user=UserFactory(),
        ip="192.0.2.10",
        session_key="adminpagessessionkey",
        user_agent="Mozilla/5.0 (X11; Linux x86_64)",
    ),
}

# The standard pages of every ModelAdmin, by the name Django gives their URL.
MODEL_PAGES = ["changelist", "add", "change", "delete", "history"]


def _label(model) -> str:
    return model._meta.label_lower


def _url_name(model, page: str) -> str:
    return f"{model._meta.app_label}_{model._meta.model_name}_{page}"


# --- Who may do what ----------------------------------------------------------------------


def _request_as(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _admin_allows(model_admin, user, page: str, obj) -> bool:
    """What the ModelAdmin allows this user on this page (for superusers: anyone)."""
    request = _request_as(user)
    if page in ("changelist", "change", "history"):
        return model_admin.has_view_or_change_permission(
            request, obj if page != "changelist" else None
        )
    if page == "add":
        return model_admin.has_add_permission(request)
    if page == "delete":
        return model_admin.has_delete_permission(request, obj)
    raise AssertionError(page)


def _expected(model_admin, user, page: str, obj) -> int:
    return 200 if _admin_allows(model_admin, user, page, obj) else 403


# Admin URLs beyond the five standard pages: how to reach each and what to expect.
# `allowed(user, objects)` says whether the person may use it; `path(objects)` its URL.
CUSTOM = {
    "index": SimpleNamespace(url=lambda o: reverse("admin:index"), allowed=lambda u: True),
    # Signed in already: the login page sends staff on to the admin.
    "login": SimpleNamespace(url=lambda o: reverse("admin:login"), status=302),
    # Signing out is a POST; a GET is refused by method.
    "logout": SimpleNamespace(url=lambda o: reverse("admin:logout"), status=405),
    "password_change": SimpleNamespace(
        url=lambda o: reverse("admin:password_change"), allowed=lambda u: True
    ),
    "password_change_done": SimpleNamespace(
        url=lambda o: reverse("admin:password_change_done"), allowed=lambda u: True
    ),
    "jsi18n": SimpleNamespace(url=lambda o: reverse("admin:jsi18n"), allowed=lambda u: True),
    "autocomplete": SimpleNamespace(
        url=lambda o: (
            reverse("admin:autocomplete")
            + "?app_label=practice_library&model_name=resource&field_name=related&term=ofsted"
        ),
        allowed=lambda u: (
            u.has_perm("practice_library.view_resource")
            or u.has_perm("practice_library.change_resource")
        ),
    ),
    # Resources have a page on the site; the admin's "view on site" redirects there.
    "view_on_site": SimpleNamespace(
        url=lambda o: reverse(
            "admin:view_on_site",
            args=[
                ContentType.objects.get_for_model(o["practice_library.resource"]).pk,
                o["practice_library.resource"].pk,
            ],
        ),
        status=302,
    ),
    "auth_user_password_change": SimpleNamespace(
        url=lambda o: reverse("admin:auth_user_password_change", args=[o["members.user"].pk]),
        allowed=lambda u: u.has_perm("members.change_user"),
    ),
    "forum_moderationaction_export": SimpleNamespace(
        url=lambda o: reverse("admin:forum_moderationaction_export"),
        allowed=lambda u: u.has_perm("forum.view_moderationaction"),
    ),
    "sector_data_dataset_upload": SimpleNamespace(
        url=lambda o: reverse(
            "admin:sector_data_dataset_upload", args=[o["sector_data.dataset"].pk]
        ),
        allowed=lambda u: u.has_perm("sector_data.change_dataset"),
    ),
    **{
        name: SimpleNamespace(
            url=lambda o, name=name: reverse(f"admin:{name}", args=[o["events.event"].pk]),
            allowed=lambda u: u.has_perm("events.change_event"),
        )
        for name in ["events_event_message", "events_event_library"]
    },
    # The attendance register names everyone with a place and marks attendance on their
    # registrations: for those who may change registrations, not every editor of events.
    "events_event_register": SimpleNamespace(
        url=lambda o: reverse("admin:events_event_register", args=[o["events.event"].pk]),
        allowed=lambda u: (
            u.has_perm("events.change_event") and u.has_perm("events.change_registration")
        ),
    ),
    **{
        name: SimpleNamespace(
            url=lambda o, name=name: reverse(f"admin:{name}", args=[o["newsletter.edition"].pk]),
            allowed=lambda u: u.has_perm("newsletter.change_edition"),
        )
        for name in [
            "newsletter_edition_preview",
            "newsletter_edition_preview_text",
            "newsletter_edition_send",
            "newsletter_edition_progress",
        ]
    },
}


def _admin_url_names() -> tuple[set[str], list[str]]:
    """Every named URL the admin serves, and the patterns of those without a name."""
    names: set[str] = set()
    unnamed: list[str] = []

    def walk(patterns, prefix: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                if pattern.name:
                    names.add(pattern.name)
                else:
                    unnamed.append(prefix + str(pattern.pattern))

    walk(admin.site.get_urls())
    return names, unnamed


# --- The tests ------------------------------------------------------------------------------


def test_every_registered_model_has_a_realistic_object_for_the_page_test():
    registered = {_label(model) for model in admin.site._registry}

    assert sorted(registered - set(BUILDERS)) == [], "give these models a builder above"
    assert sorted(set(BUILDERS) - registered) == [], "these are no longer registered"


def test_every_admin_url_has_an_expectation():
    names, unnamed = _admin_url_names()
    standard = {_url_name(model, page) for model in admin.site._registry for page in MODEL_PAGES}
    # Django's own: app index pages (requested per app below), the redirect of an
    # object's bare URL to its change page, and the catch-all that answers 404.
    known_unnamed = {
        f"{_label(m).replace('.', '/')}/<path:object_id>/" for m in admin.site._registry
    }
    known_unnamed.add("(?P<url>.*)$")

    assert sorted(names - standard - set(CUSTOM) - {"app_list"}) == []
    assert sorted(set(unnamed) - known_unnamed) == []


def _files_of(obj) -> list[str]:
    """Problems with the files of `obj`: each file field of the model or of its inlines
    must hold a file, so the pages are tried with files shown."""
    model_admin = admin.site._registry[type(obj)]
    missing = [
        f"{_label(obj)}.{field.name}"
        for field in obj._meta.fields
        if isinstance(field, models.FileField) and not getattr(obj, field.name)
    ]
    for inline in model_admin.inlines:
        file_fields = [f for f in inline.model._meta.fields if isinstance(f, models.FileField)]
        if not file_fields:
            continue
        fk = next(
            f
            for f in inline.model._meta.fields
            if isinstance(f, models.ForeignKey) and issubclass(type(obj), f.related_model)
        )
        for field in file_fields:
            if not inline.model.objects.filter(**{fk.name: obj.pk}).exclude(**{field.name: ""}):
                missing.append(f"{_label(inline.model)}.{field.name}")
    return missing


@pytest.fixture
def objects(settings):
    built = {label: build() for label, build in BUILDERS.items()}
    missing_files = [problem for obj in built.values() for problem in _files_of(obj)]
    assert missing_files == [], "the builders must attach files to these fields"
    return built


def _staff():
    user = UserFactory(email="admin-pages-staff@example.org", is_staff=True, is_superuser=True)
    return user


def _editor():
    user = UserFactory(email="admin-pages-editor@example.org", is_staff=True)
    user.groups.add(group_with_permissions(EDITORS_GROUP, EDITORS_APP_LABELS, EDITORS_LEFT_OUT))
    return user


def _answers(client, user, objects) -> list[str]:
    """Request every admin page as `user`; return what answered otherwise than intended."""
    wrong = []

    def check(url: str, expected: int) -> None:
        status = client.get(url).status_code
        if status != expected:
            wrong.append(f"{url} answered {status}, expected {expected}")

    for model, model_admin in admin.site._registry.items():
        obj = objects[_label(model)]
        for page in MODEL_PAGES:
            args = [obj.pk] if page not in ("changelist", "add") else []
            url = reverse(f"admin:{_url_name(model, page)}", args=args)
            expected = _expected(model_admin, user, page, obj)
            if expected == 200 and not user.is_superuser:
                # Beyond what the ModelAdmin allows, the editor's group must give it.
                codenames = {
                    "changelist": ["view", "change"],
                    "change": ["view", "change"],
                    "history": ["view", "change"],
                    "add": ["add"],
                    "delete": ["delete"],
                }[page]
                concrete = model._meta.concrete_model._meta
                if not any(
                    user.has_perm(f"{concrete.app_label}.{c}_{concrete.model_name}")
                    for c in codenames
                ):
                    expected = 403
            check(url, expected)
    for app_label in {model._meta.app_label for model in admin.site._registry}:
        may = user.has_module_perms(app_label)
        check(reverse("admin:app_list", args=[app_label]), 200 if may else 404)
    for custom in CUSTOM.values():
        expected = getattr(custom, "status", None) or (200 if custom.allowed(user) else 403)
        check(custom.url(objects), expected)
    return wrong


def test_every_admin_page_opens_for_staff(client, objects):
    staff = roles.with_two_factor(_staff())
    client.force_login(staff)

    assert _answers(client, staff, objects) == []


def test_every_searchable_admin_list_answers_a_search(client, objects, rf):
    staff = roles.with_two_factor(_staff())
    client.force_login(staff)
    request = rf.get("/")
    request.user = staff

    wrong = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.get_search_fields(request):
            continue
        url = reverse(f"admin:{_url_name(model, 'changelist')}")
        status = client.get(url, {"q": "northmoor"}).status_code
        if status != 200:
            wrong.append(f"{url}?q=northmoor answered {status}")

    assert wrong == []


def test_every_admin_page_opens_for_an_editor_or_refuses_them_as_intended(client, objects):
    editor = roles.with_two_factor(_editor())
    client.force_login(editor)

    assert _answers(client, editor, objects) == []


def test_no_admin_page_an_editor_opens_links_to_a_model_they_may_not_see(client, objects):
    """A lookup or a link to, say, a member's account would only refuse them."""
    editor = roles.with_two_factor(_editor())
    client.force_login(editor)
    models_by_prefix = {
        f"{model._meta.app_label}_{model._meta.model_name}": model for model in admin.site._registry
    }
    refusing = set()
    for model in admin.site._registry:
        obj = objects[_label(model)]
        for page in ("changelist", "add", "change"):
            args = [obj.pk] if page == "change" else []
            response = client.get(reverse(f"admin:{_url_name(model, page)}", args=args))
            if response.status_code != 200:
                continue
            for path in set(re.findall(r'href="(/admin/[^"?#]*)', response.content.decode())):
                url_name = resolve(path).url_name or ""
                linked = models_by_prefix.get(url_name.rsplit("_", 1)[0])
                if linked is None:
                    continue
                meta = linked._meta.concrete_model._meta
                if not any(
                    editor.has_perm(f"{meta.app_label}.{action}_{meta.model_name}")
                    for action in ("view", "change")
                ):
                    refusing.add(f"{_url_name(model, page)} links to {path}")

    assert sorted(refusing) == []


def test_editors_reach_the_library_and_the_newsletter_but_not_members_or_the_forum(objects):
    """The intended access, beside the derived one: a regression in the group's
    permissions must show here, not only in the expectations derived from them."""
    editor = _editor()
    resource = objects["practice_library.resource"]

    assert _admin_allows(admin.site._registry[type(resource)], editor, "change", resource)
    assert editor.has_perm("practice_library.change_resource")
    assert editor.has_perm("newsletter.change_edition")
    assert not editor.has_perm("members.view_user")
    assert not editor.has_perm("forum.view_post")
    # Who registered for events (with their needs) and subscribers' addresses are staff's.
    assert not editor.has_perm("events.view_registration")
    assert not editor.has_perm("newsletter.view_subscriber")
    assert not editor.has_perm("newsletter.view_delivery")


def test_moderators_have_no_admin_and_are_sent_to_sign_in(client, objects, moderator):
    moderator.groups.add(group_with_permissions(MODERATORS_GROUP, MODERATORS_APP_LABELS))
    client.force_login(moderator)
    model = type(objects["forum.post"])

    for page in MODEL_PAGES:
        args = [objects["forum.post"].pk] if page not in ("changelist", "add") else []
        response = client.get(reverse(f"admin:{_url_name(model, page)}", args=args))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_admin_pages_carry_the_sites_icon(client):
    client.force_login(roles.with_two_factor(_staff()))

    html = client.get(reverse("admin:index")).content.decode()

    assert '<link rel="icon" href="/static/img/favicon.svg"' in html


def test_admin_pages_carry_the_sites_admin_stylesheet(client):
    client.force_login(roles.with_two_factor(_staff()))

    html = client.get(reverse("admin:index")).content.decode()

    assert '<link rel="stylesheet" href="/static/css/admin.css">' in html
