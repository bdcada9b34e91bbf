"""schema.org JSON-LD built from the models, so search engines read what patients read.

Each function returns one node; a page puts its nodes into one `@graph`. Every URL is
absolute, on SITE_URL, so that the data says the same whichever host served the page.
The practice, its surgeons and the breadcrumbs are here; each app describes its own
pages in its own `structured_data.py`.
"""

from django.urls import reverse

from .public_urls import public_url

PRACTICE_ID = "/#practice"


def graph(nodes):
    return {"@context": "https://schema.org", "@graph": nodes} if nodes else None


def breadcrumb_list(path, breadcrumbs):
    trail = [("Home", reverse("practice:home")), *breadcrumbs[:-1], (breadcrumbs[-1][0], path)]
    return {
        "@type": "BreadcrumbList",
        "@id": public_url(f"{path}#breadcrumb"),
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": public_url(url)}
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
            "@id": public_url(location.get_absolute_url()),
            "name": f"{practice.name}, {location.name}",
            "address": postal_address(location),
            "telephone": location.phone or practice.phone,
            "openingHoursSpecification": opening_hours(location),
        }
        for location in locations
    ]
    clinic = {
        "@type": "MedicalClinic",
        "@id": public_url(PRACTICE_ID),
        "name": practice.name,
        "url": public_url(reverse("practice:home")),
        "description": practice.tagline,
        "telephone": practice.phone,
        "email": practice.email,
    }
    if departments:
        clinic["address"] = departments[0]["address"]
        clinic["department"] = departments
    return {key: value for key, value in clinic.items() if value}


def physician(surgeon):
    """The surgeon in full, as the home page and the profile describe them."""
    node = physician_reference(surgeon) | {
        "jobTitle": surgeon.role,
        "description": surgeon.biography_text,
        "knowsAbout": surgeon.specialty_list,
        "memberOf": [{"@type": "Organization", "name": name} for name in surgeon.affiliation_list],
        "parentOrganization": {"@id": public_url(PRACTICE_ID)},
    }
    if surgeon.credentials:
        node["hasCredential"] = {
            "@type": "EducationalOccupationalCredential",
            "name": surgeon.credentials,
        }
    if surgeon.photo:
        node["image"] = public_url(surgeon.photo.url)
    return {key: value for key, value in node.items() if value}


def physician_reference(surgeon):
    """The surgeon named, and linked to the profile that describes them in full, if public."""
    reference = {"@type": "Physician", "name": surgeon.name}
    if surgeon.is_published:
        url = public_url(surgeon.get_absolute_url())
        reference.update({"@id": f"{url}#physician", "url": url})
    return reference
