"""Account pages: sign up, Django's auth views with Byline's templates, and profile settings."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from core import ratelimit
from core.client_ip import client_ip
from core.links import safe_next
from creators.forms import (
    EmailPreferencesForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    SetPasswordForm,
    SignupForm,
    SocialLinkFormSet,
    social_link_initial,
)
from creators.services import email_preferences_update, profile_update


@sensitive_post_parameters("password1", "password2")
@never_cache
@login_not_required
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL))
    retry_after = None
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            try:
                # Per address only: whoever signs up has no account yet to count against.
                ratelimit.take("signup", address=client_ip(request))
            except ratelimit.RateLimited as error:
                form.add_error(None, error)
                retry_after = error.retry_after
            else:
                user = form.save()
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Welcome to {settings.SITE_NAME}, {user.name}!")
                return redirect(safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL))
    else:
        form = SignupForm()
    response = render(
        request,
        "registration/signup.html",
        {"form": form, "next": safe_next(request)},
        status=429 if retry_after else 200,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    # A signed-in reader who follows a "Log in" link goes where they were heading instead.
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    # Django's LogoutView answers only POST (GET is 405), so a link or an <img> on another
    # site cannot sign anyone out.
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You’re logged out.")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    success_url = reverse_lazy("creators:password_change_done")


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    success_url = reverse_lazy("creators:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        try:
            # The address first: a refused request must not use up the email's few.
            ratelimit.take("password_reset", address=client_ip(self.request))
        except ratelimit.RateLimited as error:
            form.add_error(None, error)
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(error.retry_after)
            return response
        try:
            ratelimit.take("password_reset", email=form.cleaned_data["email"])
        except ratelimit.RateLimited:
            # Send nothing, and say so to no one: the page reads the same whether the email has
            # an account, has none, or has had its few links this hour.
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    success_url = reverse_lazy("creators:password_reset_complete")


@login_required
def profile_settings(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own profile; there is no way to name another account here."""
    user = request.user
    has_avatar = bool(user.avatar)
    refused = None
    if request.method == "POST":
        if request.FILES.get("avatar"):
            try:
                ratelimit.take_for_request(request, "upload")
            except ratelimit.RateLimited as error:
                refused = error  # the image is left out unread; the rest is shown again
        form = ProfileForm(request.POST, None if refused else request.FILES, has_avatar=has_avatar)
        links = SocialLinkFormSet(request.POST, prefix="links")
        # Both are validated so every error on the page shows at once.
        form_ok, links_ok = form.is_valid(), links.is_valid()
        if refused:
            form.add_error("avatar", refused)
            form_ok = False
        if form_ok and links_ok:
            profile_update(
                user=user,
                display_name=form.cleaned_data["display_name"],
                bio=form.cleaned_data["bio"],
                avatar=form.cleaned_data["avatar"],
                remove_avatar=form.cleaned_data.get("remove_avatar", False),
                links=links.links(),
                show_read_counts=form.cleaned_data["show_read_counts"],
            )
            messages.success(request, "Your profile was saved.")
            return redirect("creators:settings")
        form.note_lost_upload()
    else:
        form = ProfileForm(
            initial={
                "display_name": user.display_name,
                "bio": user.bio,
                "show_read_counts": user.show_read_counts,
            },
            has_avatar=has_avatar,
        )
        links = SocialLinkFormSet(initial=social_link_initial(user), prefix="links")
    response = render(
        request,
        "creators/settings.html",
        {"form": form, "links": links, "email_form": EmailPreferencesForm.for_user(user)},
        status=429 if refused else 200,
    )
    if refused:
        response["Retry-After"] = str(refused.retry_after)
    return response


@login_required
@require_POST
def email_preferences(request: HttpRequest) -> HttpResponse:
    """The settings page's "Emails" form: its own small form, so it never touches the profile."""
    form = EmailPreferencesForm.for_user(request.user, request.POST)
    if form.is_valid():
        email_preferences_update(
            user=request.user,
            new_stories=form.cleaned_data["new_stories"],
            comment_replies=form.cleaned_data["comment_replies"],
            story_activity=form.cleaned_data["story_activity"],
        )
        messages.success(request, "Your email choices were saved.")
    else:  # three checkboxes cannot be invalid, but a forged POST gets an answer, not a 500
        messages.error(request, "Your email choices could not be saved; please try again.")
    return redirect(reverse("creators:settings") + "#emails")
