"""``python manage.py seed_demo``: the demo clients, services, users and access tokens.

Idempotent: running it again changes nothing that is already as described (a demo password
that was changed is set back to ``livevox-demo``)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from livevox_site.apps import resource_apps
from livevox_site.audit import Actor, audit_record, snapshot
from livevox_site.models import AccessToken, Client, PhoneDncType, Service, User, hash_token
from livevox_site.roles import Role
from livevox_site.services import access_token_create

DEMO_PASSWORD = "livevox-demo"  # noqa: S105 - published demo credential

CLIENTS = [
    {
        "id": 4199,
        "code": "ACME",
        "name": "Acme Collections",
        "phone_dnc_type": PhoneDncType.DIAL_TIME,
        "time_zone": "America/New_York",
        "token": "demo-token-acme",
        # Every service id the vendor's examples use for client 4199, with believable names.
        "services": {
            20180: "Early-stage collections",
            18892: "Late-stage collections",
            17797: "Payment reminders",
            17885: "Promise-to-pay follow-up",
            26881: "Returned mail skip tracing",
            11458: "Auto loans, first notice",
            20575: "Auto loans, past due",
            30853: "Credit cards, 30 days",
            29081: "Credit cards, 60 days",
            19891: "Credit cards, 90 days",
            27925: "Medical billing",
            11459: "Student loans",
            17524: "Utilities, final notice",
            20966: "Telecom, final notice",
            43185: "Spanish-language queue",
            20576: "Settlement offers",
            5607: "Legacy portfolio",
            40789: "Hardship programme",
            35574: "Outbound callbacks",
            18008: "Inbound overflow",
            38686: "Weekend campaign",
            17867: "Text-back follow-up",
            17522: "Quality assurance",
            37535: "Dispute resolution",
            38184: "Bankruptcy review",
            42251: "Deceased accounts",
            35578: "Mortgage servicing",
            35576: "Mortgage escrow",
            35577: "Mortgage modification",
        },
    },
    {
        "id": 93119,
        "code": "BETA",
        "name": "Beta Health",
        "phone_dnc_type": PhoneDncType.LEGACY,
        "time_zone": "America/Los_Angeles",
        "token": "demo-token-beta",
        "services": {
            93126: "Appointment reminders",
            123: "Prescription refills",
            456: "Lab results callbacks",
            789: "Billing questions",
        },
    },
]

USERS = [
    ("sysadmin", Role.SYSADMIN, False, False),
    ("superuser", Role.SUPERUSER, False, False),
    ("manager", Role.MANAGER, False, False),
    ("manager_strategies", Role.MANAGER, True, False),
    ("manager_dnc", Role.MANAGER, False, True),
    ("manager_all", Role.MANAGER, True, True),
    ("ituser", Role.IT_USER, False, False),
    ("agent", Role.AGENT, False, False),
]


def seed_demo(stdout=None, base_url: str = "http://127.0.0.1:8000") -> None:
    """The demo clients with their services, users and access token, then each resource app's
    demo data (``ResourceAppConfig.seed_demo``); idempotent, audited like any other change."""
    actor = Actor.command("seed_demo")
    with transaction.atomic():
        for spec in CLIENTS:
            client = _seed_client(actor, spec)
            _seed_services(actor, client, spec["services"])
            _seed_users(client)
            _seed_token(actor, client, spec["token"])
        for app in resource_apps():
            app.seed_demo(actor)
    if stdout is not None:
        stdout.write(demo_logins_text(base_url))


def _seed_client(actor: Actor, spec: dict) -> Client:
    client, created = Client.objects.get_or_create(
        id=spec["id"],
        defaults={
            "code": spec["code"],
            "name": spec["name"],
            "phone_dnc_type": spec["phone_dnc_type"],
            "time_zone": spec["time_zone"],
        },
    )
    if created:
        audit_record(
            actor=actor,
            client=client,
            action="site.client.added",
            obj=client,
            after=snapshot(client),
        )
    return client


def _seed_services(actor: Actor, client: Client, services: dict[int, str]) -> None:
    for service_id, service_name in services.items():
        service, created = Service.objects.get_or_create(
            id=service_id, defaults={"client": client, "name": service_name}
        )
        if created:
            audit_record(
                actor=actor,
                client=client,
                action="site.service.added",
                obj=service,
                after=snapshot(service),
            )
        elif service.name == f"Service {service_id}":
            # Demo data of an earlier version: give it its believable name.
            before = snapshot(service)
            service.name = service_name
            service.save(update_fields=["name"])
            audit_record(
                actor=actor,
                client=client,
                action="site.service.changed",
                obj=service,
                before=before,
                after=snapshot(service),
            )


def _seed_users(client: Client) -> None:
    """The demo users, with their demo password, role and powers put back if changed."""
    for username, role, strategies_power, dnc_power in USERS:
        user = User.objects.filter(client=client, username=username).first()
        if user is None:
            user = User(client=client, username=username)
        user.role = role
        user.power_dialing_strategies = strategies_power
        user.power_edit_dnc = dnc_power
        user.is_active = True
        if not user.has_usable_password() or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.save()


def _seed_token(actor: Actor, client: Client, raw: str) -> None:
    token = AccessToken.objects.filter(token_hash=hash_token(raw)).first()
    if token is None:
        access_token_create(actor=actor, client=client, name="Demo token", raw=raw)
    elif not token.is_active:
        # Its hash is unique, so a revoked demo token cannot be created again: restore it.
        before = snapshot(token)
        token.revoked_at = None
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            client=client,
            action="site.accesstoken.restored",
            obj=token,
            before=before,
            after=snapshot(token),
        )


def demo_logins_text(base_url: str = "http://127.0.0.1:8000") -> str:
    lines = [
        "",
        "Demo logins (every password: livevox-demo)",
        f"  Admin:   {base_url}/admin/  (client code, user name, password)",
        f"  API:     POST {base_url}/session/login with header LV-Access",
        "",
    ]
    for spec in CLIENTS:
        lines.append(f"  client {spec['id']}  code {spec['code']:<5} access token {spec['token']}")
    lines.append("  users in each client: " + ", ".join(u[0] for u in USERS))
    lines += [
        "",
        f"  curl -s -X POST {base_url}/session/login -H 'LV-Access: demo-token-acme' \\",
        "       -H 'Content-Type: application/json' \\",
        '       -d \'{"clientName":"ACME","userName":"manager_all","password":"livevox-demo"}\'',
        "",
    ]
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Create (or restore) the demo clients, services, users and access tokens."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="where the printed logins point (make run passes its PORT)",
        )

    def handle(self, *args, **options):
        seed_demo(stdout=self.stdout, base_url=options["base_url"])
