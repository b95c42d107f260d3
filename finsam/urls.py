from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from finsam import setup, views, views_access, views_setup
from plans.views import plans as plan_views
from plans.views import public, start


class SetupKindConverter:
    """The association's setup lists by their URL segment (organisationer, styrelse, kansli)."""

    regex = "|".join(setup.KINDS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SetupKindConverter, "setup_kind")
SETUP = "f/<slug:association>/forbundet/"

urlpatterns = [
    path("", start.start, name="dashboard"),
    # Before the auth include, so this view (which sends a logged-in user on) serves /konto/login/.
    path("konto/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("konto/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("tillganglighet/", views.accessibility_statement, name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    # The installation administrator: associations, each one's chief invited (finsam.views_setup).
    path("forbund/", views_setup.association_admin_list, name="association_admin_list"),
    path("forbund/nytt/", views_setup.association_create, name="association_create"),
    path(
        "forbund/<slug:association>/bjud-in/",
        views_setup.association_invite_chief,
        name="association_invite_chief",
    ),
    # An invitation's link (no login: the token is the key).
    path("inbjudan/<str:token>/", views_access.invitation_accept, name="invitation_accept"),
    # Open to anyone: an association's published plans (plans.views.public).
    path("oppen/<slug:association>/", public.public_association, name="public_association"),
    path("oppen/<slug:association>/planer/<int:pk>/", public.public_plan, name="public_plan"),
    path("f/<slug:association>/", plan_views.association_detail, name="association"),
    path("f/<slug:association>/arshjul/", views.association_calendar, name="association_calendar"),
    path(
        "f/<slug:association>/arshjul/<int:pk>/andra/",
        views.association_calendar_edit,
        name="association_calendar_edit",
    ),
    path(
        "f/<slug:association>/arshjul/<int:pk>/ta-bort/",
        views.association_calendar_delete,
        name="association_calendar_delete",
    ),
    # The chief keeps the association's facts, lists and people.
    path(SETUP, views_setup.association_settings, name="association_settings"),
    path(f"{SETUP}behorigheter/", views_access.association_access, name="association_access"),
    path(
        f"{SETUP}behorigheter/<int:membership>/ta-bort/",
        views_access.membership_remove,
        name="membership_remove",
    ),
    path(
        f"{SETUP}behorigheter/<int:membership>/roll/",
        views_access.membership_role,
        name="membership_role",
    ),
    path(
        f"{SETUP}inbjudningar/<int:invitation>/ta-bort/",
        views_access.invitation_revoke,
        name="invitation_revoke",
    ),
    path(f"{SETUP}<setup_kind:kind>/ny/", views_setup.setup_item_add, name="setup_item_add"),
    path(f"{SETUP}<setup_kind:kind>/<int:item>/", views_setup.setup_item_edit, name="setup_item_edit"),
    path(
        f"{SETUP}<setup_kind:kind>/<int:item>/ta-bort/",
        views_setup.setup_item_delete,
        name="setup_item_delete",
    ),
    path("f/<slug:association>/", include("plans.urls")),
    path("f/<slug:association>/", include("budgets.urls")),
    path("f/<slug:association>/", include("interventions.urls")),
]

# A static page that needs no database; a lost database connection answers 503 (finsam/security.py).
handler500 = "finsam.security.server_error"
handler403 = "finsam.site.errors.permission_denied"
