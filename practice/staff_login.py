"""The admin's login: the password, then a code from the authenticator app.

The first time, the code step is setting the app up: a QR code and the key as text, a
code from the app to confirm it, then ten backup codes shown once. Each step refuses a
locked-out address or user name before it checks anything, and counts what it refuses
(practice/login_limits.py); a wrong code counts as a failed login, for axes too. Every
login, failure and lockout goes into the audit log.
"""

from django.contrib import messages
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView

from . import audit, two_factor
from .forms import CodeForm, StaffAuthenticationForm
from .login_limits import login_failure_record, login_lockout_find

TOO_MANY_REQUESTS = 429


def failed_login(request, username, form):
    """Count a wrong password or code; if that (or axes' count) reached a limit, say so
    on the form and in the audit log."""
    lockout = login_failure_record(request, username) or login_lockout_find(request, username)
    if lockout is not None:
        form.add_lockout_error(lockout)
        audit_lockout(request, username, lockout, refused=False)


def audit_lockout(request, username, lockout, *, refused):
    """A lockout that has just begun, or (`refused`) a login it has stopped."""
    details = {"by": lockout.kind, "until": lockout.until.isoformat(), "refused": refused}
    audit.record(
        audit.Action.LOGIN_LOCKED_OUT, http_request=request, actor=username, details=details
    )


def refused(response, form):
    """A form refused for a lockout answers 429 Too Many Requests."""
    if form.is_locked_out():
        response.status_code = TOO_MANY_REQUESTS
    return response


class PasswordStepView(LoginView):
    authentication_form = StaffAuthenticationForm
    template_name = "admin/login.html"

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.is_required():
            response = super().form_valid(form)
            audit.record(audit.Action.LOGIN_SUCCEEDED, http_request=self.request)
            return response
        two_factor.pending_login_start(self.request, user=user, next_url=self.get_success_url())
        if two_factor.has_authenticator(user):
            return redirect("admin:two_factor_code")
        return redirect("admin:two_factor_set_up")

    def form_invalid(self, form):
        username = form.data.get("username", "")
        if form.lockout is not None:
            audit_lockout(self.request, username, form.lockout, refused=True)
        elif form.password_was_wrong():
            audit.record(audit.Action.LOGIN_FAILED, http_request=self.request, actor=username)
            failed_login(self.request, username, form)
        return refused(super().form_invalid(form), form)


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
        audit.record(
            audit.Action.LOGIN_SUCCEEDED,
            http_request=self.request,
            details={"code": two_factor.device_kind(form.device)},
        )
        return redirect(self.pending.next_url)

    def form_invalid(self, form):
        username = self.pending.user.get_username()
        if form.lockout is not None:
            audit_lockout(self.request, username, form.lockout, refused=True)
        elif form.code_was_wrong():
            audit.record(audit.Action.LOGIN_CODE_FAILED, http_request=self.request, actor=username)
            # axes counts it against the name from this address, as a wrong password.
            user_login_failed.send(
                sender=__name__, credentials={"username": username}, request=self.request
            )
            failed_login(self.request, username, form)
        return refused(super().form_invalid(form), form)


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
