"""The staff groups and what each may do, put in place after every `migrate`.

Change a group's permissions here, not in the admin: the next `migrate` (every deploy)
sets each group back to exactly these lists. A member of staff gets a group, not a list
of permissions of their own, so that what the office can see is decided in one place.
"""

from functools import reduce
from operator import or_

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q

OFFICE_STAFF = "Office staff"
OFFICE_MANAGERS = "Office managers"
CONTENT_EDITORS = "Content editors"
PRIVACY_OFFICERS = "Privacy officers"

ALL = ("add", "change", "delete", "view")


def _permissions(app_label, model, actions):
    return [(app_label, f"{action}_{model}") for action in actions]


GROUP_PERMISSIONS = {
    # The office works the requests: reads what the patient sent and its history,
    # changes the status, books, notes; sees the emails; says when a clinic is closed.
    OFFICE_STAFF: [
        *_permissions("appointments", "appointmentrequest", ["view", "change"]),
        *_permissions("appointments", "statuschange", ["view"]),
        *_permissions("appointments", "appointment", ["view"]),
        *_permissions("appointments", "officenote", ["view", "add"]),
        # Change: the "Send again" action for emails that failed (the rows stay read-only).
        *_permissions("appointments", "notification", ["view", "change"]),
        *_permissions("practice", "closure", ALL),
        *_permissions("appointments", "visittype", ["view"]),
        *_permissions("appointments", "clinicsession", ["view"]),
        # Who waits for an earlier time, and what was offered to them (read-only).
        *_permissions("appointments", "waitlistentry", ["view"]),
        *_permissions("appointments", "waitlistoffer", ["view"]),
        *_permissions("practice", "location", ["view"]),
        *_permissions("practice", "openinghours", ["view"]),
        # Who receives the requests is the office's to decide.
        *_permissions("practice", "practice", ["view", "change"]),
        ("practice", "change_office_recipients"),
        # The front page says when the last good backup was taken, and when none was.
        *_permissions("practice", "backuprun", ["view"]),
    ],
    # Editors keep the public content. Nothing of the appointments app: patients' requests
    # are for the office's eyes only.
    CONTENT_EDITORS: [
        *_permissions("conditions", "condition", ALL),
        *_permissions("conditions", "conditionsection", ALL),
        *_permissions("conditions", "formerslug", ALL),
        *_permissions("faq", "question", ALL),
        *_permissions("practice", "surgeon", ALL),
        *_permissions("practice", "location", ALL),
        *_permissions("practice", "openinghours", ALL),
        # One set of practice details, made by the first migrate: never added or deleted.
        *_permissions("practice", "practice", ["view", "change"]),
    ],
    # They read who saw, exported or changed patients' requests (and export it); they are
    # emailed when someone exports many. Nothing else: the log names requests by reference.
    PRIVACY_OFFICERS: [
        *_permissions("practice", "auditentry", ["view"]),
    ],
}

# The office's managers do all the front desk does, and decide what reaches patients in
# the practice's name: the email their replies go to and the phone numbers their emails
# give, the practice's and each location's. Add here what else only a manager may do.
GROUP_PERMISSIONS[OFFICE_MANAGERS] = [
    *GROUP_PERMISSIONS[OFFICE_STAFF],
    ("practice", "change_contact_details"),
    # What patients may book, when and where: the surgeons' clinic sessions.
    *_permissions("appointments", "visittype", ALL),
    *_permissions("appointments", "clinicsession", ALL),
    # The surgeons' private calendar feeds: a new address, or one revoked (never deleted).
    *_permissions("appointments", "calendarfeed", ["view", "add", "change"]),
    # A location's phone is changed on its page; what else is there is the editors' too.
    *_permissions("practice", "location", ["change"]),
    # Lifting a login lockout (axes' failed logins, "Lift lockout"; practice/admin.py).
    *_permissions("axes", "accessattempt", ["view", "delete"]),
]


def sync_groups(*, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs):
    """Make each group and give it exactly its permissions; safe to run any number of times.

    Connected to `post_migrate` for the practice app, which Django may send before it has
    made the permissions of the apps listed after it: those are made here first.
    """
    app_labels = {
        app_label for permissions in GROUP_PERMISSIONS.values() for app_label, _ in permissions
    }
    for app_label in sorted(app_labels):
        create_permissions(
            global_apps.get_app_config(app_label), verbosity=0, using=using, apps=apps
        )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(
            Permission.objects.using(using).filter(
                reduce(
                    or_,
                    (
                        Q(content_type__app_label=app_label, codename=codename)
                        for app_label, codename in wanted
                    ),
                )
            )
        )
