"""Facts about the book itself, read from its configuration files (one place for tools and tests)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def book_config() -> dict:
    """The parsed ``_config.yml``."""
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def toc_files(root: Path | None = None) -> list[str]:
    """Every page of ``_toc.yml`` (root first), as paths without suffix, in reading order."""
    toc = yaml.safe_load(((root or ROOT) / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    walk(toc.get("chapters"))
    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    return [Path(name).with_suffix("").as_posix() for name in files]


def toc_pages(root: Path | None = None) -> list[str]:
    """The same pages as paths of the built site (``chapters/intro.html``)."""
    return [f"{name}.html" for name in toc_files(root)]
