"""The admin site: its login asks for the client code, as the vendor's own portal does."""

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.validators import MaxLengthValidator
from django.utils.module_loading import import_string

from .audit import Actor
from .errors import TooManyAttempts
from .models import Source
from .roles import Role
from .services import client_ip, login_failed, login_throttle_check, user_auth_change_audit


class ClientAuthenticationForm(AdminAuthenticationForm):
    client_code = forms.CharField(
        label="Client code", max_length=64, widget=forms.TextInput(attrs={"autofocus": True})
    )
    field_order = ["client_code", "username", "password"]
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": ("Please enter the correct client code, user name and password."),
        "throttled": "Too many failed login attempts; try again later.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # The client code comes first, so it takes the focus from the user name.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        # Django's form only tells the browser (maxlength); a longer name must be refused here,
        # not looked up and written to the failed-login table, whose column holds no more.
        self.fields["username"].validators.append(
            MaxLengthValidator(self.username_field.max_length)
        )

    def confirm_login_allowed(self, user) -> None:
        # The password was right: say why the admin is closed to agents, not "wrong password".
        if user.role == Role.AGENT:
            raise forms.ValidationError(
                "Agents use the agent desktop, not this admin. Your password is right; sign in "
                "to the agent desktop instead.",
                code="agent",
            )
        super().confirm_login_allowed(user)

    def clean(self):
        client_code = self.cleaned_data.get("client_code", "").strip()
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if client_code and username and password:
            ip = client_ip(self.request) if self.request else None
            try:
                login_throttle_check(client_code=client_code, username=username, ip=ip)
            except TooManyAttempts:
                raise forms.ValidationError(
                    self.error_messages["throttled"], code="throttled"
                ) from None
            self.user_cache = authenticate(
                self.request, client_code=client_code, username=username, password=password
            )
            if self.user_cache is None:
                login_failed(client_code=client_code, username=username, ip=ip, source=Source.ADMIN)
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


def _can_do(app_list: list[dict]) -> list[dict]:
    """One line per model the user may reach: "See, add, change and delete dialing
    strategies"."""
    lines = []
    for app in app_list:
        for model in app["models"]:
            perms = model["perms"]
            verbs = [
                word
                for key, word in (
                    ("view", "see"),
                    ("add", "add"),
                    ("change", "change"),
                    ("delete", "delete"),
                )
                if perms.get(key)
            ]
            if not verbs or not model.get("admin_url"):
                continue
            said = verbs[0] if len(verbs) == 1 else ", ".join(verbs[:-1]) + " and " + verbs[-1]
            lines.append(
                {"text": f"{said.capitalize()} {model['name'].lower()}", "url": model["admin_url"]}
            )
    return lines


def _app_links(request) -> list[dict]:
    """The pages apps declare beside their models (``ResourceAppConfig.admin_links``) that
    the user's rights open: a Manager without any DNC list right may still preview a contact
    list's suppression."""
    from django.urls import reverse

    from .apps import resource_apps

    return [
        {"text": text, "url": reverse(url_name)}
        for app in resource_apps()
        for perm, text, url_name in app.admin_links
        if request.user.has_perm(perm)
    ]


def _as_tuple(perms: str | tuple[str, ...]) -> tuple[str, ...]:
    return (perms,) if isinstance(perms, str) else tuple(perms)


class LiveVoxAdminSite(admin.AdminSite):
    site_header = "LiveVox Compliance"
    site_title = "LiveVox Compliance admin"
    index_title = "Compliance and dialing configuration"
    login_form = ClientAuthenticationForm

    def get_urls(self):
        # Pages of resource apps that are not ModelAdmins (ResourceAppConfig.admin_urls), ahead
        # of the admin's catch-all; each must be made by tenant_admin_view (fails closed).
        from .apps import resource_apps

        extra = []
        for app in resource_apps():
            for patterns in app.admin_urls:
                for pattern in import_string(patterns)(self):
                    if not getattr(pattern.callback, "lv_tenant_admin_view", False):
                        raise ImproperlyConfigured(
                            f"{patterns}: {pattern.name} is not wrapped in "
                            "site.tenant_admin_view(view, perm=..., refusal=...)"
                        )
                    extra.append(pattern)
        return extra + super().get_urls()

    def tenant_admin_view(
        self,
        view: Callable,
        *,
        perm: str | Callable[[dict], str | tuple[str, ...]],
        refusal: str | Callable[[dict], str],
    ) -> Callable:
        """An app's admin page that is not a ModelAdmin's: behind the admin's login
        (``admin_view``) and refused with a 403 that names the missing right (``refusal``)
        before the view runs, so before any lookup. ``perm`` is a permission, or a function of
        the URL's arguments answering one or a tuple of them (any one is enough; it may raise
        ``Http404`` for an argument that names nothing, such as an unknown list). The view
        then scopes what it reads to the user's client, as every admin page does."""

        @wraps(view)
        def checked(request, *args, **kwargs):
            needed = perm(kwargs) if callable(perm) else perm
            if not any(request.user.has_perm(p) for p in _as_tuple(needed)):
                raise PermissionDenied(refusal(kwargs) if callable(refusal) else refusal)
            return view(request, *args, **kwargs)

        wrapped = self.admin_view(checked)
        wrapped.lv_tenant_admin_view = True
        return wrapped

    def index(self, request, extra_context=None):
        lines = _can_do(self.get_app_list(request)) + _app_links(request)
        extra = {"lv_can_do": lines, **(extra_context or {})}
        return super().index(request, extra_context=extra)

    def password_change(self, request, extra_context=None):
        response = super().password_change(request, extra_context)
        # Django's view saved request.user with its new password; User.save ended the user's
        # LiveVox sessions and left what it did for the audit.
        if request.user.is_authenticated:
            actor = Actor.from_request(request, source=Source.ADMIN)
            user_auth_change_audit(actor=actor, user=request.user)
        return response
