"""Chromium from Debian's package, driven by Playwright (its own browser download does not
work here)."""

from contextlib import contextmanager

import pytest
from django.db import connections
from playwright.sync_api import sync_playwright

# As root, headless, with no calls home (the machine has no internet).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The screens the browser tests use: a small phone, and an office desktop.
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


@contextmanager
def chromium(executable_path, *extra_args):
    """A headless Chromium, for as long as the block lasts.

    Playwright's sync API runs an event loop in this thread, so Django treats the tests'
    own (synchronous) database calls as async ones: allow them, and close the connections
    they open, which live only while the loop runs. The loop runs only inside the block,
    so it never reaches other tests.
    """
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable_path, args=[*CHROMIUM_ARGS, *extra_args]
            )
            yield browser
            browser.close()
            connections.close_all()


@contextmanager
def browser_page(browser, **context_options):
    """A page in a fresh browser context (no cookies, no storage), made with these options."""
    context = browser.new_context(**context_options)
    yield context.new_page()
    context.close()
