"""The outcome import page: only the chief, only on the adopted plan, another association's plan is a 404; bad
files answer in Swedish with the form and change nothing; the preview edits the mapping; "Importera" stores
all or nothing."""

from decimal import Decimal
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from budgets.followup import plan_followup
from budgets.models import FollowUpOutcome, OutcomeMapping
from plans.models import Plan, PlanEvent
from tests.sie_files import a_year_of_vouchers
from tests.test_followup import build_adopted_plan, key_of

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def plan(association):
    return build_adopted_plan(association, first_year=2020)


def url(plan):
    return reverse("followup_import", kwargs={"association": plan.association.slug, "pk": plan.pk})


def upload(data: bytes, name="bokslut.se"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def preview(client, plan, data=None, **extra):
    data = a_year_of_vouchers(2020).bytes() if data is None else data
    return client.post(url(plan), {"action": "preview", "file": upload(data)}, **extra)


def token_of(response) -> str:
    return response.context["token"]


def test_only_the_chief_opens_the_page_and_the_follow_up_links_to_it(plan, members, client_for):
    for role, user in members.items():
        response = client_for(user).get(url(plan))
        assert response.status_code == (200 if role == "chief" else 403)
    page = client_for(members["chief"]).get(
        reverse("plan_followup", kwargs={"association": plan.association.slug, "pk": plan.pk})
    )
    assert url(plan) in page.text


def test_another_association_gets_404(plan, outsider_client):
    assert outsider_client.get(url(plan)).status_code == 404
    assert preview(outsider_client, plan).status_code == 404


def test_only_the_adopted_plan(association, chief_client):
    draft = build_adopted_plan(association, first_year=2020, state=Plan.State.IN_REVIEW)
    assert chief_client.get(url(draft)).status_code == 403
    assert preview(chief_client, draft).status_code == 403


def test_board_members_cannot_import(plan, chair_client, reader_client, chief_client):
    token = token_of(preview(chief_client, plan))
    for client in (chair_client, reader_client):
        response = client.post(url(plan), {"action": "import", "token": token})
        assert response.status_code == 403
    assert not FollowUpOutcome.objects.exists()


def test_upload_preview_map_and_import(plan, chief_client):
    response = preview(chief_client, plan)
    assert response.status_code == 200
    text = response.text
    assert "Inget är sparat ännu." in text
    assert "Konton utan koppling" in text and "Löner tjänstemän" in text
    assert "1 balanskonto (klass 1 och 2) hoppas över" in text
    token = token_of(response)
    chief_line, insats = key_of(plan, "Förbundschef"), key_of(plan, "Steget vidare")
    mapped = chief_client.post(
        url(plan),
        {
            "action": "map",
            "token": token,
            "map:7010::": chief_line,
            "map:6550:6:P1": insats,
            "map:9999::": insats,
        },
        **HTMX,
    )
    assert mapped.status_code == 200
    assert "Kopplingarna är sparade" in mapped.text
    assert set(OutcomeMapping.objects.values_list("account", "dimension", "object_code", "row")) == {
        ("7010", "", "", chief_line),
        ("6550", "6", "P1", insats),
    }  # 9999 is not in the file: not saved
    assert not FollowUpOutcome.objects.exists()
    events = PlanEvent.objects.count()
    done = chief_client.post(url(plan), {"action": "import", "token": token})
    assert done.status_code == 302
    followup = plan_followup(plan)
    assert followup.rows[chief_line].amounts[2] == Decimal(45000)
    assert followup.rows[insats].amounts[2] == Decimal(20000)
    assert followup.rows[insats].amounts[3] == Decimal(80000)
    assert PlanEvent.objects.count() == events + 1
    page = chief_client.get(done["Location"])
    assert "Utfallet importerades från bokslut.se" in page.text


def test_the_mapping_form_works_without_javascript(plan, chief_client):
    token = token_of(preview(chief_client, plan))
    response = chief_client.post(
        url(plan), {"action": "map", "token": token, "map:5010::": key_of(plan, "Förbundschef")}
    )
    assert response.status_code == 200
    assert "<html" in response.text
    assert OutcomeMapping.objects.filter(account="5010").exists()
    removed = chief_client.post(url(plan), {"action": "map", "token": token, "map:5010::": ""})
    assert removed.status_code == 200
    assert not OutcomeMapping.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "tom"),
        (b"not an sie file at all", "etikett"),
        ("#SIETYP 4".encode("utf-16"), "teckenkodning"),
        (a_year_of_vouchers(2019).bytes(), "inte 2020"),
        (a_year_of_vouchers(2020).bytes().replace(b"#SIETYP 4", b"#SIETYP 3"), "SIE typ 3"),
        (a_year_of_vouchers(2020).bytes().replace(b"-600000.00", b"-600001.00"), "balanserar inte"),
    ],
)
def test_bad_files_keep_the_form_and_change_nothing(plan, chief_client, data, message):
    response = preview(chief_client, plan, data)
    assert response.status_code == 422
    assert message in response.text
    assert 'name="file"' in response.text
    assert "preview" not in response.context or response.context.get("preview") is None
    assert not FollowUpOutcome.objects.exists()


def test_a_file_too_big_is_refused(plan, chief_client):
    with mock.patch("budgets.forms.MAX_BYTES", 100):
        response = preview(chief_client, plan)
    assert response.status_code == 422
    assert "för stor" in response.text


def test_a_forged_or_foreign_token_is_refused(plan, association, chief_client):
    response = chief_client.post(url(plan), {"action": "import", "token": "forged"})
    assert response.status_code == 422
    assert "Ladda upp filen igen" in response.text
    other = build_adopted_plan(association, first_year=2021)
    token = token_of(preview(chief_client, plan))
    assert chief_client.post(url(other), {"action": "import", "token": token}).status_code == 422
    assert not FollowUpOutcome.objects.exists()


def test_the_import_is_all_or_nothing(plan, chief_client):
    OutcomeMapping.objects.create(
        association=plan.association, account="5010", row=key_of(plan, "Förbundschef")
    )
    OutcomeMapping.objects.create(
        association=plan.association,
        account="6550",
        dimension="6",
        object_code="P1",
        row=key_of(plan, "Steget vidare"),
    )
    token = token_of(preview(chief_client, plan))
    real_create = FollowUpOutcome.objects.create
    calls = []

    def failing_create(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real_create(**kwargs)

    with (
        mock.patch.object(FollowUpOutcome.objects, "create", side_effect=failing_create),
        pytest.raises(RuntimeError),
    ):
        chief_client.post(url(plan), {"action": "import", "token": token})
    assert len(calls) == 2
    assert not FollowUpOutcome.objects.exists()


def test_a_table_of_tertials_for_a_follow_up_of_months_is_refused(association, chief_client):
    association.followup_period = "month"
    association.save()
    plan = build_adopted_plan(association, first_year=2020)
    data = b"Konto;T1;T2;T3\n5010;1;2;3\n6550;4;5;6\n"
    response = chief_client.post(url(plan), {"action": "preview", "file": upload(data, "saldon.csv")})
    assert response.status_code == 422
    assert "per månad" in response.text
    assert 'name="file"' in response.text


def test_a_series_of_accounts_is_mapped_in_the_preview(plan, chief_client):
    token = token_of(preview(chief_client, plan))
    chief_line = key_of(plan, "Förbundschef")
    response = chief_client.post(
        url(plan), {"action": "map", "token": token, "series": "70", "series_row": chief_line}, **HTMX
    )
    assert response.status_code == 200
    assert OutcomeMapping.objects.filter(account="70", row=chief_line).exists()
    assert "som 70" in response.text  # 7010 follows the series
    assert response.context["preview"].rows[chief_line] == [Decimal(0), Decimal(45000), Decimal(0)]
    for series, row in (("7x", chief_line), ("7" * 10, chief_line), ("70", "line-nonexistent")):
        refused = chief_client.post(
            url(plan),
            {"action": "map", "token": token, "series": series, "series_row": row, "map:5010::": chief_line},
            **HTMX,
        )
        assert refused.status_code == 422
        assert 'role="alert"' in refused.text
        assert not OutcomeMapping.objects.filter(account="5010").exists()  # all or nothing
    removed = chief_client.post(
        url(plan), {"action": "map", "token": token, "series": "70", "series_row": ""}
    )
    assert removed.status_code == 200
    assert not OutcomeMapping.objects.exists()
