"""Where SECRET_KEY comes from when the environment does not give one, and which keys never count.

SECRET_KEY signs sessions, CSRF tokens and the badge service's OAuth tokens: whoever knows it can
mint a token for any client of any org. So a key written in the repository must never be in use,
and the zero-setup start on a laptop gets a random key of its own instead, kept in a file (mode
0600, git-ignored) so sessions and tokens survive restarts.

No Django import: settings.py loads this before Django is configured.
"""

import hashlib
import os
import secrets
from pathlib import Path

# SHA-256 of every SECRET_KEY ever committed to this repository (`git log -p console/settings.py`).
# Digests rather than the keys, so the tree offers nothing to copy; add any key that leaks.
COMMITTED_KEY_DIGESTS = frozenset(
    {
        # "dev-only-insecure-...-0123456789", the development default until issue 9.
        "5781f5fd41f6c2809ae25cd2575de4e333b0a8e8a1b929d6f8db52c48d87b9df",
    }
)

KEY_FILE_SUFFIX = ".secret-key"


class CommittedSecretKey(ValueError):
    """The key is one that was published in the repository."""


def is_committed(key: str) -> bool:
    return hashlib.sha256(key.encode()).hexdigest() in COMMITTED_KEY_DIGESTS


def default_key_file(base_dir: Path, database: dict) -> Path:
    """`<database file>.secret-key` beside a SQLite database, else `<project>/.secret-key-<name>`.

    One key per database: tokens name a client by its row id, so two databases served with one key
    would take each other's tokens for whichever of their clients has that id.
    """
    name = str(database.get("NAME") or "")
    if (
        database.get("ENGINE") == "django.db.backends.sqlite3"
        and name
        and not name.startswith((":memory:", "file:"))
    ):
        path = Path(name).resolve()
        return path.with_name(path.name + KEY_FILE_SUFFIX)
    label = "".join(
        character if character.isalnum() or character in "-_" else "_" for character in name
    )
    return base_dir / f"{KEY_FILE_SUFFIX}-{label or 'default'}"


def secret_key(environ: dict, key_file: Path) -> str:
    """SECRET_KEY from the environment, else from `key_file`, created with a random key if absent.

    Raises CommittedSecretKey when the key in use would be one from the repository.
    """
    key = environ.get("SECRET_KEY") or _read_or_create(key_file)
    if is_committed(key):
        raise CommittedSecretKey(
            "SECRET_KEY is a key published in this repository: anyone could sign sessions and OAuth "
            "tokens with it. Unset SECRET_KEY (a random key is kept in the key file) or set a new one."
        )
    return key


def _read_or_create(path: Path) -> str:
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole under a temporary name, then linked into place: server workers start together,
    # and none may read a half-written file or replace a key another worker already uses.
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won; use its key
    finally:
        temporary.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> str:
    key = path.read_text().strip()
    if not key:
        raise ValueError(f"The secret key file {path} is empty; delete it to have a new key made.")
    return key
