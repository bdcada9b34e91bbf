"""schema.org JSON-LD built from the models, so search engines read what patients read.

Each function returns one node; a page puts its nodes into one `@graph`. Every URL is
absolute, on SITE_URL, so that the data says the same whichever host served the page.
"""

from django.conf import settings
from django.urls import reverse

from .richtext import plain_text

PRACTICE_ID = "/#practice"


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def graph(nodes):
    return {"@context": "https://schema.org", "@graph": nodes} if nodes else None


def breadcrumb_list(path, breadcrumbs):
    trail = [("Home", reverse("practice:home")), *breadcrumbs[:-1], (breadcrumbs[-1][0], path)]
    return {
        "@type": "BreadcrumbList",
        "@id": absolute(f"{path}#breadcrumb"),
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": absolute(url)}
            for position, (name, url) in enumerate(trail, start=1)
        ],
    }


def postal_address(location):
    address = {
        "@type": "PostalAddress",
        "streetAddress": location.street_address,
        "addressLocality": location.locality,
        "addressRegion": location.region,
        "postalCode": location.postal_code,
        "addressCountry": location.country,
    }
    return {key: value for key, value in address.items() if value}


def opening_hours(location):
    return [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": f"https://schema.org/{period.get_weekday_display()}",
            "opens": period.opens.strftime("%H:%M"),
            "closes": period.closes.strftime("%H:%M"),
        }
        for period in location.opening_hours.all()
    ]


def medical_clinic(practice, locations):
    """The practice, with each of its locations as a department that has its own hours."""
    departments = [
        {
            "@type": "MedicalClinic",
            "@id": absolute(location.get_absolute_url()),
            "name": f"{practice.name}, {location.name}",
            "address": postal_address(location),
            "telephone": location.phone or practice.phone,
            "openingHoursSpecification": opening_hours(location),
        }
        for location in locations
    ]
    clinic = {
        "@type": "MedicalClinic",
        "@id": absolute(PRACTICE_ID),
        "name": practice.name,
        "url": absolute(reverse("practice:home")),
        "description": practice.tagline,
        "telephone": practice.phone,
        "email": practice.email,
    }
    if departments:
        clinic["address"] = departments[0]["address"]
        clinic["department"] = departments
    return {key: value for key, value in clinic.items() if value}


def physician(surgeon):
    node = {
        "@type": "Physician",
        "@id": absolute(f"{surgeon.get_absolute_url()}#physician"),
        "name": surgeon.name,
        "url": absolute(surgeon.get_absolute_url()),
        "jobTitle": surgeon.role,
        "description": plain_text(surgeon.biography),
        "knowsAbout": surgeon.specialty_list,
        "memberOf": [{"@type": "Organization", "name": name} for name in surgeon.affiliation_list],
        "parentOrganization": {"@id": absolute(PRACTICE_ID)},
    }
    if surgeon.credentials:
        node["hasCredential"] = {
            "@type": "EducationalOccupationalCredential",
            "name": surgeon.credentials,
        }
    if surgeon.photo:
        node["image"] = absolute(surgeon.photo.url)
    return {key: value for key, value in node.items() if value}


def medical_web_page(condition, description):
    url = absolute(condition.get_absolute_url())
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
        "publisher": {"@id": absolute(PRACTICE_ID)},
        "breadcrumb": {"@id": f"{url}#breadcrumb"},
    }
    if reviewer := condition.reviewed_by:
        page["reviewedBy"] = (
            physician(reviewer)
            if reviewer.is_published
            else {
                "@type": "Physician",
                "name": reviewer.name,
            }
        )
    if condition.last_reviewed_on:
        page["lastReviewed"] = condition.last_reviewed_on.isoformat()
    return page


def faq_page(path, questions):
    return {
        "@type": "FAQPage",
        "@id": absolute(f"{path}#faq"),
        "mainEntity": [
            {
                "@type": "Question",
                "name": question.question,
                "acceptedAnswer": {"@type": "Answer", "text": plain_text(question.answer)},
            }
            for question in questions
        ],
    }
