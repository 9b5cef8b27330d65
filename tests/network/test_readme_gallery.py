"""The README's gallery shows the screenshots scripts/screenshots.py takes, and they stay
small enough for a repository."""

import importlib.util
import re
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def _gallery_images() -> list[str]:
    readme = (BASE_DIR / "README.md").read_text()
    gallery = readme[readme.index("## Gallery") :]
    gallery = gallery[: gallery.index("\n## ")]
    return re.findall(r"!\[[^\]]+\]\((docs/[^)]+\.png)\)", gallery)


def test_readme_gallery_shows_each_screenshot_the_script_takes():
    spec = importlib.util.spec_from_file_location(
        "screenshots", BASE_DIR / "scripts/screenshots.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    taken = {f"docs/{name}" for name, *_ in script.SHOTS}

    assert len(taken) == 8
    assert set(_gallery_images()) == taken


def test_gallery_screenshots_exist_and_are_under_150_kb():
    for image in _gallery_images():
        assert (BASE_DIR / image).stat().st_size < 150 * 1024, image
