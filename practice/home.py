"""The home page: the practice, its surgeon and what each app puts forward.

Part of the wiring, like the root URLs: the one page of the project package that shows
every app's content, so the one view here that imports an app.
"""

from django.utils.functional import cached_property
from django.views.generic import TemplateView

from conditions.models import Condition

from . import structured_data
from .models import Surgeon
from .pages import PageMixin
from .selectors import practice_details


class HomeView(PageMixin, TemplateView):
    template_name = "practice/home.html"

    @cached_property
    def surgeons(self):
        """The published surgeons, the default first."""
        return list(Surgeon.objects.published())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            featured_conditions=Condition.objects.featured(),
            surgeon=self.surgeons[0] if self.surgeons else None,
            other_surgeons=self.surgeons[1:],
            **kwargs,
        )

    def get_meta_description(self):
        practice, _ = practice_details(self.request)
        return practice.tagline

    def get_structured_data(self):
        practice, locations = practice_details(self.request)
        nodes = [structured_data.medical_clinic(practice, locations)]
        if self.surgeons:
            nodes.append(structured_data.physician(self.surgeons[0]))
        return nodes
