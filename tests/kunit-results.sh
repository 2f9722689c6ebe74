#!/bin/bash
# tests/kunit-results.sh LOG SUITE [SKIPPABLE_CASE...]: SUITE's KTAP in a
# console log, parsed by the base tree's kunit.py; every case must pass,
# except that the cases named may skip. Built-in suites are read from the
# boot, before init starts; a module's suite from what the guest printed
# of its debugfs results, between "mka-ktap-begin/end SUITE".
. "$(dirname "$0")/../harness/lib.sh"
log=$1 suite=$2; shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if grep -q "^mka-ktap-begin $suite\$" "$log"; then
	sed -n "/^mka-ktap-begin $suite\$/,/^mka-ktap-end $suite\$/p" "$log" |
		sed '1d;$d' > "$tmp/ktap"
else
	sed '/^mka-guest: /,$d' "$log" > "$tmp/ktap"
fi
python3 "$TREE/tools/testing/kunit/kunit.py" parse --json="$tmp/json" "$tmp/ktap" > "$tmp/out" ||
	{ cat "$tmp/out"; die "kunit.py parse reports failures"; }
python3 - "$tmp/json" "$suite" "$@" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
name, skippable = sys.argv[2], sys.argv[3:]
suites = {t["name"]: t for t in doc["sub_groups"]}
suite = suites.get(name)
if suite is None:
    sys.exit(f"suite {name} did not run")
cases = suite["test_cases"]
ok = [c["name"] for c in cases if c["status"] == "PASS" or
      (c["status"] == "SKIP" and c["name"] in skippable)]
bad = [f'{c["name"]} ({c["status"]})' for c in cases if c["name"] not in ok]
skipped = [c["name"] for c in cases if c["status"] == "SKIP"]
print(f"mka: {name}: {len(cases)} cases, {len(cases) - len(bad)} passed"
      + (f" (skipped here: {', '.join(skipped)})" if skipped else ""))
if bad or not cases:
    sys.exit(f"not passed: {bad}")
PY
