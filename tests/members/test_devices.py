import pytest

from members.devices import describe_browser

WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
WINDOWS_EDGE = WINDOWS_CHROME + " Edg/131.0.0.0"
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
IPHONE_CHROME = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1"
)
MAC_FIREFOX = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0"
ANDROID_SAMSUNG = (
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36"
)


@pytest.mark.parametrize(
    ("user_agent", "named"),
    [
        (WINDOWS_CHROME, "Chrome on Windows"),
        (WINDOWS_EDGE, "Edge on Windows"),
        (IPHONE_SAFARI, "Safari on an iPhone"),
        (IPHONE_CHROME, "Chrome on an iPhone"),
        (MAC_FIREFOX, "Firefox on a Mac"),
        (ANDROID_SAMSUNG, "Samsung Internet on Android"),
    ],
)
def test_a_device_is_named_by_its_browser_and_system(user_agent, named):
    assert describe_browser(user_agent) == named


def test_a_string_naming_no_known_browser_is_not_named():
    assert describe_browser("curl/8.5.0") == ""
    assert describe_browser(None) == ""
