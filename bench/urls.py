"""The site's URLs plus the baselines the benchmarks compare against: a constant plain Django
view, a constant DRF view (the ceiling of every API call), and the ORM reads the site used
before the session lookup and the strategy read became raw SQL (kept here only, to show before
and after in one run)."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework.views import APIView

from livevox_site.auth import TOUCH_EVERY, LVSessionAuthentication
from livevox_site.models import LVSession
from livevox_site.session_views import ValidateView
from livevox_site.urls import urlpatterns as site_patterns
from strategies import selectors
from strategies.views import DialingStrategyViewSet


def plain(request):
    return HttpResponse(b'{"ok":true}', content_type="application/json")


class ConstantView(APIView):
    """DRF's own cost and nothing else: no authentication, no permission, a constant body."""

    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        return Response({"ok": True})


class OneQueryView(ConstantView):
    """The constant DRF view after one ``SELECT 1``: the floor of any call that asks the
    database once (session validate) or twice (authenticated reads pay it twice)."""

    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return Response({"ok": True})


def orm_session_get(key: str) -> LVSession | None:
    """The session lookup as it was: one ORM query with two joins."""
    return LVSession.objects.select_related("user__client", "access_token").filter(key=key).first()


class OrmLVSessionAuthentication(LVSessionAuthentication):
    """LVSessionAuthentication.authenticate as it was, with the ORM lookup."""

    def authenticate(self, request):
        key = request.META.get(self.header, "").strip()
        if not key:
            return None
        session = orm_session_get(key)
        now = timezone.now()
        if session is None or not session.is_valid(now) or not session.user.is_active:
            raise AuthenticationFailed("Session is invalid or has expired")
        if now - session.last_used_at > TOUCH_EVERY:
            LVSession.objects.filter(pk=session.pk).update(last_used_at=now)
            session.last_used_at = now
        return session.user, session


class OrmValidateView(ValidateView):
    def get(self, request, sessionId: str):
        session = orm_session_get(sessionId)
        valid = session and session.is_valid() and session.user.is_active
        return Response(status=204 if valid else 404)


class OrmStrategyViewSet(DialingStrategyViewSet):
    """The strategy read as it was: ORM authentication, get_object() and two ORM reads."""

    authentication_classes = [OrmLVSessionAuthentication]

    def retrieve(self, request, pk=None):
        return Response(selectors.strategy_detail(self.get_object()))


urlpatterns = [
    path("bench/plain", plain),
    path("bench/drf", ConstantView.as_view()),
    path("bench/drf-one-query", OneQueryView.as_view()),
    path("bench/orm/validate/<str:sessionId>", OrmValidateView.as_view()),
    path(
        "bench/orm/dialingStrategies/<str:pk>",
        OrmStrategyViewSet.as_view({"get": "retrieve"}),
    ),
    *site_patterns,
]
