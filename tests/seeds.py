"""The JSON examples of the original API pages, read straight from copies of the pages.

tests/fixtures/seeds/pages holds the seed pages as they were given to the project (shared/seeds),
so a clone of this repository replays them with nothing beside it.
"""

import json
from functools import cache
from pathlib import Path

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds" / "pages"


@cache
def seed_json_blocks(prefix: str) -> tuple[dict, ...]:
    """Every top-level JSON object in the seed page whose file name starts with `prefix`, in order."""
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    text = path.read_text(encoding="utf-8", errors="replace")
    decoder = json.JSONDecoder()
    blocks, position = [], 0
    while (start := text.find("{", position)) >= 0:
        try:
            block, position = decoder.raw_decode(text, start)
        except ValueError:
            position = start + 1
            continue
        blocks.append(block)
    return tuple(blocks)


def create_page_requests() -> list[dict]:
    return [block for block in seed_json_blocks("002") if "data" not in block]


def create_page_responses() -> list[dict]:
    return [block for block in seed_json_blocks("002") if "data" in block]
