"""The admin site, which asks staff for a code from their authenticator app.

Django's own site but for the login (practice/staff_login.py: the password, then the
code) and for who may see its pages: a member of staff whose login a code has verified,
as django-otp's middleware tells, unless STAFF_TWO_FACTOR_REQUIRED is off (`make run`).
"""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.urls import path, reverse

from . import staff_login, two_factor


class PracticeAdminSite(admin.AdminSite):
    def has_permission(self, request):
        verified = not two_factor.is_required() or two_factor.is_verified(request.user)
        return super().has_permission(request) and verified

    def get_urls(self):
        code_step = {"admin_site": self}
        return [
            path(
                "login/code/",
                staff_login.CodeStepView.as_view(**code_step),
                name="two_factor_code",
            ),
            path(
                "login/set-up/",
                staff_login.SetUpView.as_view(**code_step),
                name="two_factor_set_up",
            ),
            *super().get_urls(),
        ]

    def login(self, request, extra_context=None):
        """Django's login page, with the password step of the practice's own."""
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {
            **self.each_context(request),
            "title": "Log in",
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        context.update(extra_context or {})
        request.current_app = self.name
        return staff_login.PasswordStepView.as_view(extra_context=context)(request)
