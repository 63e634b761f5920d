"""otsbook: the helper package of the OTS course book.

``load(name)`` reads a table of ``data/`` (validated, typed); ``otsbook.domain`` holds the
book's conventions (dates, state names, membership in a year); ``otsbook.plotting`` the book's
colours, style and alt text; ``otsbook.exercises`` the exercise declarations and widgets.
Importing the package also sets the book's plotly template and renderer.
"""
from .plotting import use_book_style, with_alt

use_book_style()

from .data import DataError, load, load_all  # noqa: E402
from . import domain  # noqa: E402

__all__ = ["load", "load_all", "DataError", "with_alt", "domain"]
