#!/usr/bin/env bash
# Proves that `workbench new` gives a working paper of each kind: scaffolds a classifier and a
# generic paper into a copy of this package, builds the copy, runs the new papers' tests (fixture,
# run, bit-identical resume), verifies their fixtures, makes a quick run of each (and an eval of the
# classifier), and checks that bad names and a directory outside the package are refused.
#
# Usage: scripts/test-scaffold.sh        (`make test-scaffold`; needs .build/release/workbench)
# The copy lives in .build/scaffold-test/package and is kept between runs, so that after the first
# run (a full build of the copy) only what changed is compiled again.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cli="$root/.build/release/workbench"
copy="$root/.build/scaffold-test/package"
name=ScaffoldCheck
id=scaffoldcheck
generic=GenericCheck
genericid=genericcheck
[ -x "$cli" ] || { echo "test-scaffold: build the CLI first (swift build -c release --product workbench)"; exit 1; }

step() { echo; echo "== test-scaffold: $*"; }
fail() { echo "test-scaffold: FAILED: $*"; exit 1; }

step "syncing the package into $copy"
# The package's files as git sees them (tracked, and untracked but not ignored), or everything but
# build output when this is not a git checkout. Unchanged files are left alone (the copy's build
# stays incremental); files gone from the package are removed from the copy, and with them the
# previous run's scaffolded paper.
list=$(mktemp)
trap 'rm -f "$list"' EXIT
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git -C "$root" ls-files --cached --others --exclude-standard | while read -r f; do [ -f "$f" ] && echo "$f"; done | sort -u > "$list"
else
  find . -type f -not -path './.build/*' -not -path './.git/*' -not -path './runs/*' -not -path './.venv/*' | sed 's|^\./||' | sort > "$list"
fi
mkdir -p "$copy"
while read -r f; do
  if ! cmp -s "$f" "$copy/$f"; then mkdir -p "$copy/$(dirname "$f")"; cp -p "$f" "$copy/$f"; fi
done < "$list"
(cd "$copy" && find . -type f -not -path './.build/*' -not -path './runs/*' | sed 's|^\./||' | sort) \
  | comm -23 - "$list" | while read -r f; do rm -f "$copy/$f"; done
(cd "$copy" && find Sources Tests papers -depth -type d -empty -delete)

step "workbench new $name"
(cd "$copy/Sources" && "$cli" new "$name" --title "Scaffold check — workbench new" --arxiv 1409.4842)
grep -q "\"$name\"," "$copy/Package.swift" || fail "Package.swift lacks \"$name\""
grep -q "^import $name\$" "$copy/Sources/WorkbenchCLI/Papers.swift" || fail "Papers.swift lacks import $name"
grep -q "${name}Experiment.self," "$copy/Sources/WorkbenchCLI/Papers.swift" || fail "Papers.swift lacks ${name}Experiment"

step "workbench new $generic --kind generic"
(cd "$copy" && "$cli" new "$generic" --kind generic --title "Generic scaffold check — workbench new")
grep -q "${generic}Experiment.self," "$copy/Sources/WorkbenchCLI/Papers.swift" || fail "Papers.swift lacks ${generic}Experiment"

step "refusals (each must fail with one message)"
refuse() {  # refuse EXPECTED-TEXT ARGS...: workbench new must exit non-zero and say EXPECTED-TEXT
  local expected=$1; shift
  local out status=0
  out=$("$cli" new "$@" 2>&1) || status=$?
  [ "$status" -ne 0 ] || fail "workbench new $* succeeded"
  grep -q "$expected" <<<"$out" || fail "workbench new $* said: $out"
  echo "  workbench new $*: $out"
}
(cd "$copy" && refuse "already" "$name")
(cd "$copy" && refuse "already" "${name,,}")
(cd "$copy" && refuse "already" Inception)
(cd "$copy" && refuse "not a valid paper name" 2fast)
(cd "$copy" && refuse "not a valid paper name" "my-paper")
(cd "$copy" && refuse "not an arXiv identifier" Other --arxiv abc)
(cd "$copy" && refuse "reserved" Self)
(cd "$copy" && refuse "kind" Other --kind detector)
(cd / && refuse "not inside the Workbench package" Other)

step "building the copy (release, with tests)"
log="$root/.build/scaffold-test/build.log"
if ! (cd "$copy" && swift build -c release --build-tests >"$log" 2>&1); then
  grep -E "error|warning" "$log" | head -40
  fail "the copy does not build (full log: $log)"
fi
grep -E "warning:" "$log" | grep -E "/($name|$generic)" && fail "a scaffolded paper compiles with warnings"

step "${name}Tests and ${generic}Tests"
(cd "$copy" && swift test -c release --skip-build --filter "${name}Tests|${generic}Tests")

step "workbench verify papers/$id/fixtures papers/$genericid/fixtures"
(cd "$copy" && .build/release/workbench verify "papers/$id/fixtures" "papers/$genericid/fixtures")

step "workbench run $id --preset quick"
runs=$(mktemp -d)
(cd "$copy" && .build/release/workbench run "$id" --preset quick --out "$runs")
run=$(ls -d "$runs/$id-quick-"*)
accuracy=$(grep -o '"test_accuracy" *: *[0-9.e-]*' "$run/summary.json" | grep -o '[0-9.e-]*$')
echo "  test accuracy $accuracy"
awk -v a="$accuracy" 'BEGIN { exit !(a > 0.5) }' || fail "quick run reached only $accuracy test accuracy"
(cd "$copy" && .build/release/workbench eval "$id" "$run" | grep "^test_accuracy")

step "workbench run $genericid --preset quick"
(cd "$copy" && .build/release/workbench run "$genericid" --preset quick --out "$runs")
run=$(ls -d "$runs/$genericid-quick-"*)
grep -q '"valid_loss"' "$run/summary.json" || fail "the generic quick run has no valid_loss in its summary"
rm -rf "$runs"
echo
echo "test-scaffold: passed"
