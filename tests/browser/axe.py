"""axe-core's accessibility checks, run in the page (axe-playwright-python)."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

AXE = Axe()


def axe_report(page):
    """Every axe violation on the page, with the selectors of the failing elements."""
    # Patients open the answers that <details> hide, so axe checks them open.
    page.evaluate("document.querySelectorAll('details').forEach(details => details.open = true)")
    lines = []
    for violation in AXE.run(page).response["violations"]:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            # A target is a list of selectors, one more for each iframe or shadow root.
            selector = " >>> ".join(
                " ".join(part) if isinstance(part, list) else part for part in node["target"]
            )
            lines.append(f"  - {selector}: {' '.join(node['failureSummary'].split())}")
    return "\n".join(lines)


def assert_accessible(page):
    __tracebackhide__ = True
    expect(page.locator("h1"), "a page has exactly one h1").to_have_count(1)
    report = axe_report(page)
    assert not report, f"axe found violations on {page.url}:\n{report}"
