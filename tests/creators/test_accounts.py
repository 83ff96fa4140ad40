"""Sign up, log in, log out, password change and password reset by email."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

import html5lib
import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from creators.models import User
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

DASHBOARD = "/write/"
STRONG = "plum-orchard-47-lanterns"


def signed_in_as(client: Client) -> str | None:
    """The primary key (as the session stores it) of whoever the client is logged in as."""
    return client.session.get(SESSION_KEY)


def signup_data(**overrides: str) -> dict[str, str]:
    return {
        "username": "carol",
        "display_name": "Carol Writer",
        "email": "carol@example.com",
        "password1": STRONG,
        "password2": STRONG,
    } | overrides


# --- sign up ------------------------------------------------------------------------------------


def test_the_signup_page_has_one_heading_and_labelled_fields(client):
    html = client.get("/accounts/signup/").content.decode()
    assert html.count("<h1") == 1
    for name in ("username", "display_name", "email", "password1", "password2"):
        assert f'<label for="id_{name}"' in html


def test_signing_up_creates_the_account_logs_in_and_goes_to_the_dashboard(client):
    response = client.post("/accounts/signup/", signup_data())
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    carol = User.objects.get(username="carol")
    assert carol.display_name == "Carol Writer"
    assert carol.email == "carol@example.com"
    assert carol.check_password(STRONG)
    assert signed_in_as(client) == str(carol.pk)


def test_the_display_name_is_optional(client):
    client.post("/accounts/signup/", signup_data(display_name=""))
    assert User.objects.get(username="carol").name == "carol"


def test_signing_up_follows_a_safe_next(client):
    response = client.post("/accounts/signup/?next=/explore/", signup_data())
    assert response["Location"] == "/explore/"


@pytest.mark.parametrize(
    "bad_next", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_signing_up_ignores_a_next_that_leaves_the_site(client, bad_next):
    response = client.post("/accounts/signup/", signup_data(next=bad_next))
    assert response["Location"] == DASHBOARD
    page = client.get("/accounts/signup/", {"next": bad_next}).content.decode()
    assert "evil.example" not in page and "javascript:" not in page


def test_a_taken_username_is_refused_in_any_case(client, alice):
    for username in ("alice", "ALICE"):
        response = client.post("/accounts/signup/", signup_data(username=username))
        assert response.status_code == 200
        assert "A user with that username already exists." in response.content.decode()
    assert User.objects.count() == 1
    assert signed_in_as(client) is None


def test_an_email_already_used_in_another_case_is_refused(client):
    make_user("dora", email="carol@example.com")
    response = client.post("/accounts/signup/", signup_data(email="Carol@EXAMPLE.com"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "An account with this email address already exists." in html
    # The error is tied to its input for screen readers.
    assert 'aria-invalid="true"' in html and 'id="id_email_error"' in html
    assert not User.objects.filter(username="carol").exists()


def test_the_email_is_required(client):
    response = client.post("/accounts/signup/", signup_data(email=""))
    assert response.status_code == 200
    assert not User.objects.filter(username="carol").exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password", "This password is too common."),
        ("4815162342", "This password is entirely numeric."),
        ("s3Cr!t", "This password is too short."),
        ("carol@example", "The password is too similar to the email address."),
    ],
)
def test_a_weak_password_is_refused(client, password, message):
    response = client.post("/accounts/signup/", signup_data(password1=password, password2=password))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(username="carol").exists()


def test_mismatched_passwords_are_refused(client):
    response = client.post("/accounts/signup/", signup_data(password2=STRONG + "x"))
    assert response.status_code == 200
    assert "The two password fields didn’t match." in response.content.decode()
    assert not User.objects.filter(username="carol").exists()


def test_what_was_typed_is_kept_after_an_error_but_never_the_password(client):
    response = client.post("/accounts/signup/", signup_data(password2="nope"))
    html = response.content.decode()
    assert 'value="carol"' in html and 'value="Carol Writer"' in html
    assert STRONG not in html


def test_a_signed_in_user_visiting_signup_goes_to_the_dashboard(client, alice):
    client.force_login(alice)
    response = client.get("/accounts/signup/")
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    client.post("/accounts/signup/", signup_data())
    assert not User.objects.filter(username="carol").exists()


# --- log in -------------------------------------------------------------------------------------

INVALID_LOGIN = "That username and password don’t match an active account."


def test_the_login_page_has_one_heading_and_links_to_signup_and_reset(client):
    html = client.get("/accounts/login/").content.decode()
    assert html.count("<h1") == 1
    assert '<label for="id_username"' in html and '<label for="id_password"' in html
    assert 'href="/accounts/signup/"' in html and 'href="/accounts/password/reset/"' in html


def test_logging_in_goes_to_the_dashboard(client, alice):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "pw-for-tests-only"}
    )
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    assert signed_in_as(client) == str(alice.pk)


def test_logging_in_follows_a_safe_next(client, alice):
    response = client.post(
        "/accounts/login/?next=/settings/",
        {"username": "alice", "password": "pw-for-tests-only"},
    )
    assert response["Location"] == "/settings/"


def test_the_login_page_keeps_next_for_the_form_and_the_signup_link(client):
    html = client.get("/accounts/login/", {"next": "/settings/"}).content.decode()
    assert '<input type="hidden" name="next" value="/settings/">' in html
    assert 'href="/accounts/signup/?next=/settings/"' in html


def test_logging_in_ignores_a_next_that_leaves_the_site(client, alice):
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": "pw-for-tests-only", "next": "https://evil.example/"},
    )
    assert response["Location"] == DASHBOARD


def test_a_wrong_password_gives_a_clear_error(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert INVALID_LOGIN in response.content.decode()
    assert signed_in_as(client) is None


def test_a_suspended_account_cannot_log_in_and_is_not_told_apart(client):
    make_user("mallory", is_active=False)
    response = client.post(
        "/accounts/login/", {"username": "mallory", "password": "pw-for-tests-only"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    # The same words as for a wrong password: the form does not reveal suspensions.
    assert INVALID_LOGIN in html and "inactive" not in html.lower()
    assert signed_in_as(client) is None


def test_a_signed_in_user_visiting_login_is_sent_on(client, alice):
    client.force_login(alice)
    response = client.get("/accounts/login/")
    assert response.status_code == 302 and response["Location"] == DASHBOARD


# --- log out ------------------------------------------------------------------------------------


def test_logging_out_by_get_is_refused(client, alice):
    client.force_login(alice)
    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in_as(client) == str(alice.pk)


def test_logging_out_by_post_ends_the_session(client, alice):
    client.force_login(alice)
    response = client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[0] == ("/", 302)
    assert signed_in_as(client) is None
    assert "You’re logged out." in response.content.decode()


def test_logging_out_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post("/accounts/logout/").status_code == 403
    assert signed_in_as(client) == str(alice.pk)


def test_the_header_offers_account_links_to_whoever_is_there(client, alice):
    anonymous = client.get("/explore/").content.decode()
    assert 'href="/accounts/login/?next=/explore/"' in anonymous
    assert 'href="/accounts/signup/"' in anonymous
    assert "Log out" not in anonymous and 'href="/settings/"' not in anonymous

    client.force_login(alice)
    signed_in = client.get("/explore/").content.decode()
    for href in ('href="/write/new/"', 'href="/write/"', 'href="/settings/"'):
        assert href in signed_in
    assert 'action="/accounts/logout/"' in signed_in and "csrfmiddlewaretoken" in signed_in
    assert 'href="/accounts/signup/"' not in signed_in


def parsed(response) -> Element:
    return html5lib.parse(response.content.decode(), namespaceHTMLElements=False)


def spoken(element: Element) -> str:
    """The element's text as a screen reader gets it: without what is aria-hidden."""
    if element.get("aria-hidden") == "true":
        return ""
    parts = [element.text or ""]
    for child in element:
        parts += [spoken(child), child.tail or ""]
    return "".join(parts)


def account_menu(tree: Element) -> Element | None:
    """The header's account menu: the <details> disclosure that holds the signed-in links."""
    return tree.find(".//header").find(".//details[@class='account-menu']")


def test_signed_in_the_account_links_are_in_one_menu_with_supporting(client, alice):
    """Issue 15: the header's account links sit in one disclosure, so the header is one line on
    a phone; the reader's /supporting/ page is one of them, and Log out stays a POST."""
    client.force_login(alice)
    tree = parsed(client.get("/explore/"))
    header, menu = tree.find(".//header"), account_menu(tree)
    assert menu is not None
    # The summary names the menu for a screen reader; the avatar beside the word is decorative.
    assert spoken(menu.find("summary")).strip() == "Account"
    in_menu = [a.get("href") for a in menu.iter("a")]
    assert in_menu == [
        "/feed/",
        "/library/",
        "/write/new/",
        "/write/",
        "/supporting/",
        "/settings/",
    ]
    logout = menu.find(".//form[@action='/accounts/logout/']")
    assert logout.get("method") == "post"
    assert logout.find(".//input[@name='csrfmiddlewaretoken']") is not None
    assert "".join(logout.find(".//button").itertext()) == "Log out"
    # Outside the menu: the logo, Explore and the notifications bell (issue 16), nothing else.
    outside = [a.get("href") for a in header.iter("a") if a.get("href") not in in_menu]
    assert outside == ["/", "/explore/", "/notifications/"]


def test_staff_find_the_admin_in_the_account_menu(client, sam):
    client.force_login(sam)
    menu = account_menu(parsed(client.get("/explore/")))
    assert "/admin/" in [a.get("href") for a in menu.iter("a")]


def test_signed_out_there_is_no_account_menu_and_no_supporting_link(client):
    tree = parsed(client.get("/explore/"))
    assert account_menu(tree) is None
    assert not tree.findall(".//a[@href='/supporting/']")


def test_settings_link_to_the_creators_you_support(client, alice):
    client.force_login(alice)
    section = parsed(client.get("/settings/")).find(".//main//section[@id='supporting']")
    assert "Creators you support" in "".join(section.itertext())
    assert [a.get("href") for a in section.iter("a")] == ["/supporting/"]


def test_settings_signed_out_is_the_login_page_without_supporting(client):
    response = client.get("/settings/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    assert not parsed(response).findall(".//a[@href='/supporting/']")


# --- password change ----------------------------------------------------------------------------


def test_password_change_needs_a_login(client):
    for method in (client.get, client.post):
        response = method("/accounts/password/change/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/accounts/password/change/"


def test_password_change_refuses_a_wrong_old_password(client, alice):
    client.force_login(alice)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": "wrong", "new_password1": STRONG, "new_password2": STRONG},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly." in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password("pw-for-tests-only")


def test_password_change_refuses_a_weak_new_password(client, alice):
    client.force_login(alice)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": "pw-for-tests-only", "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password("pw-for-tests-only")


def test_password_change_sets_the_new_password_and_keeps_the_user_logged_in(client, alice):
    client.force_login(alice)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": "pw-for-tests-only", "new_password1": STRONG, "new_password2": STRONG},
        follow=True,
    )
    assert response.redirect_chain == [("/accounts/password/change/done/", 302)]
    assert "Your password was changed" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(STRONG)
    assert signed_in_as(client) == str(alice.pk)


# --- password reset -----------------------------------------------------------------------------


def reset_link(message: mail.EmailMessage) -> str:
    """The path of the reset link in the email's body."""
    match = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_emails_a_plain_text_link_that_sets_a_new_password(client, alice):
    alice.email = "alice@example.com"
    alice.save()
    response = client.post("/accounts/password/reset/", {"email": "Alice@Example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert message.subject == "Reset your Byline password"
    assert not getattr(message, "alternatives", [])  # plain text only
    assert "Alice Walker" in message.body

    # Django swaps the token in the link for one kept in the session, then shows the form.
    form_page = client.get(reset_link(message), follow=True)
    assert form_page.status_code == 200
    assert "Choose a new password" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_password_url, {"new_password1": STRONG, "new_password2": STRONG}, follow=True
    )
    assert done.redirect_chain[-1][0] == "/accounts/reset/done/"

    fresh = Client()
    login = fresh.post("/accounts/login/", {"username": "alice", "password": STRONG})
    assert login.status_code == 302 and signed_in_as(fresh) == str(alice.pk)
    assert not Client().login(username="alice", password="pw-for-tests-only")


def test_a_reset_link_works_only_once(client, alice):
    alice.email = "alice@example.com"
    alice.save()
    client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    link = reset_link(mail.outbox[0])
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": STRONG, "new_password2": STRONG})
    again = Client().get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_a_forged_reset_link_is_refused(client, alice):
    response = client.get("/accounts/reset/MQ/abc-123/")
    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()


def test_password_reset_uses_the_site_name_in_the_subject(client, alice, settings):
    settings.SITE_NAME = "Inkwell"
    alice.email = "alice@example.com"
    alice.save()
    client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    assert mail.outbox[0].subject == "Reset your Inkwell password"


def test_password_reset_does_not_say_whether_an_address_has_an_account(client):
    make_user("mallory", email="mallory@example.com", is_active=False)
    for email in ("nobody@example.com", "mallory@example.com"):
        response = client.post("/accounts/password/reset/", {"email": email})
        assert response["Location"] == "/accounts/password/reset/done/"
    # No email for an unknown address, nor for a suspended account.
    assert mail.outbox == []


def test_the_reset_link_is_on_site_url_whatever_the_sites_row_and_the_request_say(
    client, alice, settings
):
    # A deployment sets SITE_URL and nothing else: the Sites row still says what a migration
    # wrote, and the request came in over plain HTTP from the proxy.
    settings.SITE_URL = "https://byline.example"
    alice.email = "alice@example.com"
    alice.save()
    client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    body = mail.outbox[0].body
    assert re.search(r"^https://byline\.example/accounts/reset/[^/\s]+/[^/\s]+/$", body, re.M), body
    assert "127.0.0.1" not in body


def test_a_session_outlives_an_emptied_cache(client, bob):
    """Sessions are read from the cache and kept in the database (cached_db): the signed-in
    page skips the session's query, and emptying the cache signs nobody out."""
    from django.core.cache import cache

    client.force_login(bob)
    assert client.get("/write/").status_code == 200
    cache.clear()
    response = client.get("/write/")
    assert response.status_code == 200 and response.context["user"] == bob
