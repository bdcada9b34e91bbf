import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify

from practice.richtext import RichTextField, plain_text, sanitize_rich_text

WORDS_READ_PER_MINUTE = 200


class ClockNow(models.Expression):
    """The time when the query runs, read from the site's clock (timezone.now()).

    Like the database's Now(), it is read at each query, so a queryset built once (a view's
    `queryset`, a form field's choices) still shows a scheduled page when its time comes.
    Unlike it, it is the clock that the page cache and every other rule of the site read,
    so they agree to the moment, and a test moves them all by moving one clock.
    """

    output_field = models.DateTimeField()

    def as_sql(self, compiler, connection):
        return "%s", [self.output_field.get_db_prep_value(timezone.now(), connection)]


def live(prefix=""):
    """The condition that patients may see: published, and its publication time has come.

    `prefix` reaches a condition through a relation, e.g. "condition__" from a question.
    """
    return models.Q(**{f"{prefix}is_published": True}) & (
        models.Q(**{f"{prefix}publish_at__isnull": True})
        | models.Q(**{f"{prefix}publish_at__lte": ClockNow()})
    )


class ConditionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(live())

    def featured(self):
        return self.published().filter(is_featured=True)

    def next_publication(self):
        """When the next scheduled page goes live, or None if none is waiting."""
        scheduled = self.filter(is_published=True, publish_at__gt=timezone.now())
        return scheduled.aggregate(next=models.Min("publish_at"))["next"]

    def review_due(self):
        """Pages never reviewed, or last reviewed longer ago than the review interval."""
        due_before = timezone.localdate() - settings.MEDICAL_REVIEW_INTERVAL
        return self.filter(
            models.Q(last_reviewed_on__isnull=True) | models.Q(last_reviewed_on__lt=due_before)
        )


class Condition(models.Model):
    title = models.CharField(max_length=150)
    slug = models.SlugField(
        max_length=160,
        unique=True,
        help_text="The last part of the page's address. If you change it on a published "
        "page, the old address keeps working and leads here.",
    )
    eyebrow = models.CharField(
        "area of expertise",
        max_length=80,
        blank=True,
        help_text="A short line above the title, e.g. “Full-spine surgery”.",
    )
    summary = models.TextField(
        max_length=600,
        help_text="One paragraph that says what it is, in plain words. Shown under the "
        "title and in lists.",
    )
    also_known_as = models.CharField(
        max_length=300,
        blank=True,
        help_text="Other names a patient may have heard, separated by commas.",
    )
    approach = RichTextField("the surgeon's approach", blank=True)
    when_to_seek_opinion = RichTextField("when to seek a specialist opinion", blank=True)
    reviewed_by = models.ForeignKey(
        "practice.Surgeon",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_conditions",
    )
    last_reviewed_on = models.DateField(
        "last medically reviewed",
        null=True,
        blank=True,
        help_text="The date a clinician last checked this page; not the date of the last edit.",
    )
    related_conditions = models.ManyToManyField("self", blank=True)
    is_featured = models.BooleanField("show on the home page", default=False)
    is_published = models.BooleanField(
        "published", default=False, help_text="Only published pages are shown to patients."
    )
    publish_at = models.DateTimeField(
        "publish from",
        null=True,
        blank=True,
        help_text="Optional: a published page stays hidden until this time. "
        "Leave empty to show it as soon as it is published.",
    )
    meta_title = models.CharField(
        "title for search engines",
        max_length=70,
        blank=True,
        help_text="Optional; the page title is used when empty.",
    )
    meta_description = models.CharField(
        "description for search engines",
        max_length=160,
        blank=True,
        help_text="Optional; the summary is used when empty.",
    )
    first_published_at = models.DateTimeField(null=True, editable=False)
    reading_minutes = models.PositiveSmallIntegerField(default=1, editable=False)
    contents = models.JSONField(
        "table of contents",
        default=list,
        editable=False,
        help_text="(anchor, title) for each part of the page; questions are added when shown.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField("last edited", auto_now=True)

    objects = ConditionQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    @transaction.atomic
    def save(self, *args, **kwargs):
        sanitize_rich_text(self)
        self.compute_contents(self.saved_sections())
        was_published = self.first_published_at is not None
        if self.is_published and not was_published:
            self.first_published_at = self.publish_at or timezone.now()
        super().save(*args, **kwargs)
        self.keep_former_slug(was_published=was_published)

    def get_absolute_url(self):
        return reverse("conditions:detail", kwargs={"slug": self.slug})

    def clean(self):
        if self.publish_at and not self.is_published:
            raise ValidationError(
                {
                    "publish_at": "Tick “Published” as well: a page is shown from this time "
                    "only once it is published."
                }
            )

    @classmethod
    def from_db(cls, db, field_names, values):
        condition = super().from_db(db, field_names, values)
        condition._saved_slug = condition.__dict__.get("slug")
        return condition

    def keep_former_slug(self, *, was_published):
        """Once a page has been published, an address it leaves redirects to its new one.

        Patients and search engines may have kept the old address even if the page has
        been taken back to draft since. An address never published leaves no trace.
        """
        saved_slug = getattr(self, "_saved_slug", None)
        if saved_slug and saved_slug != self.slug and was_published:
            FormerSlug.objects.update_or_create(slug=saved_slug, defaults={"condition": self})
        FormerSlug.objects.filter(slug=self.slug).delete()
        self._saved_slug = self.slug

    @property
    def is_live(self):
        return self.is_published and (self.publish_at is None or self.publish_at <= timezone.now())

    @property
    def is_review_due(self):
        if self.last_reviewed_on is None:
            return True
        return self.last_reviewed_on < timezone.localdate() - settings.MEDICAL_REVIEW_INTERVAL

    @property
    def modified_at(self):
        """When patients last saw the page change: an edit, or a scheduled publication."""
        if self.publish_at and self.publish_at <= timezone.now():
            return max(self.updated_at, self.publish_at)
        return self.updated_at

    @property
    def search_title(self):
        return self.meta_title or self.title

    @property
    def search_description(self):
        return self.meta_description or self.summary

    def get_preview_url(self):
        return reverse("conditions:preview", kwargs={"pk": self.pk})

    def get_booking_url(self):
        return f"{reverse('appointments:request')}?{urlencode({'condition': self.slug})}"

    @property
    def other_names(self):
        return [name.strip() for name in self.also_known_as.split(",") if name.strip()]

    def table_of_contents(self, *, with_questions):
        """(anchor, title) for each part of the page, in the order the page shows them."""
        entries = [tuple(entry) for entry in self.contents]
        if with_questions:
            entries.append(("questions", "Common questions"))
        return entries

    def saved_sections(self):
        # From the database, not a prefetched list that may predate an inline's save.
        return list(ConditionSection.objects.filter(condition_id=self.pk)) if self.pk else []

    def compute_contents(self, sections):
        """Set the stored table of contents and reading time from the page and `sections`."""
        self.contents = table_of_contents(self, sections)
        self.reading_minutes = reading_minutes(self, sections)

    def refresh_contents(self):
        """Store the table of contents and reading time once the page's sections changed."""
        self.compute_contents(self.saved_sections())
        Condition.objects.filter(pk=self.pk).update(
            contents=self.contents, reading_minutes=self.reading_minutes
        )


def section_anchor(order, heading):
    return f"section-{order}-{slugify(heading)}"


def table_of_contents(condition, sections):
    """[anchor, title] for each section, the approach and when to seek an opinion.

    Plain functions of the fields, so that the data migration can use them too.
    """
    entries = [[section_anchor(s.order, s.heading), s.heading] for s in sections]
    if condition.approach:
        entries.append(["our-approach", "Our approach"])
    if condition.when_to_seek_opinion:
        entries.append(["when-to-seek", "When to seek a specialist opinion"])
    return entries


def reading_minutes(condition, sections):
    texts = [condition.title, condition.summary, condition.approach]
    texts += [condition.when_to_seek_opinion]
    texts += [f"{s.heading} {s.body}" for s in sections]
    words = sum(len(plain_text(text).split()) for text in texts)
    return max(1, math.ceil(words / WORDS_READ_PER_MINUTE))


class ConditionSection(models.Model):
    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="sections")
    heading = models.CharField(max_length=150)
    body = RichTextField()
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "section"

    def __str__(self):
        return self.heading

    # The page's table of contents and reading time follow every change to a section,
    # whoever makes it: the admin's inlines, the demo content, a shell.
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.condition.refresh_contents()

    def get_absolute_url(self):
        return f"{self.condition.get_absolute_url()}#{self.anchor}"

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        self.condition.refresh_contents()
        return deleted

    @property
    def anchor(self):
        return section_anchor(self.order, self.heading)


class FormerSlugQuerySet(models.QuerySet):
    def live(self):
        return self.filter(live(prefix="condition__"))


class FormerSlug(models.Model):
    """An address a published condition page used to have; it redirects permanently."""

    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="former_slugs")
    slug = models.SlugField(max_length=160, unique=True)
    created_at = models.DateTimeField("changed on", auto_now_add=True)

    objects = FormerSlugQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "former address"
        verbose_name_plural = "former addresses (redirect to this page)"

    def __str__(self):
        return reverse("conditions:detail", kwargs={"slug": self.slug})

    def get_absolute_url(self):
        return self.condition.get_absolute_url()
