"""Forms of the budget pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from budgets.importer import (
    MAX_TEXT_LENGTH,
    MAX_UPLOAD_BYTES,
    BudgetParseError,
    parse_text,
    read_upload,
    too_large_message,
)


class BudgetImportForm(forms.Form):
    """A pasted table or an uploaded file, read into `cleaned_data["parsed"]` (a `ParsedBudget`).

    The confirm step posts the same form again with the table's text (for a file: the text it was read
    into) and the plan's version at the preview; it is parsed again, never taken from the server.
    """

    text = forms.CharField(
        label=_("Klistra in budgettabellen"),
        help_text=_(
            "Markera tabellen i Word eller Excel, kopiera och klistra in här: rubrikraden med åren, "
            "rubriker, rader och summarader."
        ),
        required=False,
        strip=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "max_length": _("Texten är för lång för en budgettabell (högst %(limit_value)d tecken).")
        },
    )
    file = forms.FileField(
        label=_("… eller välj en fil"),
        help_text=_("En Excel-arbetsbok (.xlsx) eller en textfil, högst 2 MB."),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.txt,.tsv,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/plain"
            }
        ),
        error_messages={
            "invalid": _("Filen kunde inte tas emot. Välj den igen."),
            "empty": _("Filen är tom."),
            "missing": _("Filen kom inte fram. Välj den igen."),
        },
    )
    unit = forms.ChoiceField(
        label=_("Enhet"),
        choices=[
            ("", _("Som tabellen anger (annars kronor)")),
            ("kr", _("kronor")),
            ("tkr", _("tusental kronor (tkr)")),
        ],
        required=False,
    )
    source = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            # Checked on the size Django already knows, before reading a byte of it.
            raise forms.ValidationError(too_large_message(upload.size))
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        text, upload = cleaned.get("text") or "", cleaned.get("file")
        if upload and text.strip():
            raise forms.ValidationError(_("Klistra in en tabell eller välj en fil, inte båda."), code="both")
        field = "file" if upload else "text"
        try:
            if upload:
                text, source = read_upload(upload.name, upload.read())
            else:
                source = cleaned.get("source") or _("inklistrad tabell")
            parsed = parse_text(text, unit=cleaned.get("unit") or None)
        except BudgetParseError as error:
            for message in error.messages:
                self.add_error(field, message)
            return cleaned
        cleaned["parsed"] = parsed
        cleaned["source"] = str(source)
        return cleaned
