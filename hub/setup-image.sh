#!/usr/bin/env bash
# Prepare a JupyterHub image for the book (run once, while the image is built; see hub/README.md).
#   hub/setup-image.sh [CLONE_DIR]
# CLONE_DIR is where nbgitpuller puts the repository in a user's home (default /home/jovyan/ots-book).
# PYTHON picks the image's Python (default python3); SKIP_PIP=1 skips the package install;
# SITE_PACKAGES and JUPYTER_PREFIX override where the path file and the JupyterLab setting go.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
clone="${1:-/home/jovyan/ots-book}"
python="${PYTHON:-python3}"
if [ -z "${SKIP_PIP:-}" ]; then
  "$python" -m pip install --no-cache-dir -r "$here/requirements.txt"
fi
# `import otsbook` finds the helper package (and its data/) in the pulled repository.
site="${SITE_PACKAGES:-$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')}"
echo "$clone" > "$site/ots-book.pth"
# JupyterLab opens the MyST Markdown chapters as notebooks (jupytext), as on Binder.
prefix="${JUPYTER_PREFIX:-$("$python" -c 'import sys; print(sys.prefix)')}"
mkdir -p "$prefix/share/jupyter/lab/settings"
cp "$here/../.binder/overrides.json" "$prefix/share/jupyter/lab/settings/overrides.json"
echo "Prepared: packages from hub/requirements.txt, $site/ots-book.pth -> $clone, JupyterLab settings in $prefix"
