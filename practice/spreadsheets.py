"""CSV downloads that a spreadsheet opens safely."""

import csv

from django.http import HttpResponse

# Cells a spreadsheet would read as a formula; the leading quote makes them text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_download(filename, headings, rows):
    """A CSV attachment of `rows` (each a list of values) under `headings`."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The byte-order mark tells Excel the file is UTF-8, so "Núñez" stays "Núñez".
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(headings)
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
    return response
