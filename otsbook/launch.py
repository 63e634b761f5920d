"""Links that open a page of the book as a live notebook (Binder, a JupyterHub, a download).

The repository, branch and hub come from ``_config.yml``, so a lecturer who forks the book
changes them in one place.
"""
from __future__ import annotations

import html
from urllib.parse import quote, urlencode

from .book import book_config


def launch_links(path_in_repo: str) -> dict[str, str]:
    """Binder, JupyterHub (nbgitpuller) and download URLs for a file of the repository."""
    config = book_config()
    repo_url = config["repository"]["url"].rstrip("/")
    branch = config["repository"].get("branch", "main")
    owner_repo = repo_url.split("github.com/")[-1]
    buttons = config.get("launch_buttons", {})
    binder = buttons.get("binderhub_url", "https://mybinder.org").rstrip("/")
    hub = buttons.get("jupyterhub_url", "").rstrip("/")
    repo_name = owner_repo.split("/")[-1]
    links = {
        "Binder": f"{binder}/v2/gh/{owner_repo}/{branch}?urlpath={quote('lab/tree/' + path_in_repo, safe='')}",
        "Download": f"{repo_url}/raw/{branch}/{path_in_repo}",
    }
    if hub:
        pull = urlencode({"repo": repo_url, "branch": branch, "urlpath": f"lab/tree/{repo_name}/{path_in_repo}"})
        links["JupyterHub"] = f"{hub}/hub/user-redirect/git-pull?{pull}"
    return links


def launch_table(notebooks: dict[str, str]) -> str:
    """An HTML table: one row per notebook (label -> path in the repository) with its Binder,
    JupyterHub and download links, built from ``_config.yml`` (so a fork changes them in one place).

    HTML, not Markdown: each URL is percent-encoded once and HTML-escaped once (``&`` -> ``&amp;``
    in the attribute), whereas a Markdown link in a notebook output gets its ``&`` escaped twice."""
    kinds = ["Binder", "JupyterHub", "Download"]
    head = "".join(f"<th>{kind}</th>" for kind in ["Notebook", *kinds])
    rows = []
    for label, path in notebooks.items():
        links = launch_links(path)
        cells = "".join(
            f'<td><a href="{html.escape(links[kind], quote=True)}">{kind.lower() if kind == "Download" else kind}</a></td>'
            if kind in links else "<td>—</td>" for kind in kinds)
        rows.append(f"<tr><td>{html.escape(label)}</td>{cells}</tr>")
    return (f'<table class="table ots-launch-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")
