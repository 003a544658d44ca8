"""Materialised region paths: "/330106/330106001/" is a street under district 330106."""

from __future__ import annotations


def child_path(parent_path: str | None, code: str) -> str:
    """The path of region `code` under a parent (None for a top-level district)."""
    return f"{parent_path or '/'}{code}/"


def subtree_bounds(path: str) -> tuple[str, str]:
    """Half-open range [lo, hi) holding `path` and every path beneath it.

    Paths end in "/", and "0" follows "/" in the C collation, so the range is one index
    scan with no LIKE pattern (which a prepared statement cannot use an index for).
    """
    return path, path[:-1] + "0"


def codes_of(path: str) -> list[str]:
    """The codes from the top of the tree down to the region itself."""
    return [code for code in path.split("/") if code]
