"""Reading the built HTML book in tests: one place for what every chapter page must have."""
from __future__ import annotations

import re
from pathlib import Path


def read_page(site: Path, name: str) -> str:
    """The HTML of ``chapters/<name>.html`` of the built site."""
    path = site / "chapters" / f"{name}.html"
    assert path.exists(), f"{path} was not built"
    return path.read_text(encoding="utf-8")


def numbered_figures(page: str, id_prefix: str) -> dict[str, str]:
    """The ``<figure>`` blocks whose id starts with ``id_prefix`` (e.g. 'fig-energy-'), by id."""
    blocks = re.findall(rf'<figure[^>]*id="({re.escape(id_prefix)}[^"]*)"[^>]*>(.*?)</figure>', page, flags=re.S)
    return dict(blocks)


def assert_plotly_figure_with_caption_and_alt(figure: str, min_alt_length: int = 20) -> None:
    """A numbered figure that holds a plotly figure, a caption number and a real text alternative."""
    assert "plotly-graph-div" in figure and "Plotly.newPlot" in figure
    assert re.search(rf'class="ots-figure" role="figure" aria-label="[^"]{{{min_alt_length},}}"', figure), "alt text missing or too short"
    assert "<figcaption" in figure and re.search(r'<span class="caption-number">Fig\. \d+(\.\d+)?', figure)


def discussion_questions(page: str) -> list[str]:
    """The items of the page's 'Discussion questions' section."""
    section = re.search(r'<section id="discussion-questions">(.*?)</section>', page, flags=re.S)
    assert section, "no Discussion questions section"
    return re.findall(r"<li>(.*?)</li>", section.group(1), flags=re.S)


def citation_anchors(page: str) -> set[str]:
    """Anchors in the bibliography page that the page's citations link to."""
    return set(re.findall(r'href="bibliography\.html#([^"]+)"', page))
