from django.db import models
from django.urls import reverse

from conditions.models import live
from practice.richtext import RichTextField, plain_text, sanitize_rich_text


class QuestionQuerySet(models.QuerySet):
    def published(self):
        """Published questions that are general or belong to a published condition."""
        return self.filter(is_published=True).filter(
            models.Q(condition__isnull=True) | live(prefix="condition__")
        )


class Question(models.Model):
    question = models.CharField(max_length=250)
    answer = RichTextField()
    answer_text = models.TextField(
        "answer as plain text", blank=True, editable=False, help_text="For search engines."
    )
    condition = models.ForeignKey(
        "conditions.Condition",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="questions",
        help_text="Leave empty for a general question about the practice.",
    )
    order = models.PositiveIntegerField(default=0)
    is_published = models.BooleanField("published", default=True)
    updated_at = models.DateTimeField("last edited", auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        sanitize_rich_text(self)
        self.answer_text = plain_text(self.answer)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{reverse('faq:list')}#{self.anchor}"

    @property
    def anchor(self):
        return f"question-{self.pk}"
