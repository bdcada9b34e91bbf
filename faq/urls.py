from django.urls import path

from practice.page_cache import public_page

from . import views

app_name = "faq"

urlpatterns = [
    path("", public_page(views.QuestionListView.as_view()), name="list"),
]
