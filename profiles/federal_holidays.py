"""US federal holidays by rule (the pinned ``holidays`` package), for dialing-profile blackouts.

A blackout names a holiday by its name in that package ("Thanksgiving Day", "Independence Day");
it applies every year on the holiday's date and on its observed date when that differs
("Independence Day (observed)" on Friday 3 July 2026): a day off is usually taken on the
observed date, and the actual date is a holiday too, so both are blacked out.
"""

from datetime import date
from functools import cache

import holidays

_OBSERVED = " (observed)"
# Years scanned for the names a blackout may use: every federal holiday occurs each year, and
# a holiday added by law (Juneteenth, 2021) appears from its first year.
_NAME_YEARS = range(2024, 2031)


def _canonical(name: str) -> str:
    return name.removesuffix(_OBSERVED)


@cache
def holiday_names() -> tuple[str, ...]:
    """Every federal holiday's name, sorted."""
    found = holidays.US(years=list(_NAME_YEARS))
    return tuple(sorted({_canonical(name) for name in found.values()}))


def holiday_name(value: str) -> str | None:
    """The package's spelling of a holiday name given in any case and spacing; None if no
    federal holiday is called that."""
    wanted = " ".join(value.split()).casefold()
    for name in holiday_names():
        if name.casefold() == wanted:
            return name
    return None


@cache
def holidays_on(year: int) -> dict[date, frozenset[str]]:
    """The federal holidays of one year: date -> the names (canonical, without "(observed)")
    that fall on it, actual and observed dates both."""
    days: dict[date, set[str]] = {}
    for day, names in holidays.US(years=year).items():
        # The package joins two holidays on one day with "; ".
        for name in names.split("; "):
            days.setdefault(day, set()).add(_canonical(name))
    return {day: frozenset(names) for day, names in days.items()}


def holiday_dates(name: str, year: int) -> list[date]:
    """The dates in ``year`` on which the named holiday (or its observance) falls."""
    return sorted(day for day, names in holidays_on(year).items() if name in names)
