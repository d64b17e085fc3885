"""When a release counts as published.

A release's `published_on` decides who may download it (released on or before a customer's
coverage end), so it must not move when the product team re-publishes the release to correct a
title, notes or a file: a customer whose coverage lapsed since would lose an installer they
already had. The first publish sets it; only an explicit date changes it later.
"""

from datetime import date

from shared import clock


def publication_date(requested: date | None, recorded: date | None) -> date:
    """An explicit date wins; else the date of the first publish; else today (business calendar)."""
    return requested or recorded or clock.today()
