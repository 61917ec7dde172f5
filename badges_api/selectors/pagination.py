"""Capillary's paging: 0-based `page`, a page size, and a `pagination` block in the answer."""

from dataclasses import dataclass

from badges_api import errors
from badges_api.errors import ErrorCollector

MAX_PAGE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class Page:
    page: int
    size: int

    @property
    def offset(self) -> int:
        return self.page * self.size

    def block(self, total: int) -> dict:
        return {"page": self.page, "size": self.size, "total": total, "totalPages": -(-total // self.size)}


def _whole(raw: str | None, name: str, default: int, minimum: int, errs: ErrorCollector) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        errs.add(errors.INVALID_INPUT, f"{name} must be a whole number", name)
        return default
    if value < minimum:
        errs.add(errors.INVALID_INPUT, f"{name} must be at least {minimum}", name)
        return default
    return value


def page_from_query(query, errs: ErrorCollector, *, size_names=("limit", "size"), default_size: int = 10) -> Page:
    raw_size = next((query.get(name) for name in size_names if query.get(name) not in (None, "")), None)
    size = _whole(raw_size, size_names[0], default_size, 1, errs)
    if size > MAX_PAGE_SIZE:
        errs.add(errors.INVALID_INPUT, f"{size_names[0]} must be at most {MAX_PAGE_SIZE}", size_names[0])
        size = MAX_PAGE_SIZE
    return Page(page=_whole(query.get("page"), "page", 0, 0, errs), size=size)
