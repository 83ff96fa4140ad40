"""Account and profile forms: sign up, log in, and the one settings page (profile and links)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.urls import reverse

from core.images import SafeImageField
from core.links import absolute
from creators.models import SocialLink, User

BIO_MAX_LENGTH = 2000
WEB_SCHEMES = frozenset({"http", "https"})

# Where a network's profile pages live. None: any host (Mastodon is federated, a website is
# anyone's own). A subdomain counts too: www.instagram.com, m.facebook.com, mobile.x.com.
NETWORK_HOSTS: dict[str, tuple[str, ...] | None] = {
    SocialLink.Network.WEBSITE: None,
    SocialLink.Network.MASTODON: None,
    SocialLink.Network.BLUESKY: ("bsky.app",),
    SocialLink.Network.X: ("x.com", "twitter.com"),
    SocialLink.Network.INSTAGRAM: ("instagram.com",),
    SocialLink.Network.FACEBOOK: ("facebook.com",),
    SocialLink.Network.LINKEDIN: ("linkedin.com",),
    SocialLink.Network.YOUTUBE: ("youtube.com", "youtu.be"),
    SocialLink.Network.TIKTOK: ("tiktok.com",),
    SocialLink.Network.GITHUB: ("github.com",),
}

# Said next to the file input whenever a page with an upload comes back with errors: browsers
# never refill a file input, so the file the user chose is gone.
CHOOSE_FILE_AGAIN = "Files can’t be kept when the page has errors: choose the file again."


class PlainLabels:
    """Labels without Django's trailing colon: "Email", not "Email:"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SignupForm(PlainLabels, auth_forms.UserCreationForm):
    """Username, optional display name, a unique email and the password twice."""

    email = forms.EmailField(
        max_length=254,
        help_text="For your account’s emails, such as password resets; never shown on the site.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(auth_forms.UserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "email")
        help_texts = {
            # Help text is rendered as HTML by Django's field template: no angle brackets.
            "username": "Part of your profile’s address (/authors/your-username/). Letters, "
            "digits and @ . + - _ only.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].widget.attrs["autocomplete"] = "name"

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"])
        # The model allows duplicates (staff-made accounts may share one); sign-up does not,
        # because a password reset by email must reach exactly one account.
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                "An account with this email address already exists. "
                "Log in, or reset your password if you have forgotten it.",
                code="duplicate_email",
            )
        return email


class LoginForm(PlainLabels, auth_forms.AuthenticationForm):
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        # The same words for a wrong password, an unknown username and a suspended account,
        # so the form does not tell strangers which accounts exist or are suspended.
        "invalid_login": (
            "That username and password don’t match an active account. Both are "
            "case-sensitive; if you have forgotten your password, you can reset it."
        ),
    }


class PasswordChangeForm(PlainLabels, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(PlainLabels, auth_forms.PasswordResetForm):
    """Django's reset form, with its link under SITE_URL like every other email's link."""

    def save(self, **kwargs: Any) -> None:
        # Django would take the host from the Sites row (whatever a migration wrote) and the
        # scheme from the request (plain HTTP behind a proxy); SITE_URL is the one truth.
        site = urlsplit(settings.SITE_URL)
        kwargs["domain_override"] = site.netloc
        kwargs["use_https"] = site.scheme == "https"
        kwargs["extra_email_context"] = {
            "site_name": settings.SITE_NAME,
            **(kwargs.get("extra_email_context") or {}),
        }
        super().save(**kwargs)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        context["reset_url"] = absolute(
            reverse(
                "creators:password_reset_confirm",
                kwargs={"uidb64": context["uid"], "token": context["token"]},
            )
        )
        super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class SetPasswordForm(PlainLabels, auth_forms.SetPasswordForm):
    pass


class BioField(forms.CharField):
    """Plain text whose length is counted as the reader's browser counts it."""

    def to_python(self, value: Any) -> str:
        # Browsers send each line break as \r\n but count it as one character for maxlength;
        # counting two would refuse a bio the textarea itself allowed.
        text = super().to_python(value)
        return text.replace("\r\n", "\n").replace("\r", "\n")


class ProfileForm(PlainLabels, forms.Form):
    """The profile half of the settings page; social links are SocialLinkFormSet."""

    display_name = forms.CharField(
        max_length=100,
        required=False,
        help_text="Shown on your stories and profile instead of your username.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    bio = BioField(
        max_length=BIO_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "Plain text, up to 2,000 characters. Leave a blank line between paragraphs; "
            "addresses starting with https:// become links."
        ),
        error_messages={
            "max_length": (
                "Your bio is %(show_value)d characters long; please shorten it to at most "
                "%(limit_value)d."
            )
        },
    )
    avatar = SafeImageField(
        required=False,
        label="New avatar",
        help_text="A JPEG, PNG, WebP or GIF image; a square picture looks best.",
        widget=forms.FileInput,
    )
    remove_avatar = forms.BooleanField(required=False, label="Remove my current avatar")
    show_read_counts = forms.BooleanField(
        required=False,
        label="Show read counts on my stories",
        help_text="Readers see how many people read each story. Your stats always show them.",
    )

    def __init__(self, *args: Any, has_avatar: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_avatar:
            del self.fields["remove_avatar"]

    def note_lost_upload(self) -> None:
        """Call when the page is shown again with errors: say the chosen file must be re-chosen."""
        if self.files.get(self.add_prefix("avatar")):
            self.add_error("avatar", ValidationError(CHOOSE_FILE_AGAIN, code="choose_again"))


def web_url_validator(value: str) -> None:
    """http and https only, refused with a message that says so rather than "invalid URL"."""
    if urlsplit(value).scheme.lower() not in WEB_SCHEMES:
        raise ValidationError(
            "Only web addresses starting with https:// or http:// can be linked.",
            code="scheme",
        )
    URLValidator(schemes=sorted(WEB_SCHEMES))(value)


class WebURLField(forms.URLField):
    # Replaces URLField's own validator, which would add a vague second error to ours.
    default_validators = [web_url_validator]


class SocialLinkForm(PlainLabels, forms.Form):
    """One network's URL; which network is fixed by the form's position, never by the POST."""

    url = WebURLField(
        max_length=300,
        required=False,
        assume_scheme="https",
        # Text, not type="url": browsers refuse "example.com" there, which we accept as https.
        widget=forms.TextInput(
            attrs={"inputmode": "url", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )

    def __init__(self, *args: Any, network: SocialLink.Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network = network
        self.fields["url"].label = network.label
        hosts = NETWORK_HOSTS[network]
        self.fields["url"].widget.attrs["placeholder"] = (
            f"https://{hosts[0]}/…" if hosts else "https://…"
        )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        hosts = NETWORK_HOSTS[self.network]
        if not url or hosts is None:
            return url
        host = (urlsplit(url).hostname or "").rstrip(".")
        if not any(host == allowed or host.endswith("." + allowed) for allowed in hosts):
            raise ValidationError(
                "This is not a %(network)s address: use a link on %(hosts)s.",
                code="wrong_host",
                params={"network": self.network.label, "hosts": " or ".join(hosts)},
            )
        return url


NETWORKS: tuple[SocialLink.Network, ...] = tuple(SocialLink.Network)


class BaseSocialLinkFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        # empty_form (index None) is never shown, but Django builds it for its media.
        return {"network": NETWORKS[index or 0]}

    def links(self) -> dict[str, str]:
        """network → URL for every row, "" where the row was left empty."""
        return {form.network.value: form.cleaned_data.get("url", "") for form in self.forms}


# Exactly one row per network, in the order of SocialLink.Network; a tampered management
# form with more or fewer rows is an error rather than a shifted list of networks.
SocialLinkFormSet = forms.formset_factory(
    SocialLinkForm,
    formset=BaseSocialLinkFormSet,
    extra=0,
    min_num=len(NETWORKS),
    max_num=len(NETWORKS),
    absolute_max=len(NETWORKS),
    validate_min=True,
    validate_max=True,
)


def social_link_initial(user: User) -> list[dict[str, str]]:
    """The formset's rows for ``user``: one per network, empty where there is no link."""
    urls = {link.network: link.url for link in user.social_links.all()}
    return [{"url": urls.get(network.value, "")} for network in NETWORKS]


class EmailPreferencesForm(PlainLabels, forms.Form):
    """The settings page's "Emails" section: which emails the account wants."""

    new_stories = forms.BooleanField(
        required=False, label="New stories from creators I subscribe to"
    )
    comment_replies = forms.BooleanField(required=False, label="Replies to my comments")
    story_activity = forms.BooleanField(required=False, label="Comments and insights on my stories")

    @classmethod
    def for_user(cls, user: User, data: Any = None) -> EmailPreferencesForm:
        initial = {
            "new_stories": user.email_new_stories,
            "comment_replies": user.email_comment_replies,
            "story_activity": user.email_story_activity,
        }
        return cls(data, initial=initial, prefix="emails")
