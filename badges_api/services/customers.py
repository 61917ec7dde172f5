"""Writes to the customer registry: the CSV import behind `manage.py import_customers` and
`POST /api_gateway/v1/badges/customers/import`.

The file is parsed with the csv module and validated in Python column by column: each check runs
over a whole column in C (`map`, `set`, `max`), and only a column that fails it is walked line by
line to name the bad lines. Then, inside one transaction (imports of one org run one at a time),
everything is set-based: one query reads the stored customers the file names, Python compares
them with the rows (new, changed, unchanged), one index probe per identifier value that changes
hands finds who holds it, and at most three statements per 50,000 rows write: a plain
`INSERT ... SELECT` for new customers, an upsert for customers whose identifiers change, and a
names-only upsert for renames. Rows travel as one JSON array parameter (json_each on SQLite,
jsonb_array_elements on PostgreSQL). Customers the file does not change are not written.

Rules (docs/API.md repeats them for the console's users):
- The header names columns case-insensitively, camelCase or snake_case: `id` (required; alias
  `customerId`), `email`, `mobile`, `externalId`, `cardNumber`, `firstName`, `lastName`. Other
  columns are ignored with a warning; a column named twice is read from its first occurrence.
- UTF-8, with or without a byte-order mark; `;` is the delimiter when the header line has a `;`
  and no `,` (a tab when it has only tabs); otherwise `,`. A quoted cell cannot span lines: a
  quote still open at the end of its line rejects that line, and the next lines are read anew.
- A new id is inserted; an existing id is updated with the cells that have a value. An empty cell
  (or a missing column) leaves the stored value unchanged, so an import never erases anything.
- Values are trimmed; emails are lower-cased and must look like `name@domain.tld`; mobiles keep
  their digits (6 to 15, an optional leading `+`, spaces, dashes, dots and brackets allowed).
- A rejected line is reported with its number and every reason, and the other lines still load:
  an id that is not a whole number from 1 to 2^63-1, a value too long for its column, a line with
  more non-empty cells than the header, an id already on an earlier line (the first one wins), an
  identifier already on an earlier line for another id (the first one wins), or an identifier
  another customer of the org holds. Holders are judged as the registry stood before the import,
  so moving an email from one customer to another takes two imports: one that gives the old
  holder a new email, then one that assigns the freed one.
- Blank lines, and lines whose cells are all empty, are skipped and not counted. A line with
  fewer cells than the header reads the missing ones as empty.
- Counts: `inserted` new ids; `updated` existing customers whose stored values changed (their
  lastUpdatedOn moves); `unchanged` existing customers the file repeats as they are.
"""

import csv
import gc
import io
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, islice, repeat
from operator import itemgetter

import orjson
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from badges_api import errors
from badges_api.errors import BadgeApiError
from badges_api.models import Org
from badges_api.selectors import customers as customer_selectors
from badges_api.selectors.customers import CARD_NUMBER, EMAIL, EXTERNAL_ID, ID, MOBILE
from badges_api.sql import is_postgres

FIRST_NAME = "firstName"
LAST_NAME = "lastName"
# Field order of a validated row, also the order of the SQL parameters.
FIELDS = (ID, EMAIL, MOBILE, EXTERNAL_ID, CARD_NUMBER, FIRST_NAME, LAST_NAME)
IDENTIFIERS = (EMAIL, MOBILE, EXTERNAL_ID, CARD_NUMBER)
MAX_NAME_LENGTH = 150

# Limits of the HTTP endpoint (its bytes: settings.BADGES_CUSTOMER_IMPORT_MAX_BYTES); the
# command reads files of any size and prints every rejected line.
MAX_IMPORT_ROWS = 500_000
MAX_REPORTED_LINES = 1000

_HEADER_NAMES = {
    "id": ID,
    "customerid": ID,
    "email": EMAIL,
    "mobile": MOBILE,
    "externalid": EXTERNAL_ID,
    "cardnumber": CARD_NUMBER,
    "firstname": FIRST_NAME,
    "lastname": LAST_NAME,
}
_HEADER_NOISE = str.maketrans("", "", "_- ")
_MAX_LENGTHS = {
    EXTERNAL_ID: customer_selectors.MAX_LENGTHS[EXTERNAL_ID],
    CARD_NUMBER: customer_selectors.MAX_LENGTHS[CARD_NUMBER],
    FIRST_NAME: MAX_NAME_LENGTH,
    LAST_NAME: MAX_NAME_LENGTH,
}
_MOBILE_SEPARATOR_BYTES = bytes(sorted(customer_selectors.MOBILE_SEPARATORS))
_CHUNK_ROWS = 50_000
_by_id = itemgetter(0)
_ONE_BLANK_LINE = ("\n",)
_UNCLOSED_QUOTE = (
    "a quoted cell runs past the end of the line (a closing quote is missing);"
    " cells cannot hold line breaks"
)
_LOCK_NAMESPACE = 0x0C05  # first key of the PostgreSQL advisory lock "customer import of org N"


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    message: str


@dataclass
class CustomerImportResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.errors)


def customer_import(*, org: Org, data: bytes, max_rows: int | None = None) -> CustomerImportResult:
    """Upsert the customers of a CSV file into `org`; bad lines are reported, not fatal.

    Raises BadgeApiError only when nothing can be imported: the bytes are not UTF-8 text, there
    is no header or no `id` column (400), or the file has more than `max_rows` rows (413).
    Counts: `inserted` new ids, `updated` existing customers the file changed, `unchanged`
    existing customers it did not change.
    """
    text = _decode(data)
    result = CustomerImportResult()
    with _no_cyclic_gc():
        header, records, lines = _parse(text, result)
        columns = _columns(header, result)
        rows, row_lines = _validate(
            records, lines, columns, len(header), result, max_rows=max_rows, has_nul="\x00" in text
        )
        del records
    try:
        with transaction.atomic(), _no_cyclic_gc():
            _lock(org)
            plan = _plan(org, rows, row_lines, result)
            _write(org, plan)
    except IntegrityError as error:
        # Imports of one org are serialised, so only another kind of writer can get here.
        raise BadgeApiError(
            errors.INVALID_INPUT,
            "The customers changed while the file was imported; nothing was imported."
            f" Run it again. ({error})",
            "file",
            status=409,
        ) from error
    result.inserted, result.updated, result.unchanged = plan.inserted, plan.updated, plan.unchanged
    result.errors.sort(key=lambda error: error.line)
    return result


@contextmanager
def _no_cyclic_gc():
    """Pause the cyclic garbage collector while hundreds of thousands of lists and tuples are
    made: none of them can form a cycle, yet the collector would walk them again and again
    (about a tenth of the parsing time). It resumes as it was on the way out."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- Reading --------------------------------------------------------------------------------


def _fatal(message: str, *, status: int = 400) -> BadgeApiError:
    code = errors.PAYLOAD_TOO_LARGE if status == 413 else errors.INVALID_INPUT
    return BadgeApiError(code, message, "file", status=status)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _fatal(
            f"The file is not UTF-8 text (byte {error.start + 1});"
            ' save it as "CSV UTF-8" and try again'
        ) from error


def _delimiter(header_line: str) -> str:
    if "," in header_line:
        return ","
    if ";" in header_line:
        return ";"
    if "\t" in header_line:
        return "\t"
    return ","


def _parse(
    text: str, result: CustomerImportResult
) -> tuple[list[str], list[list[str]], Sequence[int]]:
    """The header, every later record, and the line each record starts on."""
    header_line = next((line for line in text[:65536].splitlines() if line.strip()), "")
    delimiter = _delimiter(header_line)

    def reader_after_header():
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        return reader, header

    reader, header = reader_after_header()
    if header is None:
        raise _fatal("The file is empty: the first line must name the columns, with at least `id`")
    if '"' not in text:
        # Without quotes every record is one physical line, so line numbers need no bookkeeping.
        try:
            records = list(reader)
            return header, records, range(reader.line_num - len(records) + 1, reader.line_num + 1)
        except csv.Error:
            reader, header = reader_after_header()
    records, lines = _records(text, reader.line_num, delimiter, result)
    return header, records, lines


def _records(
    text: str, start: int, delimiter: str, result: CustomerImportResult
) -> tuple[list[list[str]], Sequence[int]]:
    """The records of the physical lines from index `start` on, each confined to its own line.

    No customer value holds a line break, so a quoted cell that runs past the end of its line is
    a missing closing quote: the csv module would silently swallow the following lines into the
    cell (up to the end of the file). Such a line is rejected with its number and every later
    line is read on its own. A blank line is read after the last: a quote left open on the last
    line swallows it, and so shows as a record spanning two lines like any other (the csv module
    ends such a file silently).

    A well-formed file is read in one pass in C: when the reader has consumed exactly one line
    per record, no record spanned lines and record i is line start + i + 1.
    """
    reader = csv.reader(
        chain(islice(io.StringIO(text, newline=""), start, None), _ONE_BLANK_LINE),
        delimiter=delimiter,
    )
    try:
        records = list(reader)
        if reader.line_num == len(records):
            records.pop()  # the added blank line
            return records, range(start + 1, start + 1 + len(records))
    except csv.Error:
        pass
    return _records_line_by_line(text, start, delimiter, result)


def _records_line_by_line(
    text: str, start: int, delimiter: str, result: CustomerImportResult
) -> tuple[list[list[str]], list[int]]:
    """_records() for a file with a refused line: each is reported and the next read anew."""
    physical = [*io.StringIO(text, newline=""), *_ONE_BLANK_LINE]
    end = len(physical) - 1  # the added blank line
    records: list[list[str]] = []
    lines: list[int] = []
    position = start
    while position < end:
        reader = csv.reader(
            map(physical.__getitem__, range(position, end + 1)), delimiter=delimiter
        )
        read = 0  # physical lines this reader has consumed before the current record
        try:
            for record in reader:
                if reader.line_num - read > 1:
                    result.errors.append(RowError(position + read + 1, _UNCLOSED_QUOTE))
                    break
                if position + read == end:
                    return records, lines
                records.append(record)
                lines.append(position + read + 1)
                read = reader.line_num
            else:
                return records, lines
        except csv.Error as error:
            result.errors.append(
                RowError(position + read + 1, f"the line cannot be read as CSV: {error}")
            )
        position += read + 1  # past the refused line; the lines after it are read again
    return records, lines


def _columns(header: list[str], result: CustomerImportResult) -> dict[str, int]:
    """Each known field's cell index; unknown and repeated columns become warnings."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _HEADER_NAMES.get(cell.strip().lower().translate(_HEADER_NOISE))
        if name is None:
            if cell.strip():
                result.warnings.append(f"Column {cell.strip()!r} is not known and was ignored")
        elif name in columns:
            result.warnings.append(
                f"Column {cell.strip()!r} appears twice; its first occurrence was read"
            )
        else:
            columns[name] = index
    if ID not in columns:
        raise _fatal(
            "The header has no `id` column"
            " (columns: id, email, mobile, externalId, cardNumber, firstName, lastName)"
        )
    return columns


# --- Validating, column by column -----------------------------------------------------------


class _Problems(dict):
    """Record index -> the reasons it is rejected, in column order."""

    def add(self, index: int, reason: str) -> None:
        self.setdefault(index, []).append(reason)


def _validate(
    records: list[list[str]],
    lines: Sequence[int],
    columns: dict[str, int],
    header_width: int,
    result: CustomerImportResult,
    *,
    max_rows: int | None,
    has_nul: bool,
) -> tuple[list[tuple], Sequence[int]]:
    """Accepted rows as (id, email, mobile, externalId, cardNumber, firstName, lastName) with ""
    for "leave the stored value as it is", and the line of each. Rejections go to result.errors.
    """
    problems = _Problems()
    blank: set[int] = set()
    _fit_to_header(records, header_width, problems)
    if has_nul:
        for index, record in enumerate(records):
            if any("\x00" in cell for cell in record):
                problems.add(index, "the line contains a NUL character")

    cells = list(zip(*records)) if records else [()] * header_width
    ids = _ids(cells[columns[ID]], records, problems, blank)
    if max_rows is not None and len(records) - len(blank) > max_rows:
        raise _fatal(
            f"The file has more than {max_rows:,} rows; split it into smaller files", status=413
        )

    def stripped(name: str) -> list[str] | None:
        return list(map(str.strip, cells[columns[name]])) if name in columns else None

    values = {
        EMAIL: _emails(stripped(EMAIL), problems),
        MOBILE: _mobiles(stripped(MOBILE), problems),
        **{
            name: _within_length(name, stripped(name), problems)
            for name in (EXTERNAL_ID, CARD_NUMBER, FIRST_NAME, LAST_NAME)
        },
    }
    rejected = problems.keys() | blank
    order = (
        [index for index in range(len(records)) if index not in rejected]
        if rejected
        else range(len(records))
    )
    _refuse_repeats(ids, values, order, lines, problems)

    result.errors.extend(
        RowError(lines[index], "; ".join(reasons)) for index, reasons in problems.items()
    )
    rows = list(
        zip(ids, *(values[name] if values[name] is not None else repeat("") for name in FIELDS[1:]))
    )
    rejected = problems.keys() | blank
    if not rejected:
        return rows, lines
    kept = [index for index in range(len(records)) if index not in rejected]
    return [rows[index] for index in kept], [lines[index] for index in kept]


def _fit_to_header(records: list[list[str]], width: int, problems: _Problems) -> None:
    """Make every record header-wide: pad short ones, refuse surplus non-empty cells."""
    if not records or set(map(len, records)) == {width}:
        return
    for index, record in enumerate(records):
        size = len(record)
        if size < width:
            record.extend(repeat("", width - size))
        elif size > width:
            if any(cell.strip() for cell in record[width:]):
                problems.add(index, f"the line has {size} cells but the header has {width}")
            del record[width:]


def _ids(
    column: Sequence[str], records: list[list[str]], problems: _Problems, blank: set[int]
) -> list[int | None]:
    raw = list(map(str.strip, column))
    if all(map(str.isdigit, raw)) and all(map(str.isascii, raw)):
        ids = list(map(int, raw))
        if not ids or (min(ids) >= 1 and max(ids) <= customer_selectors.MAX_CUSTOMER_ID):
            return ids
    ids = []
    for index, value in enumerate(raw):
        customer_id = customer_selectors.parse_customer_id(value)
        if customer_id is None:
            if value:
                problems.add(index, f"id {value!r} is not a whole number from 1 to 2^63-1")
            elif any(cell.strip() for cell in records[index]):
                problems.add(index, "id is missing")
            else:
                blank.add(index)
        ids.append(customer_id)
    return ids


def _emails(raw: list[str] | None, problems: _Problems) -> list[str] | None:
    if raw is None:
        return None
    emails = list(map(str.lower, raw))
    present = list(filter(None, emails))
    shape = customer_selectors.EMAIL_SHAPE.fullmatch
    if present and (
        max(map(len, present)) > customer_selectors.MAX_LENGTHS[EMAIL]
        or not all(map(shape, present))
    ):
        for index, value in enumerate(raw):
            if value and customer_selectors.normalise_email(value) is None:
                problems.add(index, f"email {value!r} is not an email address")
    return emails


def _mobiles(raw: list[str] | None, problems: _Problems) -> list[str] | None:
    if raw is None:
        return None
    digits = list(map(str.removeprefix, _without_separators(raw), repeat("+")))
    present = list(filter(None, digits))
    low, high = customer_selectors.MOBILE_DIGITS
    fine = (
        len(present) == sum(map(bool, raw))  # nothing made only of separators
        and all(map(str.isdigit, present))
        and all(map(str.isascii, present))
        and (not present or (min(map(len, present)) >= low and max(map(len, present)) <= high))
    )
    if not fine:
        for index, value in enumerate(raw):
            if value and customer_selectors.normalise_mobile(value) is None:
                problems.add(index, f"mobile {value!r} is not a phone number (6 to 15 digits)")
    return digits


def _without_separators(raw: list[str]) -> list[str]:
    """Each value without spaces, dashes, dots and brackets (selectors.normalise_mobile's rule).

    str.translate looks every character up in a dict; bytes.translate over the joined column
    is one table-driven pass, some twenty times faster, when the column is ASCII and one line.
    """
    joined = "\n".join(raw)
    if joined.isascii() and joined.count("\n") == len(raw) - 1:
        return joined.encode().translate(None, _MOBILE_SEPARATOR_BYTES).decode().split("\n")
    return list(map(str.translate, raw, repeat(customer_selectors.MOBILE_SEPARATORS)))


def _within_length(name: str, raw: list[str] | None, problems: _Problems) -> list[str] | None:
    if raw is None:
        return None
    limit = _MAX_LENGTHS[name]
    if raw and max(map(len, raw)) > limit:
        for index, value in enumerate(raw):
            if len(value) > limit:
                problems.add(index, f"{name} is longer than {limit} characters")
    return raw


def _refuse_repeats(
    ids: list,
    values: dict[str, list[str] | None],
    order: Sequence[int],
    lines: Sequence[int],
    problems: _Problems,
) -> None:
    """An id, or an identifier for another id, already on an earlier accepted line: refuse it."""
    identifiers = [(name, values[name]) for name in IDENTIFIERS if values[name] is not None]

    def unique(column: list) -> bool:
        picked = [column[index] for index in order] if len(order) != len(column) else column
        present = list(filter(None, picked))
        return len(set(present)) == len(present)

    if unique(ids) and all(unique(column) for _name, column in identifiers):
        return
    first_line_of_id: dict[int, int] = {}
    claimed: dict[str, dict] = {name: {} for name, _column in identifiers}  # value -> (line, id)
    for index in order:
        customer_id = ids[index]
        reasons = []
        earlier = first_line_of_id.get(customer_id)
        if earlier is not None:
            reasons.append(
                f"id {customer_id} is already on line {earlier}; only the first is imported"
            )
        for name, column in identifiers:
            value = column[index]
            holder = claimed[name].get(value) if value else None
            if holder is not None and holder[1] != customer_id:
                reasons.append(
                    f"{name} {value!r} is already on line {holder[0]} for id {holder[1]}"
                )
        if reasons:
            for reason in reasons:
                problems.add(index, reason)
            continue
        first_line_of_id[customer_id] = lines[index]
        for name, column in identifiers:
            if column[index]:
                claimed[name][column[index]] = (lines[index], customer_id)


# --- Writing, set-based -----------------------------------------------------------------------


def _lock(org: Org) -> None:
    """Serialise imports of one org. SQLite's BEGIN IMMEDIATE already holds the write lock."""
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, org.pk % 2147483647]
            )


@dataclass
class _Plan:
    """What the import writes: `inserts` (new customers) with a plain INSERT; `updates`
    (customers whose identifiers change) with an upsert that sets every column; `renames` (only
    a name changes) with one that leaves the identifier indexes alone. Unchanged customers are
    not written at all. Rows are in id order, so the (org, customer id) index grows at one end
    instead of at random pages."""

    inserts: list[tuple]
    updates: list[tuple]
    renames: list[tuple]
    inserted: int
    updated: int
    unchanged: int


def _plan(
    org: Org, rows: list[tuple], row_lines: Sequence[int], result: CustomerImportResult
) -> _Plan:
    """Compare the rows with the registry; refuse identifiers other customers hold.

    Two set-based steps: one query reads the stored customers by the rows' ids, which tells the
    new customers and what changes for the others (a re-sync of an unchanged file changes
    nothing), then one index probe per identifier value a customer does not hold yet finds who
    holds it: only such a value can collide. An org without customers skips both.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM badges_api_customer WHERE org_id = %s)", [org.pk]
        )
        if not rows or not cursor.fetchone()[0]:
            return _Plan(
                sorted(rows, key=_by_id), [], [], inserted=len(rows), updated=0, unchanged=0
            )
        new, changed, claims = _changes(cursor, org, rows)
        holders = {
            name: _holders(cursor, org, name, list(asks)) for name, asks in claims.items() if asks
        }

    conflicts: dict[int, list[str]] = {}  # row index -> reasons
    for name, held in holders.items():
        for value, holder in held.items():
            index = claims[name][value]
            if holder != rows[index][0]:
                conflicts.setdefault(index, []).append(
                    f"{name} {value!r} belongs to customer {holder}"
                )
    for index, reasons in conflicts.items():
        result.errors.append(RowError(row_lines[index], "; ".join(reasons)))

    new -= conflicts.keys()
    changed -= conflicts.keys()
    identifiers_change = (
        set().union(*(asks.values() for asks in claims.values())) - conflicts.keys()
    )
    return _Plan(
        inserts=sorted((rows[index] for index in new), key=_by_id),
        updates=sorted((rows[index] for index in changed & identifiers_change), key=_by_id),
        renames=sorted((rows[index] for index in changed - identifiers_change), key=_by_id),
        inserted=len(new),
        updated=len(changed),
        unchanged=len(rows) - len(conflicts) - len(new) - len(changed),
    )


def _changes(
    cursor, org: Org, rows: list[tuple]
) -> tuple[set[int], set[int], dict[str, dict[str, int]]]:
    """Row indexes with a new id; row indexes of existing customers the row changes; and per
    identifier filled in the file, {value: row index} for the values rows claim that their
    customer does not hold yet (the validation left each value on one row at most).

    The stored rows come back in one query by id and are compared here: cheaper than making
    the database pick every row's JSON apart again to compare it.
    """
    sql = _sql()
    cursor.execute(
        "SELECT customer_id, email, mobile, external_id, card_number, first_name, last_name"
        " FROM badges_api_customer WHERE org_id = %s"
        f" AND customer_id IN (SELECT {sql.integer(sql.flat_value)} FROM {sql.flat_source})",
        [org.pk, _json([row[0] for row in rows])],
    )
    stored = {before[0]: before for before in cursor.fetchall()}
    fields = list(zip(*rows))
    if not stored:  # only new customers: the claims are the columns themselves
        claims = {}
        for position, name in enumerate(IDENTIFIERS, start=1):
            claims[name] = dict(zip(fields[position], range(len(rows))))
            claims[name].pop("", None)
        return set(range(len(rows))), set(), claims
    new = {index for index, customer_id in enumerate(fields[0]) if customer_id not in stored}
    claims = {}
    for position, name in enumerate(IDENTIFIERS, start=1):
        column = fields[position]
        claims[name] = {column[index]: index for index in new if column[index]}
    changed: set[int] = set()
    for index, row in enumerate(rows):
        before = stored.get(row[0])
        if before is None or row == before:
            continue
        for position in range(1, 7):
            value = row[position]
            if value and value != before[position]:
                changed.add(index)
                if position <= 4:
                    claims[IDENTIFIERS[position - 1]][value] = index
    return new, changed, claims


def _holders(cursor, org: Org, name: str, values: list[str]) -> dict[str, int]:
    """{value: customer id} for those of `values` a customer of the org holds; one probe each."""
    column = customer_selectors.COLUMNS[name]
    sql = _sql()
    cursor.execute(
        f"SELECT c.{column}, c.customer_id FROM {sql.flat_source} {sql.join_in_order}"
        f" badges_api_customer AS c ON c.org_id = %s AND c.{column} = {sql.flat_value}",
        [_json(values), org.pk],
    )
    return dict(cursor.fetchall())


# --- The SQL each backend speaks ------------------------------------------------------------

_COLUMN_LIST = (
    "org_id, customer_id, email, mobile, external_id, card_number, first_name, last_name,"
    " created_on, last_updated_on"
)


@dataclass(frozen=True)
class _Dialect:
    """How a statement reads rows sent as one JSON array parameter: a JSON array of arrays
    (`rows_source`, each row's i-th field `field(i)`) or of scalars (`flat_source`/`flat_value`)."""

    rows_source: str
    field_template: str
    flat_source: str
    flat_value: str
    join_in_order: str  # a join whose left side (the JSON) drives the probes into the index
    integer_template: str

    def field(self, index: int) -> str:
        return self.field_template.format(index)

    def integer(self, expression: str) -> str:
        return self.integer_template.format(expression)


_SQLITE = _Dialect(
    rows_source="json_each(%s) AS j",
    field_template="json_extract(j.value, '$[{}]')",
    flat_source="json_each(%s) AS j",
    flat_value="j.value",
    join_in_order="CROSS JOIN",  # SQLite keeps the written order of a CROSS JOIN
    integer_template="{}",  # JSON numbers come out as integers already
)
_POSTGRES = _Dialect(
    rows_source="jsonb_array_elements(%s::jsonb) AS j(value)",
    field_template="(j.value ->> {})",
    flat_source="jsonb_array_elements_text(%s::jsonb) AS j(value)",
    flat_value="j.value",
    join_in_order="JOIN",
    integer_template="({})::bigint",
)


def _sql() -> _Dialect:
    return _POSTGRES if is_postgres() else _SQLITE


def _json(values: list) -> str:
    return orjson.dumps(values).decode()


# An empty cell arrives as "": NULL for an identifier (absent on insert, kept on update), "" for
# a name on insert and the stored name on update. The customer id is the only conflict left.
_SET_NAMES = """
    first_name = coalesce(nullif(excluded.first_name, ''), c.first_name),
    last_name = coalesce(nullif(excluded.last_name, ''), c.last_name),
    last_updated_on = excluded.last_updated_on"""
_SET_ALL = (
    """
    email = coalesce(excluded.email, c.email),
    mobile = coalesce(excluded.mobile, c.mobile),
    external_id = coalesce(excluded.external_id, c.external_id),
    card_number = coalesce(excluded.card_number, c.card_number),"""
    + _SET_NAMES
)


def _insert_sql(sql: _Dialect) -> str:
    """Rows of new customers. The plan saw none of these ids inside this transaction, and
    imports of an org run one at a time, so a plain INSERT suffices (no upsert bookkeeping)."""
    f = sql.field
    return f"""
INSERT INTO badges_api_customer AS c ({_COLUMN_LIST})
SELECT %s, {sql.integer(f(0))}, nullif({f(1)}, ''), nullif({f(2)}, ''), nullif({f(3)}, ''),
       nullif({f(4)}, ''), {f(5)}, {f(6)}, %s, %s
FROM {sql.rows_source} WHERE true"""


def _update_sql(sql: _Dialect) -> str:
    """Rows of existing customers whose identifiers change: the insert never happens."""
    return _insert_sql(sql) + f"\nON CONFLICT (org_id, customer_id) DO UPDATE SET {_SET_ALL}"


def _rename_sql(sql: _Dialect) -> str:
    """Rows (id, firstName, lastName) of customers that exist: the plan read them inside this
    transaction, so the insert never happens and the update touches no identifier index.
    (An UPDATE ... FROM json_each would make SQLite rescan the JSON for every row.)"""
    f = sql.field
    return f"""
INSERT INTO badges_api_customer AS c ({_COLUMN_LIST})
SELECT %s, {sql.integer(f(0))}, NULL, NULL, NULL, NULL, {f(1)}, {f(2)}, %s, %s
FROM {sql.rows_source} WHERE true
ON CONFLICT (org_id, customer_id) DO UPDATE SET {_SET_NAMES}"""


def _write(org: Org, plan: _Plan) -> None:
    """One statement per chunk of rows; the checks before leave no row that can collide with
    another customer's email, mobile, externalId or cardNumber."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = _sql()
    statements = (
        (_insert_sql(sql), plan.inserts),
        (_update_sql(sql), plan.updates),
        (_rename_sql(sql), [(row[0], row[5], row[6]) for row in plan.renames]),
    )
    with connection.cursor() as cursor:
        for statement, rows in statements:
            for start in range(0, len(rows), _CHUNK_ROWS):
                cursor.execute(
                    statement, [org.pk, now, now, _json(rows[start : start + _CHUNK_ROWS])]
                )
