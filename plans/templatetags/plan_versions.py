"""`{% load plan_versions %}`: a plan's one version number as people see it (`plans.versions`)."""

from django import template

from plans.versions import version_label

register = template.Library()


@register.simple_tag
def plan_version(plan) -> str:
    """ "version 3", "utkast" or "utkast till version 4"."""
    return version_label(plan)
