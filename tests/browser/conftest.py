"""A real browser for the tests in this folder: one Chromium per test module, and a fresh
page (its own cookies and storage) for each test, on a phone's screen or a desktop's."""

import os
import shutil

import pytest

from tests.support.browser import DESKTOP, PHONE, browser_page, chromium
from tests.support.environment import require


@pytest.fixture(scope="session")
def chromium_path():
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    require(path, "Chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def browser(chromium_path):
    with chromium(chromium_path) as browser:
        yield browser


@pytest.fixture
def phone_page(browser):
    """A Chromium page the size of a small phone (360 px wide)."""
    with browser_page(browser, **PHONE) as page:
        yield page


@pytest.fixture
def phone_page_without_javascript(browser):
    """A phone-sized Chromium page with JavaScript turned off, as some patients have it."""
    with browser_page(browser, java_script_enabled=False, **PHONE) as page:
        yield page


@pytest.fixture
def desktop_page(browser):
    """A Chromium page the size of an office desktop screen (1280 × 800)."""
    with browser_page(browser, **DESKTOP) as page:
        yield page
