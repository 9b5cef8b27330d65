"""Every error names its field and says what to do (network.forms.SpecificMessages)."""

from django import forms

from network.forms import SpecificMessages


class RoomForm(SpecificMessages, forms.Form):
    title = forms.CharField(max_length=10, min_length=3)
    po_number = forms.CharField(label="PO number")
    audience = forms.ChoiceField(choices=[("providers", "Providers")])
    why = forms.ChoiceField(label="What is wrong?", choices=[("a", "A")])
    agree = forms.BooleanField(label="I have read the guidance")
    slides = forms.FileField()
    places = forms.IntegerField()
    seats = forms.IntegerField(min_value=1, max_value=500)
    email = forms.EmailField(label="Billing email")
    own = forms.CharField(error_messages={"required": "Write a line of your own"})


def errors(data: dict) -> dict[str, list[str]]:
    form = RoomForm(data)
    form.is_valid()
    return form.errors


def test_an_empty_form_says_what_each_field_wants():
    found = errors({})
    assert found["title"] == ["Enter title"]
    assert found["po_number"] == ["Enter PO number"]
    assert found["audience"] == ["Choose audience"]
    assert found["why"] == ["Answer “What is wrong?”"]
    assert found["agree"] == ["Tick “I have read the guidance” to go on"]
    assert found["slides"] == ["Choose a file: slides"]
    assert "This field is required." not in str(found)


def test_a_message_the_form_sets_itself_is_kept():
    assert errors({})["own"] == ["Write a line of your own"]


def test_lengths_choices_and_numbers_name_the_field():
    found = errors({"title": "x" * 12, "audience": "nobody", "places": "many"})
    assert found["title"] == ["Title must be 10 characters or fewer (it has 12)"]
    assert found["audience"] == ["Choose one of the options for audience"]
    assert found["places"] == ["Enter a whole number for places"]
    assert errors({"title": "xy"})["title"] == ["Title must be at least 3 characters (it has 2)"]


def test_an_email_address_in_the_wrong_format_gets_the_site_s_own_message():
    assert errors({"email": "nope"})["email"] == [
        "Enter an email address in the correct format, like name@example.org"
    ]


def test_a_number_beyond_its_limits_names_the_field_and_the_limit():
    assert errors({"seats": "-5"})["seats"] == ["Seats must be 1 or more"]
    assert errors({"seats": "501"})["seats"] == ["Seats must be 500 or fewer"]
