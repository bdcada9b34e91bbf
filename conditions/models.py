import math

from django.db import models
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.http import urlencode
from django.utils.text import slugify

from practice.richtext import RichTextField

WORDS_READ_PER_MINUTE = 200


class ConditionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def featured(self):
        return self.published().filter(is_featured=True)


class Condition(models.Model):
    title = models.CharField(max_length=150)
    slug = models.SlugField(
        max_length=160, unique=True, help_text="The last part of the page's address."
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
    reading_minutes = models.PositiveSmallIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField("last edited", auto_now=True)

    objects = ConditionQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("conditions:detail", kwargs={"slug": self.slug})

    def get_booking_url(self):
        return f"{reverse('appointments:request')}?{urlencode({'condition': self.slug})}"

    @property
    def other_names(self):
        return [name.strip() for name in self.also_known_as.split(",") if name.strip()]

    def count_words(self):
        texts = [self.title, self.summary, self.approach, self.when_to_seek_opinion]
        texts += [f"{s.heading} {s.body}" for s in self.sections.all()]
        return sum(len(strip_tags(text).split()) for text in texts)

    def refresh_reading_time(self):
        """Store the reading time; called once the page and its sections are saved."""
        self.reading_minutes = max(1, math.ceil(self.count_words() / WORDS_READ_PER_MINUTE))
        Condition.objects.filter(pk=self.pk).update(reading_minutes=self.reading_minutes)


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

    def get_absolute_url(self):
        return f"{self.condition.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self):
        return f"section-{self.order}-{slugify(self.heading)}"
