#!/usr/bin/env bash
# Writes templates/paper/papers/fixtures/model.safetensors, the fixture that `workbench new` copies
# into a new paper (its id renamed), by running the template's own reference script with PyTorch.
# Usage: scripts/make-template-fixture.sh [PYTHON]   (default .venv/bin/python; `make fixtures` runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-.venv/bin/python}
# Inside the repository, so that the script finds Tests/Fixtures/fixturelib.py above it.
mkdir -p .build
tmp=$(mktemp -d -p .build template-fixture.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# The template's placeholders filled in for a paper called "template".
for f in model.py make_fixtures.py; do
  sed -e 's|SCRIPT = "papers/__paper__/reference/make_fixtures.py"|SCRIPT = "templates/paper/papers/reference/make_fixtures.py"|' \
      -e 's/__paper__/template/g; s/__Paper__/Template/g; s/__TITLE__/workbench new template/g' \
      "templates/paper/papers/reference/$f" > "$tmp/$f"
done
"$python" "$tmp/make_fixtures.py" --out templates/paper/papers/fixtures
