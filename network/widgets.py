"""Form widgets shared by the apps' admin pages."""

from django.forms import ClearableFileInput
from django.template.defaultfilters import filesizeformat


class ProtectedFileInput(ClearableFileInput):
    """A file input for files kept in the protected storage, which has no public URL.

    Django's ClearableFileInput links the current file to `file.url`, which the protected
    storage refuses (ValueError), so a change page with a file on it could not open. This
    shows the file's name, type and size, and links to the site's own download view,
    which asks the access policy, when the form gives it one. The file input beside it
    still replaces the file; leaving it empty keeps the current one.
    """

    template_name = "admin/widgets/protected_file_input.html"

    def __init__(
        self,
        attrs=None,
        *,
        download_url: str = "",
        original_name: str = "",
        kind: str = "",
        size_bytes: int | None = None,
    ):
        super().__init__(attrs)
        self.download_url = download_url
        self.original_name = original_name
        self.kind = kind
        self.size_bytes = size_bytes

    def describe(self, *, download_url: str, original_name: str, kind: str, size_bytes: int):
        """Say what the current file is; the form calls this once it knows its instance."""
        self.download_url = download_url
        self.original_name = original_name
        self.kind = kind
        self.size_bytes = size_bytes

    def is_initial(self, value) -> bool:
        # Django's test reads value.url, which is exactly what this storage refuses.
        return bool(value and getattr(value, "name", None))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        current = value if self.is_initial(value) else None
        context["widget"]["current"] = (
            {
                # The stored name is random; the name the uploader gave is the useful one.
                "name": self.original_name or current.name.rsplit("/", 1)[-1],
                "kind": self.kind,
                "size": filesizeformat(self.size_bytes) if self.size_bytes is not None else "",
                "download_url": self.download_url,
            }
            if current
            else None
        )
        return context
