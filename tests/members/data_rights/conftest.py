import pytest
from django.urls import reverse

from tests.members.factories import PASSWORD


@pytest.fixture
def sign_in(client):
    """Sign in and give the password again (allauth's reauthentication), as a person
    does before downloading their data or deleting their account."""

    def sign_in(user):
        client.force_login(user)
        response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        assert response.status_code == 302
        return client

    return sign_in
