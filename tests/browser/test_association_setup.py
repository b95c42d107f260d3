"""A new association set up and its board invited without opening /admin/ (issue 15, item 7), in Chromium at
390 px: the installation administrator creates the association and invites its chief; the chief follows the
e-mailed link, sets a password, enters the association's members, board and staff and invites the board;
a board member follows their link, sets a password and logs in. Every page is axe-clean and fits 390 px."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from playwright.sync_api import expect

from finsam.models import Membership

pytestmark = pytest.mark.browser

PASSWORD = "Installation-2026!"
CHIEF_PASSWORD = "Forbundschef-2026!"
BOARD_PASSWORD = "Styrelsen-tycker-2026!"


@pytest.fixture
def installer(transactional_db):
    user = get_user_model().objects.create_user(
        username="installation", password=PASSWORD, email="it@example.se", is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(codename="add_association"))
    return user


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width} px wide at 390 px"


def check(page, axe_check) -> None:
    fits(page)
    axe_check(page)
    assert "/admin/" not in page.url


def invitation_path(address: str) -> str:
    messages = [message for message in mail.outbox if message.to == [address]]
    assert messages, f"no invitation mailed to {address}: {[m.to for m in mail.outbox]}"
    link = re.search(r"https?://\S+/inbjudan/\S+/", messages[-1].body).group(0)
    return "/" + link.split("/", 3)[3]


def accept(page, path: str, first: str, last: str, password: str) -> None:
    page.goto(path)
    page.get_by_label("Förnamn").fill(first)
    page.get_by_label("Efternamn").fill(last)
    page.get_by_label("Lösenord", exact=True).fill(password)
    page.get_by_label("Lösenordet igen").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Spara lösenordet och logga in").click()


def follow(page, link: str) -> None:
    """Clicks a link and waits for the page it leads to: a check run at once would read the page being left."""
    with page.expect_navigation():
        page.get_by_role("link", name=link).click()


def add_row(page, link: str, fields: dict, selects: dict | None = None) -> None:
    follow(page, link)
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    for label, value in (selects or {}).items():
        page.get_by_label(label, exact=True).select_option(label=value)
    with page.expect_navigation():
        page.get_by_role("button", name="Spara").click()
    expect(page.locator("#messages")).to_contain_text("Sparat")


def test_a_new_association_is_set_up_and_its_board_invited_without_the_admin(
    new_page, installer, login, axe_check
):
    admin = new_page()
    admin.set_viewport_size({"width": 390, "height": 844})
    login(admin, "installation", PASSWORD)
    with admin.expect_navigation():
        admin.get_by_role("link", name="Förbund", exact=True).click()
    check(admin, axe_check)
    follow(admin, "Lägg upp ett förbund")
    check(admin, axe_check)
    admin.get_by_label("Namn", exact=True).fill("Samordningsförbundet Nyby")
    admin.get_by_label("Kortnamn i adresser").fill("nyby")
    admin.get_by_label("Organisationsnummer").fill("222000-2063")
    admin.get_by_label("Förbundschefens e-postadress").fill("chef@nyby.example.se")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Lägg upp och bjud in förbundschefen").click()
    expect(admin.locator("#messages")).to_contain_text("En inbjudan har skickats till förbundschefen")
    check(admin, axe_check)

    # The chief follows the link in the mail: the page is the live server's (the request's address).
    chief = new_page()
    chief.set_viewport_size({"width": 390, "height": 844})
    path = invitation_path("chef@nyby.example.se")
    chief.goto(path)
    check(chief, axe_check)
    accept(chief, path, "Cilla", "Chef", CHIEF_PASSWORD)
    expect(chief.get_by_role("heading", level=1)).to_have_text("Samordningsförbundet Nyby")
    follow(chief, "Förbundets uppgifter")
    check(chief, axe_check)
    chief.get_by_label("Område").fill("Nyby kommun")
    with chief.expect_navigation():
        chief.get_by_role("button", name="Spara", exact=True).click()
    expect(chief.locator("#messages")).to_contain_text("Förbundets uppgifter är sparade")
    for name, kind in (("Försäkringskassan", "Statlig myndighet"), ("Region Nyby", "Region")):
        add_row(chief, "Lägg till organisation", {"Namn": name}, {"Typ": kind})
    add_row(chief, "Lägg till organisation", {"Namn": "Nyby kommun"}, {"Typ": "Kommun"})
    add_row(
        chief,
        "Lägg till styrelseplats",
        {"Namn": "Olle Ordförande"},
        {"Roll": "Ordförande", "Utsedd av": "Region Nyby"},
    )
    add_row(chief, "Lägg till person i kansliet", {"Namn": "Cilla Chef", "Befattning": "Förbundschef"})
    check(chief, axe_check)
    # A mistake is answered in Swedish, the input kept.
    follow(chief, "Lägg till organisation")
    chief.get_by_label("Namn", exact=True).fill("Polisen")
    chief.get_by_label("Typ").select_option(label="Annan organisation")
    chief.get_by_label("Medlem i förbundet").check()
    chief.get_by_role("button", name="Spara").click()
    expect(chief.get_by_role("alert").first).to_contain_text("Inget är sparat")
    expect(chief.locator(".field--error")).to_contain_text("Bara stat, region och kommuner")
    expect(chief.get_by_label("Namn", exact=True)).to_have_value("Polisen")
    check(chief, axe_check)
    follow(chief, "Avbryt")

    follow(chief, "Behörigheter och inbjudningar")
    check(chief, axe_check)
    for address, role in (
        ("olle@nyby.example.se", "Ordförande"),
        ("lena@nyby.example.se", "Styrelseledamot"),
    ):
        chief.get_by_label("E-postadress").fill(address)
        chief.get_by_label("Roll").select_option(label=role)
        with chief.expect_navigation():
            chief.get_by_role("button", name="Skicka inbjudan").click()
        expect(chief.locator("#messages")).to_contain_text(f"En inbjudan har skickats till {address}")
    expect(chief.locator("main")).to_contain_text("lena@nyby.example.se")
    check(chief, axe_check)

    # The board member sets a password at the link, and logs in with it later.
    board = new_page()
    board.set_viewport_size({"width": 390, "height": 844})
    accept(board, invitation_path("lena@nyby.example.se"), "Lena", "Ledamot", BOARD_PASSWORD)
    expect(board.get_by_role("heading", level=1)).to_have_text("Samordningsförbundet Nyby")
    expect(board.locator("#messages")).to_contain_text("Ditt användarnamn är lena@nyby.example.se")
    later = new_page()
    login(later, "lena@nyby.example.se", BOARD_PASSWORD)
    later.goto("/f/nyby/")
    expect(later.get_by_role("heading", level=1)).to_have_text("Samordningsförbundet Nyby")
    membership = Membership.objects.get(user__username="lena@nyby.example.se")
    assert membership.role == Membership.Role.BOARD
    assert membership.association.slug == "nyby"
    # The chief sees her among those with access, and can give her another role.
    chief.reload()
    chief.get_by_label("Roll för Lena Ledamot").select_option(label="Läsare")
    with chief.expect_navigation():
        chief.get_by_role("button", name="Ändra roll Lena Ledamot").click()
    expect(chief.locator("#messages")).to_contain_text("Lena Ledamot är nu läsare")
    check(chief, axe_check)
    assert Membership.objects.get(pk=membership.pk).role == Membership.Role.READER
    # The used link does not work again.
    later.goto(invitation_path("lena@nyby.example.se"))
    expect(later.get_by_role("alert")).to_contain_text("Inbjudan är redan använd")
