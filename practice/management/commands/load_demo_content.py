from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from appointments.models import ClinicSession, VisitType
from conditions.models import Condition, ConditionSection
from faq.models import Question
from practice import demo_content
from practice.models import Closure, Location, OpeningHours, Practice, Surgeon

SURGEON_PHOTO = Path(demo_content.__file__).parent / "demo" / "surgeon-placeholder.png"

CONDITION_FIELDS = [
    "title",
    "eyebrow",
    "summary",
    "also_known_as",
    "approach",
    "when_to_seek_opinion",
    "last_reviewed_on",
    "is_featured",
]


def is_unset(practice):
    """No details yet, or only the placeholder row a first visit to the site makes."""
    placeholder = Practice()
    return practice is None or all(
        getattr(practice, field) == getattr(placeholder, field) for field in demo_content.PRACTICE
    )


class Command(BaseCommand):
    help = (
        "Load placeholder practice details and the demo condition pages. Safe to run "
        "again: what already exists, staff's edits included, is left as it is."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        created = []
        if is_unset(Practice.objects.first()):
            Practice.objects.update_or_create(
                pk=Practice.singleton_instance_id, defaults=demo_content.PRACTICE
            )
            created.append("practice details")
        surgeon = Surgeon.objects.filter(slug=demo_content.SURGEON["slug"]).first()
        if surgeon is None:
            surgeon = self.create_surgeon()
            created.append(f"surgeon {surgeon}")
        if not Location.objects.exists():
            for order, data in enumerate(demo_content.LOCATIONS):
                self.create_location(data, order)
            created.append("locations")
        if not VisitType.objects.exists():
            self.create_visit_types()
            created.append("visit types")
        if not ClinicSession.objects.exists():
            self.create_clinic_sessions(surgeon)
            created.append("clinic sessions")
        if not Closure.objects.exists():
            holiday, name = demo_content.next_holiday(timezone.localdate())
            Closure.objects.create(starts_on=holiday, reason=name)
            created.append(f"closure on {name}")
        new_conditions = {}
        for data in demo_content.CONDITIONS:
            if Condition.objects.filter(slug=data["slug"]).exists():
                continue
            new_conditions[data["slug"]] = self.create_condition(data, surgeon)
            created.append(f"condition {data['title']}")
        for data in demo_content.CONDITIONS:
            if condition := new_conditions.get(data["slug"]):
                condition.related_conditions.add(
                    *Condition.objects.filter(slug__in=data["related"])
                )
        if not Question.objects.filter(condition__isnull=True).exists():
            for order, (question, answer) in enumerate(demo_content.GENERAL_QUESTIONS):
                Question.objects.create(question=question, answer=answer, order=order)
            created.append("general questions")
        if created:
            self.stdout.write(self.style.SUCCESS("Loaded: " + "; ".join(created) + "."))
        else:
            self.stdout.write("The demo content is already there; nothing changed.")

    def create_surgeon(self):
        surgeon = Surgeon(**demo_content.SURGEON, is_default=not Surgeon.objects.exists())
        with SURGEON_PHOTO.open("rb") as photo:
            surgeon.photo.save(SURGEON_PHOTO.name, File(photo), save=False)
        surgeon.save()
        return surgeon

    def create_location(self, data, order):
        fields = {name: value for name, value in data.items() if name != "hours"}
        location = Location.objects.create(order=order, **fields)
        OpeningHours.objects.bulk_create(
            OpeningHours(location=location, weekday=day, opens=opens, closes=closes)
            for day, opens, closes in data["hours"]
        )

    def create_visit_types(self):
        for order, (slug, name, description, minutes, online, audience) in enumerate(
            demo_content.VISIT_TYPES
        ):
            VisitType.objects.create(
                slug=slug,
                name=name,
                description=description,
                duration_minutes=minutes,
                is_bookable_online=online,
                audience=audience,
                order=order,
            )

    def create_clinic_sessions(self, surgeon):
        locations = list(Location.objects.order_by("order"))
        for position, weekday, starts, ends, slugs in demo_content.CLINIC_SESSIONS:
            session = ClinicSession.objects.create(
                surgeon=surgeon,
                location=locations[min(position, len(locations) - 1)],
                weekday=weekday,
                starts=starts,
                ends=ends,
                valid_from=timezone.localdate(),
            )
            session.visit_types.set(VisitType.objects.filter(slug__in=slugs))

    def create_condition(self, data, surgeon):
        condition = Condition.objects.create(
            slug=data["slug"],
            reviewed_by=surgeon,
            is_published=True,
            **{field: data[field] for field in CONDITION_FIELDS},
        )
        for order, (heading, body) in enumerate(data["sections"]):
            ConditionSection.objects.create(
                condition=condition, heading=heading, body=body, order=order
            )
        for order, (question, answer) in enumerate(data["questions"]):
            Question.objects.create(
                condition=condition, question=question, answer=answer, order=order
            )
        condition.refresh_contents()
        return condition
