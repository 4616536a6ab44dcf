"""``/admin/dnc/check/``: may this person be called, texted or emailed now, and if not, why and
until when. One page for everyone who may ask isBlocked (``dnc.check_isblocked``), answered by
the very code of contactCheck: its item reader (``dnc.asks.contact_ask``) and its decisions
(``dnc.selectors.decisions.contact_decisions``), in plain words (``dnc.suppression``'s). Each
DNC reason links to the entry or flag that blocks. Nothing is changed.

A Sysadmin picks the client; everyone else checks their own. The form is a GET, so a check can
be bookmarked or sent to a colleague."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse

from livevox_site.admin_base import sees_all_clients
from livevox_site.errors import InvalidInput
from livevox_site.models import Client, Service
from profiles.calling_hours import CallingHoursPlan

from ..asks import contact_ask
from ..rows import service_ids
from ..selectors.decisions import contact_decisions
from ..suppression import reason_text
from .suppression import PERM, parse_as_of

REFUSAL = "Checking a number needs the right to check DNC lists."
# The admin page of each list a reason names.
_ENTRY_PAGES = {
    "legacy": "dnc_legacyentry_change",
    "dialtime": "dnc_dialtimeentry_change",
    "sms": "dnc_smsentry_change",
    "email": "dnc_emailentry_change",
    "account": "dnc_accountflag_change",
}
_CHANNELS = (("CALL", "A call"), ("SMS", "A text"), ("EMAIL", "An email"))


def check_urlpatterns(site) -> list:
    """The page, behind the admin's login and isBlocked's right (``site.tenant_admin_view``)."""
    return [
        path(
            "dnc/check/",
            site.tenant_admin_view(check_page(site), perm=PERM, refusal=REFUSAL),
            name="dnc_check",
        )
    ]


class CheckForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.none(), required=False)
    service = forms.TypedChoiceField(coerce=int, label="Service")
    phone = forms.CharField(required=False, max_length=32, help_text="Any punctuation; +1 too.")
    account = forms.CharField(required=False, max_length=64)
    zip = forms.CharField(required=False, max_length=10, label="Zip code")
    email = forms.CharField(required=False, max_length=254)
    at = forms.CharField(
        required=False,
        label="At",
        help_text="Empty: now. Else a date and time in the client's time zone (2026-11-24 22:30).",
    )

    def __init__(self, *args, sysadmin: bool, client: Client | None, **kwargs):
        super().__init__(*args, **kwargs)
        services = Service.objects.order_by("client_id", "id")
        if sysadmin:
            self.fields["client"].queryset = Client.objects.order_by("name")
            self.fields["client"].required = True
            if client is not None:
                services = services.filter(client=client)
        else:
            del self.fields["client"]
            services = services.filter(client=client)
        self.fields["service"].choices = [
            (service.pk, f"{service.name} ({service.pk})") for service in services
        ]

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in ("phone", "account", "zip", "email")):
            raise forms.ValidationError("Give a phone, an account, a zip code or an email.")
        return cleaned


def _link(reason: dict) -> str | None:
    page = _ENTRY_PAGES.get(reason.get("list", "")) if reason.get("rule") == "dnc" else None
    if page is None or reason.get("id") is None:
        return None
    try:
        return reverse(f"admin:{page}", args=[reason["id"]])
    except NoReverseMatch:
        return None


def _answers(client: Client, data: dict, now: datetime) -> list[dict]:
    """One answer per channel the values allow (a call: phone, account or zip; a text: phone;
    an email: email), each as contactCheck decides it, in words."""
    services = service_ids(client)
    base = {key: data[key] for key in ("service", "phone", "account", "zip", "email") if data[key]}
    asks, labels = [], []
    for channel, label in _CHANNELS:
        if channel == "CALL" and not (data["phone"] or data["account"] or data["zip"]):
            continue
        if channel == "SMS" and not data["phone"]:
            continue
        if channel == "EMAIL" and not data["email"]:
            continue
        asks.append(contact_ask({**base, "channel": channel}, services=services, now=now))
        labels.append(label)
    decided = contact_decisions(client=client, asks=asks, plan=CallingHoursPlan.for_client(client))
    zone = ZoneInfo(client.time_zone)
    answers = []
    for label, answer in zip(labels, decided, strict=True):
        next_ms = answer.get("nextAllowedAt")
        answers.append(
            {
                "label": label,
                "allowed": answer["allowed"],
                "reasons": [
                    {"text": reason_text(reason), "link": _link(reason)}
                    for reason in answer["reasons"]
                ],
                "local_time": answer.get("localTime"),
                "time_zone": answer.get("timeZone"),
                "next": (
                    datetime.fromtimestamp(next_ms / 1000, zone) if next_ms is not None else None
                ),
            }
        )
    return answers


def check_page(site):
    def view(request):
        sysadmin = sees_all_clients(request)
        own = None if sysadmin else request.user.client
        chosen = own
        if sysadmin and (raw := request.GET.get("client", "")).isdigit():
            chosen = Client.objects.filter(pk=int(raw)).first()
        bound = bool(request.GET)
        form = CheckForm(
            request.GET if bound else None,
            sysadmin=sysadmin,
            client=chosen,
            initial={"client": request.user.client_id},
        )
        answers, moment = None, None
        if bound and form.is_valid():
            client = form.cleaned_data.get("client") or own
            try:
                moment = parse_as_of(form.cleaned_data["at"], client.time_zone)
            except ValueError:
                form.add_error("at", "Give a date and time, e.g. 2026-11-24 22:30.")
            else:
                moment = moment or datetime.now(ZoneInfo(client.time_zone))
                try:
                    answers = _answers(client, form.cleaned_data, moment)
                except InvalidInput as error:
                    form.add_error(None, error.message[:1].upper() + error.message[1:] + ".")
        return TemplateResponse(
            request,
            "admin/dnc/check.html",
            {
                **site.each_context(request),
                "title": "Check a number",
                "form": form,
                "answers": answers,
                "moment": moment,
                "client": chosen,
            },
        )

    return view
