"""otsbook: the helper package of the OTS course book.

``load(name)`` reads a table of ``data/`` (validated, typed); ``otsbook.charts`` draws the
book's figures in one style; ``otsbook.exercises`` checks the exercises. Importing the package
also sets the book's plotly template and renderer.
"""
from .plotting import use_book_style, with_alt

use_book_style()

from .data import DataError, load, load_all

__all__ = ["load", "load_all", "DataError", "with_alt"]
