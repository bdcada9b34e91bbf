"""schema.org JSON-LD for a condition page (see practice/structured_data.py)."""

from practice.public_urls import public_url
from practice.structured_data import PRACTICE_ID, physician_reference


def medical_web_page(condition, description):
    url = public_url(condition.get_absolute_url())
    condition_node = {
        "@type": "MedicalCondition",
        "name": condition.title,
        "url": url,
        "description": condition.summary,
    }
    if condition.other_names:
        condition_node["alternateName"] = condition.other_names
    page = {
        "@type": "MedicalWebPage",
        "@id": f"{url}#webpage",
        "url": url,
        "name": condition.title,
        "description": description,
        "inLanguage": "en",
        "about": condition_node,
        "dateModified": condition.modified_at.isoformat(),
        "publisher": {"@id": public_url(PRACTICE_ID)},
        "breadcrumb": {"@id": f"{url}#breadcrumb"},
    }
    if condition.reviewed_by:
        page["reviewedBy"] = physician_reference(condition.reviewed_by)
    if condition.last_reviewed_on:
        page["lastReviewed"] = condition.last_reviewed_on.isoformat()
    return page
