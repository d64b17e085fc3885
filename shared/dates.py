"""The calendar range business dates live in: purchases, warranties, contracts, releases.

`date.max` (9999-12-31) is a valid `date`, but coverage arithmetic adds days to it and raises
OverflowError — a 500 for what is a typo. No real purchase or contract falls outside these
bounds, and they leave millennia of headroom for any date arithmetic.
"""

from datetime import date
from typing import Annotated

from pydantic import Field

EARLIEST = date(1980, 1, 1)
LATEST = date(2099, 12, 31)
RANGE_MESSAGE = f"must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}"

BusinessDate = Annotated[date, Field(ge=EARLIEST, le=LATEST)]


def in_business_range(day: date) -> bool:
    return EARLIEST <= day <= LATEST
