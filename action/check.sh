#!/usr/bin/env bash
# The check step of action.yml: `dbsafe-hooks check --base <PR base>` as SARIF (for code scanning) and as
# GitHub annotations, outputs for later steps, and the job's verdict from the fail level.
# Inputs come as DBSAFE_INPUT_* (never interpolated into this script); GitHub sets GITHUB_*, RUNNER_TEMP.
set -uo pipefail

fail() { # a problem that stops the check: an error annotation, exit 2 (the tool could not do its job)
  echo "::error title=dbsafe-hooks::$1"
  echo "exit-code=2" >>"${GITHUB_OUTPUT:-/dev/null}"
  exit 2
}

level="${DBSAFE_INPUT_FAIL_LEVEL:-error}"
case "$level" in error | warn | none) ;; *) fail "fail-level must be error, warn or none (got \"$level\")" ;; esac

# the dbsafe-hooks the project installed (its version matches its config), else this action's own release
cli=()
dir="$PWD"
while :; do
  if [ -x "$dir/node_modules/.bin/dbsafe-hooks" ]; then cli=("$dir/node_modules/.bin/dbsafe-hooks"); break; fi
  if [ "$dir" = "${GITHUB_WORKSPACE:-/}" ] || [ "$dir" = / ]; then break; fi
  dir="$(dirname "$dir")"
done
if [ ${#cli[@]} -eq 0 ]; then
  version="$(node -p "require(process.argv[1]).version" "$DBSAFE_ACTION_PATH/package.json" 2>/dev/null)" || fail "node is needed (actions/setup-node)"
  cli=(npx --yes "dbsafe-hooks@$version")
fi

# what to compare with: the input, else the pull request's base branch (fetched when the checkout lacks it)
base="${DBSAFE_INPUT_BASE:-}"
if [ -z "$base" ]; then
  [ -n "${GITHUB_BASE_REF:-}" ] || fail "not a pull request (GITHUB_BASE_REF is empty): set the base input, e.g. base: origin/main"
  base="origin/$GITHUB_BASE_REF"
  if [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = true ]; then
    echo "::notice title=dbsafe-hooks::shallow checkout: fetching the history to find where the branch forked (fetch-depth: 0 avoids this)"
    git fetch --quiet --no-tags --unshallow origin || fail "could not fetch the history from origin"
  fi
  if ! git rev-parse --quiet --verify "$base^{commit}" >/dev/null; then
    git fetch --quiet --no-tags origin "+refs/heads/$GITHUB_BASE_REF:refs/remotes/origin/$GITHUB_BASE_REF" ||
      fail "could not fetch the base branch $GITHUB_BASE_REF from origin"
  fi
fi

args=(check --base "$base")
[ -n "${DBSAFE_INPUT_CONFIG:-}" ] && args+=(--config "$DBSAFE_INPUT_CONFIG")

sarif="${RUNNER_TEMP:-$(mktemp -d)}/dbsafe-hooks.sarif"
"${cli[@]}" "${args[@]}" --format sarif >"$sarif"
code=$?
# annotations on the changed lines (GitHub reads these workflow commands from the log)
"${cli[@]}" "${args[@]}" --format github

counts="$(node -e '
  const runs = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).runs ?? [];
  const results = runs.flatMap((run) => run.results ?? []).filter((r) => !(r.suppressions ?? []).length);
  const count = (level) => results.filter((r) => (r.level ?? "warning") === level).length;
  console.log(`${count("error")} ${count("warning")}`);
' "$sarif" 2>/dev/null)" || counts=""
read -r errors warnings <<<"${counts:-0 0}"
{
  echo "exit-code=$code"
  echo "errors=$errors"
  echo "warnings=$warnings"
  [ -s "$sarif" ] && [ -n "$counts" ] && echo "sarif-file=$sarif"
} >>"${GITHUB_OUTPUT:-/dev/null}"
[ -n "${GITHUB_STEP_SUMMARY:-}" ] &&
  echo "**dbsafe-hooks** (\`check --base $base\`): $errors error(s), $warnings warning(s)" >>"$GITHUB_STEP_SUMMARY"

if [ "$code" -ge 2 ] || [ -z "$counts" ]; then
  echo "::error title=dbsafe-hooks::the check could not run (exit code $code); see the messages above"
  exit 2
fi
case "$level" in
  error) [ "$code" -eq 0 ] || exit 1 ;;
  warn) [ "$code" -eq 0 ] && [ "$warnings" -eq 0 ] || exit 1 ;;
  none) ;;
esac
exit 0
