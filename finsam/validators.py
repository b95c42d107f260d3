import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

# The years a plan, a budget column or a grant can name.
YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]

ORG_NUMBER_RE = re.compile(r"^(\d{6})-?(\d{4})$")


def luhn_valid(digits: str) -> bool:
    """The Luhn check used by Swedish personal and organisation numbers (weights 2,1,2,1,...)."""
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def normalise_org_number(value: str) -> str:
    """'2220002063' and '222000-2063' both become '222000-2063'."""
    match = ORG_NUMBER_RE.match((value or "").strip())
    if not match:
        return (value or "").strip()
    return f"{match[1]}-{match[2]}"


def validate_org_number(value: str) -> None:
    match = ORG_NUMBER_RE.match((value or "").strip())
    if not match:
        raise ValidationError(_("Organisationsnumret ska ha formen NNNNNN-NNNN."), code="org_number_format")
    if not luhn_valid(match[1] + match[2]):
        raise ValidationError(_("Organisationsnumret har fel kontrollsiffra."), code="org_number_checksum")
