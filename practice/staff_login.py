"""The admin's login: the password, then a code from the authenticator app.

The first time, the code step is setting the app up: a QR code and the key as text, a
code from the app to confirm it, then ten backup codes shown once.
"""

from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView

from . import two_factor
from .forms import CodeForm


class PasswordStepView(LoginView):
    authentication_form = AdminAuthenticationForm
    template_name = "admin/login.html"

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.is_required():
            return super().form_valid(form)
        two_factor.pending_login_start(self.request, user=user, next_url=self.get_success_url())
        if two_factor.has_authenticator(user):
            return redirect("admin:two_factor_code")
        return redirect("admin:two_factor_set_up")


@method_decorator([sensitive_post_parameters("code"), never_cache], name="dispatch")
class CodeStepView(FormView):
    """The code that finishes a login begun with the right password."""

    admin_site = None
    form_class = CodeForm
    template_name = "admin/two_factor/code.html"
    title = "Type the code from your authenticator app"
    other_step = "admin:two_factor_set_up"

    def dispatch(self, request, *args, **kwargs):
        self.pending = two_factor.pending_login(request)
        if self.pending is None:
            if request.user.is_authenticated:
                return redirect("admin:index")
            messages.info(request, "Please log in with your user name and password first.")
            return redirect("admin:login")
        if not self.is_for_this_step():
            return redirect(self.other_step)
        return super().dispatch(request, *args, **kwargs)

    def is_for_this_step(self):
        return two_factor.has_authenticator(self.pending.user)

    def devices(self):
        return two_factor.confirmed_devices(self.pending.user)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(request=self.request, user=self.pending.user, devices=self.devices())
        return kwargs

    def get_context_data(self, **kwargs):
        context = self.admin_site.each_context(self.request)
        context.update(title=self.title, username=self.pending.user.get_username())
        return context | super().get_context_data(**kwargs)

    def form_valid(self, form):
        two_factor.pending_login_complete(self.request, pending=self.pending, device=form.device)
        return redirect(self.pending.next_url)


class SetUpView(CodeStepView):
    """The first login: set up the authenticator app, confirmed by a code from it."""

    template_name = "admin/two_factor/set_up.html"
    title = "Set up your authenticator app"
    other_step = "admin:two_factor_code"

    def is_for_this_step(self):
        return not two_factor.has_authenticator(self.pending.user)

    @cached_property
    def device(self):
        return two_factor.authenticator_for_set_up(self.pending.user)

    def devices(self):
        return [self.device]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            qr_code=two_factor.qr_code_svg(self.device),
            key=two_factor.key_text(self.device),
            **kwargs,
        )

    def form_valid(self, form):
        backup_codes = two_factor.authenticator_confirm(device=form.device)
        next_url = self.pending.next_url
        super().form_valid(form)
        return TemplateResponse(
            self.request,
            "admin/two_factor/backup_codes.html",
            self.admin_site.each_context(self.request)
            | {"title": "Your backup codes", "backup_codes": backup_codes, "next": next_url},
        )
