"""Write .ipynb copies of the book's notebook pages, for Colab and for download.

Colab opens notebooks from GitHub but cannot read MyST Markdown, so CI publishes these copies to
the `notebooks` branch (the Colab launch button points there). Each copy starts with a cell
that, on Colab only, fetches the repository so that `import otsbook` and the data work.

Usage: python scripts/export_notebooks.py OUTPUT_DIR
"""
from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat
from otsbook.book import ROOT, book_config, toc_files

COLAB_SETUP = """\
# On Google Colab only: fetch the book's repository so that its helper package and data load.
import sys
if "google.colab" in sys.modules:
    import subprocess
    subprocess.run(["git", "clone", "-q", "--depth", "1", "{repo}", "/content/ots-book"], check=False)
    sys.path.insert(0, "/content/ots-book")"""


def export(output: Path) -> list[Path]:
    repo = book_config()["repository"]["url"]
    written = []
    for name in toc_files():
        source = ROOT / f"{name}.md"
        if "```{code-cell}" not in source.read_text(encoding="utf-8"):
            continue
        notebook = jupytext.read(source)
        notebook.cells.insert(0, nbformat.v4.new_code_cell(COLAB_SETUP.format(repo=repo), metadata={"tags": ["colab-setup"]}))
        target = output / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        written.append(target)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for path in export(Path(sys.argv[1])):
        print(path)
