"""members/access_expectations/billing.py holds for every role (the project-wide access
matrix reads the same table; this keeps it true for the billing URLs on their own)."""

import pytest
from django.urls import reverse

from members.access_expectations import billing as expectations


@pytest.mark.django_db
@pytest.mark.parametrize("role", expectations.ROLES)
def test_billing_urls_answer_each_role_as_the_table_says(client, request, role, no_stripe):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    kwargs = expectations.url_kwargs({})

    answers = {
        name: client.get(reverse(name, kwargs=kwargs.get(name, {}))).status_code
        for name in expectations.EXPECTED
    }

    expected = {name: table.get(role, table["*"]) for name, table in expectations.EXPECTED.items()}
    assert answers == expected
