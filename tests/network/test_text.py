"""Text as a reader sees it: names and titles that show nothing, or turn around."""

import pytest
from django.core.exceptions import ValidationError

from network.text import (
    email_that_wraps,
    person_name_clean,
    shown_text,
    without_direction_controls,
)


def test_a_name_of_invisible_characters_alone_is_refused():
    with pytest.raises(ValidationError, match="Enter your name"):
        person_name_clean("\u200b\u200b\u2800")


def test_a_name_keeps_its_letters_without_direction_controls_or_invisible_characters():
    assert person_name_clean("Sam\u200b Oka\u202efor ") == "Sam Okafor"


def test_a_name_in_a_right_to_left_script_is_kept_as_written():
    assert person_name_clean("ليلى حسن") == "ليلى حسن"


def test_direction_controls_go_and_the_words_stay_in_order():
    assert without_direction_controls("\u202eRTL override") == "RTL override"


def test_blank_characters_show_nothing():
    assert shown_text("\u3164\u2800\u200b") == ""


def test_an_email_address_may_break_before_its_at_and_the_dots_of_its_domain():
    shown = email_that_wraps("ada.quinn@northmoor.gov.uk")

    assert shown == "ada.quinn<wbr>@northmoor<wbr>.gov<wbr>.uk"


def test_an_email_address_that_may_break_is_still_escaped():
    assert email_that_wraps('a<b>@x"y') == "a&lt;b&gt;<wbr>@x&quot;y"
