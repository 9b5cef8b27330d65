"""Form widgets shared by the apps' forms and admin pages."""

from django.core.files.uploadedfile import UploadedFile
from django.forms import ClearableFileInput
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html, format_html_join


def files_not_kept(value) -> list[str]:
    """The names of the files just chosen (uploaded, not stored) among `value`.

    On a form that comes back (an error, a preview) a browser cannot put a chosen file
    back into its file input: what was chosen is gone from the page, and the reader must
    be told to choose it again.
    """
    chosen = value if isinstance(value, list | tuple) else [value]
    return [item.name for item in chosen if isinstance(item, UploadedFile)]


class AsksToChooseAgain:
    """A file input that, on a form that has come back, names the files chosen before and
    asks for them again, rather than leaving them to be lost unnoticed. The note is tied
    to the input (aria-describedby), so a screen reader hears it on the field."""

    choose_again_before = "you save"
    chosen: tuple[str, ...] = ()

    def value_from_datadict(self, data, files, name):
        # Each form has its own copy of its widgets. The chosen files are remembered here
        # because a file field renders with its initial value, never with what was sent.
        value = super().value_from_datadict(data, files, name)
        self.chosen = tuple(files_not_kept(value))
        return value

    def render(self, name, value, attrs=None, renderer=None):
        names = self.chosen
        if not names:
            return super().render(name, value, attrs, renderer)
        attrs = dict(attrs or {})
        note_id = f"{attrs.get('id') or name}_not_kept"
        attrs["aria-describedby"] = " ".join(filter(None, [attrs.get("aria-describedby"), note_id]))
        html = super().render(name, value, attrs, renderer)
        listed = format_html_join(", ", "“{}”", ((n,) for n in names))
        return format_html(
            # One box for the input and its note: the admin lays a field's parts out in a
            # row, where a note of its own would squeeze the field's label out.
            '<div class="file-input">{}<p class="file-not-kept" id="{}">You chose {}, but a '
            "page that comes back cannot keep a chosen file: <strong>choose {} again before "
            "{}</strong>.</p></div>",
            html,
            note_id,
            listed,
            "it" if len(names) == 1 else "them",
            self.choose_again_before,
        )


class FileInputAskingAgain(AsksToChooseAgain, ClearableFileInput):
    pass


class ProtectedFileInput(AsksToChooseAgain, ClearableFileInput):
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
