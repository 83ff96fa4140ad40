"""The footer's staff-editable pages and the text they start with."""

from __future__ import annotations

PAGES = {
    "/contact/": (
        "Contact",
        '<p>We read every message. Write to <a href="mailto:hello@byline.example">'
        "hello@byline.example</a> about your account, a story, or anything on the site, and we "
        "will answer within two working days.</p>"
        "<p>To report a story or a comment that breaks our Terms of Use, include its address so "
        "we can find it quickly.</p>",
    ),
    "/privacy/": (
        "Privacy Policy",
        "<p>We collect what we need to run the site: your account details, the stories and "
        "comments you publish, and the subscriptions and support you choose. We never sell "
        "personal data and we do not show third-party advertising.</p>"
        "<p>Readers’ email addresses are used only for the emails they ask for, and every email "
        "has a one-click unsubscribe link. You may ask us at any time for a copy of your data or "
        "for your account to be deleted.</p>",
    ),
    "/terms/": (
        "Terms of Use",
        "<p>You keep the rights to everything you write here. By publishing, you allow us to "
        "show your work on the site and in emails to your subscribers.</p>"
        "<p>Do not publish anything that is unlawful, that harasses others, or that you do not "
        "have the right to publish. Staff review stories before they are public and may remove "
        "content or suspend accounts that break these terms.</p>",
    ),
    "/support/": (
        "Support",
        "<p>New here? Sign up, write your first story in the editor and submit it: our staff "
        "review every story before it goes public, usually within a day.</p>"
        "<p>For help with your account, payments or publishing, "
        '<a href="/contact/">contact us</a>.</p>',
    ),
}


def ensure_footer_pages(Site, FlatPage) -> None:
    """Create the footer pages that are missing; pages staff have edited are left alone.

    Takes the model classes so that the migration can pass its historical models.
    """
    site, _ = Site.objects.get_or_create(
        pk=1, defaults={"domain": "127.0.0.1:8000", "name": "Byline"}
    )
    for url, (title, content) in PAGES.items():
        page, _ = FlatPage.objects.get_or_create(
            url=url, defaults={"title": title, "content": content}
        )
        page.sites.add(site)


def footer_pages_after_migrate(sender, *, apps=None, using="default", **kwargs) -> None:
    """post_migrate: a database with no flat page at all gets the footer pages again.

    `flush` empties every table and sends this signal (`manage.py flush`, tests that truncate),
    so the footer's links still lead somewhere. Where any page exists, nothing is touched: a
    page staff deleted stays deleted.
    """
    from django.apps import apps as global_apps

    apps = apps or global_apps
    FlatPage = apps.get_model("flatpages", "FlatPage")
    if FlatPage.objects.using(using).exists():
        return
    ensure_footer_pages(apps.get_model("sites", "Site"), FlatPage)
