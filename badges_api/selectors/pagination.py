"""Capillary's paging: 0-based `page`, a page size, and a `pagination` block in the answer.

Every list of the API reads its paging here, so every list has the same caps (docs/API.md,
"Paging"): a size from 1 to MAX_PAGE_SIZE and a page from 0 to MAX_PAGE, else a 400 naming the
parameter. With both capped, the row offset stays below 2^42: it fits every database's OFFSET
and every JSON reader, where a page of 2^63 once overflowed PostgreSQL's bigint and a page of
10^20 orjson. A page past the last one, within the cap, is an empty page with the true totals.
"""

from dataclasses import dataclass

from badges_api.errors import ErrorCollector
from badges_api.inputs import MAX_COUNT, read_whole_number

MAX_PAGE_SIZE = 1000
# Refused rather than clamped: a client asking for page 3,000,000,000 has a bug, and answering
# another page than the one asked for would hide it.
MAX_PAGE = MAX_COUNT


@dataclass(frozen=True, slots=True)
class Page:
    page: int
    size: int

    @property
    def offset(self) -> int:
        return self.page * self.size

    def block(self, total: int) -> dict:
        return {
            "page": self.page,
            "size": self.size,
            "total": total,
            "totalPages": -(-total // self.size),
        }


def _read(
    raw: str | None, name: str, default: int, minimum: int, maximum: int, errs: ErrorCollector
) -> int:
    if raw is None or raw == "":
        return default
    value = read_whole_number(raw, name, errs, minimum=minimum, maximum=maximum)
    return default if value is None else value


def page_from_query(
    query, errs: ErrorCollector, *, size_names=("limit", "size"), default_size: int = 10
) -> Page:
    """The page a list's query asks for; each bad parameter is added to errs (400) by its name."""
    size_name, raw_size = next(
        ((name, query.get(name)) for name in size_names if query.get(name) not in (None, "")),
        (size_names[0], None),
    )
    size = _read(raw_size, size_name, default_size, 1, MAX_PAGE_SIZE, errs)
    return Page(page=_read(query.get("page"), "page", 0, 0, MAX_PAGE, errs), size=size)
