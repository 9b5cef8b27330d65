"""The page number a list was asked for, read once for every paginated view.

`?page=` comes from the address bar, so it may be anything: words, negative numbers,
"1e9", or a hundred digits (which, passed on as an OFFSET, overflows the database's
integers and answers 500). Every paginated view reads it through `page_number`, which
always gives a whole number from 1 to the last page (or to MAX_PAGE_NUMBER when the
view does not know its last page, as a search that only knows whether a next page
exists).
"""

import re

# Far past any real list (at 20 a page, 200,000 rows) and small enough that an OFFSET
# built from it fits every database's integers and stays a bounded amount of work.
MAX_PAGE_NUMBER = 10_000

_DIGITS = re.compile(r"\s*\+?([0-9]+)\s*")


def page_number(value: str | None, *, last: int | None = None) -> int:
    """`value` as a page number between 1 and `last` (or MAX_PAGE_NUMBER).

    Not a number (or missing, or below 1): the first page. Past the end: the last page.
    """
    ceiling = MAX_PAGE_NUMBER if last is None else max(1, min(last, MAX_PAGE_NUMBER))
    match = _DIGITS.fullmatch(value or "")
    if match is None:
        return 1
    digits = match.group(1).lstrip("0")
    if not digits:
        return 1
    # Compare lengths first: int() of thousands of digits is slow and, past Python's
    # limit, an error.
    if len(digits) > len(str(ceiling)):
        return ceiling
    return min(int(digits), ceiling)
