"""Structural checks: a forgotten permission, an unscoped admin or an unscoped viewset fails here,
before any request could reach it."""

import ast
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from livevox_site import errors, session_views
from livevox_site.admin_base import TenantAdminMixin, TenantInlineMixin
from livevox_site.api import TenantViewSet
from livevox_site.apps import resource_apps
from livevox_site.permissions import ANY_ROLE
from livevox_site.roles import declared_permissions
from livevox_site.tenancy import tenant_path

SITE = Path(__file__).resolve().parent.parent / "livevox_site"
# Views that act before a session exists (login, validate, logout, password): no tenant yet.
OPEN_VIEWS = {
    session_views.LoginView,
    session_views.ValidateView,
    session_views.ValidatePathView,
    session_views.LogoutView,
    session_views.PasswordView,
}


def _routes(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _view_class(callback):
    return getattr(callback, "cls", None) or getattr(callback, "view_class", None)


def _api_views() -> list[tuple[str, type]]:
    """The views of the LiveVox families (the OpenAPI views are the framework's own)."""
    found = []
    for route, callback in _routes():
        if not route.startswith(("session", "configuration", "compliance")):
            continue
        found.append((route, _view_class(callback) or callback))
    return found


def test_every_api_route_is_a_tenant_viewset_or_a_named_open_view():
    # A function view (or any class that is not DRF's) has no tenant guard: flagged too.
    stray = [
        (route, view.__name__)
        for route, view in _api_views()
        if not (isinstance(view, type) and issubclass(view, APIView))
        or (not issubclass(view, TenantViewSet) and view not in OPEN_VIEWS)
    ]
    assert stray == []


def test_every_tenant_viewset_names_permissions_that_exist(db):
    existing = {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list(
            "content_type__app_label", "codename"
        )
    }
    unknown = []
    for route, view in _api_views():
        if not (isinstance(view, type) and issubclass(view, TenantViewSet)):
            continue
        for perm in (view.read_perm, view.write_perm, *view.action_perms.values()):
            if perm != ANY_ROLE and perm not in existing:
                unknown.append((route, perm))
        tenant_path(view.queryset.model)  # declared, or ImproperlyConfigured
    assert unknown == []


def test_every_declared_role_permission_exists(db):
    existing = {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list(
            "content_type__app_label", "codename"
        )
    }
    missing = {
        group: sorted(perms - existing)
        for group, perms in declared_permissions().items()
        if perms - existing
    }
    assert missing == {}


@pytest.mark.parametrize(
    "model, model_admin",
    list(admin.site._registry.items()),
    ids=lambda value: getattr(getattr(value, "_meta", None), "label", None) or "",
)
def test_every_admin_is_tenant_scoped(model, model_admin):
    tenant_path(
        model
    )  # every registered model says how it reaches its client, or that it is shared
    assert isinstance(model_admin, TenantAdminMixin), type(model_admin).__name__
    for inline in model_admin.inlines:
        tenant_path(inline.model)
        assert issubclass(inline, TenantInlineMixin), inline.__name__


def test_client_inlines_of_resource_apps_are_tenant_scoped():
    from livevox_site.admin import client_inlines

    assert client_inlines, "the strategies app adds the client's default strategies"
    for inline in client_inlines:
        tenant_path(inline.model)
        assert issubclass(inline, TenantInlineMixin), inline.__name__


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_the_site_names_no_resource_app():
    apps = {app.name for app in resource_apps()} | {"profiles", "dnc", "recordings"}
    offenders = {
        str(path.relative_to(SITE)): sorted(_imports(path) & apps)
        for path in SITE.rglob("*.py")
        if _imports(path) & apps
    }
    assert offenders == {}
    assert "strategies" not in (SITE / "urls.py").read_text()
    assert '"/configuration/"' not in Path(errors.__file__).read_text()


def test_roles_imports_nothing_of_the_site():
    # models -> roles -> auth -> models was a circle; roles now stands alone.
    tree = ast.parse((SITE / "roles.py").read_text())
    relative = [
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and (node.level > 0 or "livevox_site" in (node.module or ""))
    ]
    assert relative == []


def test_services_and_selectors_never_import_views():
    # Business rules sit below the wire: a service or a selector that reached into a views
    # module would make the API's parsing part of the rule (dnc's purge once did).
    root = SITE.parent
    offenders = []
    for app in ("strategies", "profiles", "dnc", "recordings"):
        for path in (root / app).rglob("*.py"):
            parts = path.relative_to(root / app).parts
            if not parts[0].startswith(("services", "selectors", "decisions")):
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and "views" in (node.module or "").split("."):
                    offenders.append(str(path.relative_to(root)))
    assert offenders == []


def _unwrapped_page(site):
    from django.http import HttpResponse
    from django.urls import path

    return [path("x/", site.admin_view(lambda request: HttpResponse("x")), name="x")]


def test_an_app_page_not_wrapped_in_tenant_admin_view_is_refused(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from livevox_site import apps as site_apps

    app = type("App", (), {"admin_urls": (f"{__name__}._unwrapped_page",)})()
    monkeypatch.setattr(site_apps, "resource_apps", lambda: [app])
    with pytest.raises(ImproperlyConfigured, match="x is not wrapped in site.tenant_admin_view"):
        admin.site.get_urls()


def test_every_app_page_is_checked_before_it_runs():
    from django.urls import get_resolver

    pages = [
        pattern
        for pattern in get_resolver().url_patterns
        if isinstance(pattern, URLResolver) and pattern.app_name == "admin"
        for pattern in pattern.url_patterns
        if isinstance(pattern, URLPattern) and (pattern.name or "").startswith("dnc_")
    ]
    assert len(pages) >= 7
    assert all(getattr(page.callback, "lv_tenant_admin_view", False) for page in pages)
