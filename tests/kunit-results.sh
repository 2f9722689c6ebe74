#!/bin/bash
# tests/kunit-results.sh LOG: the KTAP in a console log, parsed by the base
# tree's kunit.py. Every case of the mdev_kvm_assoc suite must pass.
. "$(dirname "$0")/../harness/lib.sh"
log=$1
json=$(mktemp)
trap 'rm -f "$json"' EXIT
python3 "$TREE/tools/testing/kunit/kunit.py" parse --json="$json" "$log" || die "kunit.py parse reports failures"
python3 - "$json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
suites = {t["name"]: t for t in doc["sub_groups"]}
main = suites.get("mdev_kvm_assoc")
if main is None:
    sys.exit("suite mdev_kvm_assoc did not run")
cases = main["test_cases"]
bad = [c["name"] for c in cases if c["status"] != "PASS"]
print(f"mka: mdev_kvm_assoc: {len(cases)} cases, {len(cases) - len(bad)} passed")
if bad or not cases:
    sys.exit(f"not passed: {bad}")
PY
