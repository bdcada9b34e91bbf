"""schema.org JSON-LD for questions and answers (see practice/structured_data.py)."""

from practice.public_urls import public_url


def faq_page(path, questions):
    return {
        "@type": "FAQPage",
        "@id": public_url(f"{path}#faq"),
        "mainEntity": [
            {
                "@type": "Question",
                "name": question.question,
                "acceptedAnswer": {"@type": "Answer", "text": question.answer_text},
            }
            for question in questions
        ],
    }
