from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from finsam import views
from plans.views import plans as plan_views
from plans.views import public, start

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
    path("f/<slug:association>/", include("plans.urls")),
    path("f/<slug:association>/", include("budgets.urls")),
    path("f/<slug:association>/", include("interventions.urls")),
]

# A static page that needs no database; a lost database connection answers 503 (finsam/security.py).
handler500 = "finsam.security.server_error"
handler403 = "finsam.site.errors.permission_denied"
