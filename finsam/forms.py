"""Forms of the association core. Messages are Swedish."""

from django import forms
from django.utils.translation import gettext_lazy as _

from finsam.models import AssociationDate


class AssociationDateForm(forms.Form):
    """A new date in the association's calendar (årshjul)."""

    date = forms.DateField(
        label=_("Datum"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Ange ett datum."), "invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")},
    )
    kind = forms.ChoiceField(
        label=_("Typ"),
        choices=AssociationDate.Kind.choices,
        initial=AssociationDate.Kind.BOARD_MEETING,
        error_messages={
            "required": _("Välj vad det är för datum."),
            "invalid_choice": _("Välj en typ i listan."),
        },
    )
    title = forms.CharField(
        label=_("Beskrivning"),
        help_text=_("Till exempel ”Medlemssamråd om budget 2027”. Krävs för typen Annat."),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Högst %(limit_value)d tecken.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "kalender-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
