"""The home page: the practice, its surgeon, and what each app puts forward.

An app shows a section on it by registering a template and a function that gives the
section's content, from its AppConfig.ready(); this module knows no app.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import cached_property
from django.views.generic import TemplateView

from . import structured_data
from .models import Surgeon
from .pages import PageMixin
from .selectors import practice_details


@dataclass(frozen=True)
class HomeSection:
    template_name: str
    content: Callable[[], object]


SECTIONS = []


def show_on_home(template_name, content):
    """Show `template_name` on the home page, after the surgeon, in the order registered;
    the template reads `content()` as `content`."""
    if all(section.template_name != template_name for section in SECTIONS):
        SECTIONS.append(HomeSection(template_name, content))


class HomeView(PageMixin, TemplateView):
    template_name = "practice/home.html"

    @cached_property
    def surgeons(self):
        """The published surgeons, the default first."""
        return list(Surgeon.objects.published())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            surgeon=self.surgeons[0] if self.surgeons else None,
            other_surgeons=self.surgeons[1:],
            sections=[
                {"template_name": section.template_name, "content": section.content()}
                for section in SECTIONS
            ],
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
