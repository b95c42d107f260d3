"""Forms of the association core. Messages are Swedish."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.validators import MaxValueValidator
from django.db import models
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from finsam.models import Association, AssociationDate, BoardSeat, Membership, Organisation, StaffMember


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


# --- Setting up an association (finsam.setup, finsam.views_setup) ---------------------------------------

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REQUIRED = {"required": _("Fyll i fältet.")}
# An invited address becomes the new account's user name (at most 150 characters).
EMAIL_MAX_LENGTH = 150
EMAIL_ERRORS = {
    "required": _("Fyll i fältet."),
    "invalid": _("Skriv en giltig e-postadress."),
    "max_length": _("Högst %(limit_value)d tecken."),
}


class SetupForm(forms.ModelForm):
    """A form of the association's setup pages: ids prefixed per form, no colon after labels, and a
    Swedish message for a missing value."""

    id_prefix = "uppgift"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = REQUIRED["required"]


class AssociationFactsForm(SetupForm):
    """What the chief keeps about the association (the slug in its addresses stays as created)."""

    id_prefix = "forbund"

    class Meta:
        model = Association
        fields = [
            "name",
            "org_number",
            "area",
            "formed_on",
            "website",
            "logo",
            "publish_adopted_plans",
            "readers_can_comment",
        ]
        widgets = {"formed_on": DATE_WIDGET}
        help_texts = {"logo": _("PNG eller JPEG, högst 1 MB. Visas på planernas försättsblad och i PDF:en.")}
        error_messages = {
            "formed_on": {"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")},
            "website": {"invalid": _("Skriv en hel webbadress, till exempel https://exempel.se.")},
        }

    def clean_logo(self):
        return clean_logo(self.cleaned_data.get("logo"))


LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_SIDE = 4000


def clean_logo(logo):
    """A logo the PDF can print: PNG or JPEG, at most 1 MB and 4000 px a side (Pillow has read it)."""
    image = getattr(logo, "image", None)  # set by ImageField for a new upload only
    if image is None:
        return logo
    if logo.size > LOGO_MAX_BYTES:
        raise forms.ValidationError(_("Logotypen är för stor: högst 1 MB."))
    if image.format not in ("PNG", "JPEG"):
        raise forms.ValidationError(_("Logotypen ska vara en PNG- eller JPEG-bild."))
    if max(image.size) > LOGO_MAX_SIDE:
        raise forms.ValidationError(_("Logotypen är för stor: högst 4000 bildpunkter på varje led."))
    return logo


class AssociationCreateForm(AssociationFactsForm):
    """A new association, and the address its chief is invited at (the logo is the chief's to add)."""

    chief_email = forms.EmailField(
        label=_("Förbundschefens e-postadress"),
        help_text=_("Förbundschefen får en inbjudan med en länk för att välja lösenord."),
        max_length=EMAIL_MAX_LENGTH,
        error_messages=EMAIL_ERRORS,
    )

    class Meta(AssociationFactsForm.Meta):
        fields = ["name", "slug", "org_number", "area", "formed_on", "website"]
        help_texts = {"slug": _("Små bokstäver, siffror och bindestreck, till exempel ostra-varmland.")}
        error_messages = {
            **AssociationFactsForm.Meta.error_messages,
            "slug": {
                "invalid": _("Använd bara små bokstäver a–z, siffror och bindestreck."),
                "unique": _("Det kortnamnet används redan av ett annat förbund."),
            },
        }


class OrganisationForm(SetupForm):
    id_prefix = "organisation"

    class Meta:
        model = Organisation
        fields = ["name", "short_name", "kind", "is_member"]

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.association = association

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = self.association.organisations.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Förbundet har redan en organisation med det namnet."))
        return name

    def clean_is_member(self):
        is_member = self.cleaned_data["is_member"]
        if not is_member and self.instance.pk and self.instance.board_seats.exists():
            raise forms.ValidationError(
                _("Organisationen har utsett ledamöter i styrelsen och måste vara medlem i förbundet.")
            )
        return is_member


class BoardSeatForm(SetupForm):
    id_prefix = "styrelseplats"
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = BoardSeat
        fields = ["person_name", "role", "appointed_by", "term_start", "term_end"]
        widgets = {"term_start": DATE_WIDGET, "term_end": DATE_WIDGET}
        error_messages = {
            "term_start": {"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")},
            "term_end": {"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")},
        }

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        field = self.fields["appointed_by"]
        # Only the association's own members: an organisation of another association is not a choice.
        field.queryset = association.organisations.filter(is_member=True).order_by("position", "name")
        field.error_messages["invalid_choice"] = _("Välj en av förbundets medlemmar.")
        self.instance.association = association


class StaffMemberForm(SetupForm):
    id_prefix = "kansli"

    class Meta:
        model = StaffMember
        fields = ["name", "title", "fte_percent"]

    def __init__(
        self, *args, association, **kwargs
    ):  # every setup form takes it; staff rows need nothing of it
        super().__init__(*args, **kwargs)
        field = self.fields["fte_percent"]
        field.max_value = 100
        field.widget.attrs["max"] = 100
        field.validators.append(MaxValueValidator(100, _("Högst 100 procent.")))
        field.error_messages["invalid"] = _("Skriv ett heltal mellan 0 och 100.")


class InvitationForm(forms.Form):
    """Invite someone to a role in the association."""

    email = forms.EmailField(
        label=_("E-postadress"), max_length=EMAIL_MAX_LENGTH, error_messages=EMAIL_ERRORS
    )
    role = forms.ChoiceField(
        label=_("Roll"),
        choices=Membership.Role.choices,
        initial=Membership.Role.BOARD,
        error_messages={"required": _("Välj en roll."), "invalid_choice": _("Välj en roll i listan.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "inbjudan-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class AcceptInvitationForm(forms.Form):
    """Someone new accepting an invitation: their name and a password (Django's password rules)."""

    first_name = forms.CharField(label=_("Förnamn"), max_length=150, error_messages=REQUIRED)
    last_name = forms.CharField(label=_("Efternamn"), max_length=150, error_messages=REQUIRED)
    password1 = forms.CharField(
        label=_("Lösenord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minst 8 tecken, inte bara siffror och inte för likt ditt namn eller din e-postadress."),
        error_messages=REQUIRED,
    )
    password2 = forms.CharField(
        label=_("Lösenordet igen"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages=REQUIRED,
    )

    def __init__(self, *args, email: str, **kwargs):
        kwargs.setdefault("auto_id", "konto-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Lösenorden är inte lika."))
        elif first:
            user = get_user_model()(
                username=self.email,
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class RecordForm(forms.Form):
    """A form for a follow-up record that its service saves, the row being named by the URL (an indicator,
    an insats and year), never by the form: the model's fields (`model`, `field_names`, with `widgets`
    and `help_texts`), filled from `instance`, and the `version` of the record shown, so that a
    save after someone else's is refused instead of overwriting it."""

    model: type[models.Model]
    field_names: tuple[str, ...] = ()
    widgets: dict = {}
    help_texts: dict = {}

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, initial=0)

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None and instance.pk:
            initial = {name: getattr(instance, name) for name in self.field_names}
            kwargs.setdefault("initial", {**initial, "version": instance.version})
        super().__init__(*args, **kwargs)
        generated = fields_for_model(
            self.model, fields=self.field_names, widgets=self.widgets, help_texts=self.help_texts
        )
        self.fields = {**generated, "version": self.fields["version"]}

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.field_names}
