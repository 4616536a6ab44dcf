from django import template

from livevox_site.admin_help import missing_right as _missing_right

register = template.Library()


@register.simple_tag(takes_context=True)
def missing_right(context) -> str:
    request = context.get("request")
    return _missing_right(request) if request is not None else ""
