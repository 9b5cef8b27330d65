"""A signed-in device named the way its owner would name it ("Chrome on Windows").

The devices list used to show the raw browser string, which reads as noise to most people
("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 …"). A handful of
patterns name the browsers our members use at work and on their phones; anything else
keeps the raw string, which the page still shows in full for whoever wants it.
"""

# Order matters: Edge, Opera and Samsung Internet also say "Chrome" and "Safari", and
# every browser on an iPhone says "Safari".
BROWSERS = (
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("CriOS/", "Chrome"),
    ("FxiOS/", "Firefox"),
    ("EdgiOS/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)

SYSTEMS = (
    ("iPhone", "an iPhone"),
    ("iPad", "an iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "a Chromebook"),
    ("Macintosh", "a Mac"),
    ("Linux", "Linux"),
)


def describe_browser(user_agent: str | None) -> str:
    """The device in words, such as "Chrome on Windows"; empty for a browser we do not know."""
    if not user_agent:
        return ""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in SYSTEMS if mark in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser
