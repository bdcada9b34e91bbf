from practice.sitemaps import NamedPageSitemap, newest

from .models import Question


class QuestionListSitemap(NamedPageSitemap):
    url_name = "faq:list"

    def content_changed(self):
        return newest(Question.objects.published())
