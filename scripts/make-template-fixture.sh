#!/usr/bin/env bash
# Writes templates/<kind>/papers/fixtures/model.safetensors for each kind of `workbench new`
# (classifier, generic): the fixture copied into a new paper (its id renamed), made by running the
# template's own reference script with PyTorch.
# Usage: scripts/make-template-fixture.sh [PYTHON]   (default .venv/bin/python; `make fixtures` runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-.venv/bin/python}
for kind in classifier generic; do
  # Inside the repository, so that the script finds Tests/Fixtures/fixturelib.py above it.
  mkdir -p .build
  tmp=$(mktemp -d -p .build template-fixture.XXXXXX)
  # The template's placeholders filled in for a paper called "template".
  for f in model.py make_fixtures.py; do
    sed -e "s|SCRIPT = \"papers/__paper__/reference/make_fixtures.py\"|SCRIPT = \"templates/$kind/papers/reference/make_fixtures.py\"|" \
        -e 's/__paper__/template/g; s/__Paper__/Template/g; s/__TITLE__/workbench new template/g' \
        "templates/$kind/papers/reference/$f" > "$tmp/$f"
  done
  "$python" "$tmp/make_fixtures.py" --out "templates/$kind/papers/fixtures"
  rm -rf "$tmp"
done
