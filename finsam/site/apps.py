from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top floor: the demo, the benchmark, backup and restore, and their commands. It may import every
    app; nothing imports it."""

    name = "finsam.site"
    label = "finsam_site"
    verbose_name = "finsam site"
