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
        # Every service id the vendor's examples use for client 4199.
        "services": [
            20180,
            18892,
            17797,
            17885,
            26881,
            11458,
            20575,
            30853,
            29081,
            19891,
            27925,
            11459,
            17524,
            20966,
            43185,
            20576,
            5607,
            40789,
            35574,
            18008,
            38686,
            17867,
            17522,
            37535,
            38184,
            42251,
            35578,
            35576,
            35577,
        ],
    },
    {
        "id": 93119,
        "code": "BETA",
        "name": "Beta Health",
        "phone_dnc_type": PhoneDncType.LEGACY,
        "time_zone": "America/Los_Angeles",
        "token": "demo-token-beta",
        "services": [93126, 123, 456, 789],
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


def seed_demo(stdout=None) -> None:
    actor = Actor.command("seed_demo")
    with transaction.atomic():
        for spec in CLIENTS:
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
            for service_id in spec["services"]:
                service, created = Service.objects.get_or_create(
                    id=service_id, defaults={"client": client, "name": f"Service {service_id}"}
                )
                if created:
                    audit_record(
                        actor=actor,
                        client=client,
                        action="site.service.added",
                        obj=service,
                        after=snapshot(service),
                    )
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
            token = AccessToken.objects.filter(token_hash=hash_token(spec["token"])).first()
            if token is None:
                access_token_create(
                    actor=actor, client=client, name="Demo token", raw=spec["token"]
                )
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
        # Each resource app adds its own demo data (ResourceAppConfig.seed_demo).
        for app in resource_apps():
            app.seed_demo(actor)
    if stdout is not None:
        stdout.write(demo_logins_text())


def demo_logins_text() -> str:
    lines = [
        "",
        "Demo logins (every password: livevox-demo)",
        "  Admin:   http://127.0.0.1:8000/admin/  (client code, user name, password)",
        "  API:     POST http://127.0.0.1:8000/session/login with header LV-Access",
        "",
    ]
    for spec in CLIENTS:
        lines.append(f"  client {spec['id']}  code {spec['code']:<5} access token {spec['token']}")
    lines.append("  users in each client: " + ", ".join(u[0] for u in USERS))
    lines += [
        "",
        "  curl -s -X POST http://127.0.0.1:8000/session/login -H 'LV-Access: demo-token-acme' \\",
        "       -H 'Content-Type: application/json' \\",
        '       -d \'{"clientName":"ACME","userName":"manager_all","password":"livevox-demo"}\'',
        "",
    ]
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Create (or restore) the demo clients, services, users and access tokens."

    def handle(self, *args, **options):
        seed_demo(stdout=self.stdout)
