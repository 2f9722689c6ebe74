#!/bin/bash
# tests/selftest-results.sh LOG NAME [SKIPPABLE_CASE...]: the TAP of the
# kselftest NAME that the guest printed between "mka-ktap-begin/end NAME",
# parsed by the base tree's kunit.py: it must have run to its "# Totals:"
# line, and every case must pass, except that the cases named may skip
# (each with its reason). Cases are named as kselftest_harness names them,
# FIXTURE.TEST.
# MUST_FAIL="CASE..." (the negative boots): those cases must fail, and their
# failing lines are shown; the other cases are not judged.
. "$(dirname "$0")/../harness/lib.sh"
log=$1 name=$2; shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -q "^mka-ktap-begin $name\$" "$log" || die "$name did not run (no TAP in $log)"
sed -n "/^mka-ktap-begin $name\$/,/^mka-ktap-end $name\$/p" "$log" |
	sed '1d;$d' > "$tmp/tap"
totals=$(grep -m1 '^# Totals: ' "$tmp/tap") ||
	{ tail -n 20 "$tmp/tap"; die "$name did not finish: no '# Totals:' line"; }
if ! python3 "$TREE/tools/testing/kunit/kunit.py" parse --json="$tmp/json" \
	"$tmp/tap" > "$tmp/out" && [ -z "${MUST_FAIL:-}" ]; then
	cat "$tmp/out"
	die "kunit.py parse reports failures"
fi
[ -s "$tmp/json" ] || { cat "$tmp/out"; die "kunit.py parse wrote no results"; }
python3 - "$tmp/json" "$tmp/tap" "$name" "${MUST_FAIL:-}" "$@" <<'PY'
import json, re, sys
doc = json.load(open(sys.argv[1]))
tap = open(sys.argv[2]).read().splitlines()
name, must_fail, skippable = sys.argv[3], sys.argv[4].split(), sys.argv[5:]
cases = doc["test_cases"] + [c for g in doc["sub_groups"] for c in g["test_cases"]]
status = {c["name"]: c["status"] for c in cases}
reasons = {}
for line in tap:
    m = re.match(r"ok \d+ (\S+) # SKIP (.*)", line)
    if m:
        reasons[m.group(1)] = m.group(2)

def failing_lines(case):
    """the harness's lines of a case's failed expectations"""
    out, inside = [], False
    for line in tap:
        if re.match(r"#\s+RUN\s+%s \.\.\.$" % re.escape(case), line):
            inside = True
        elif inside and re.match(r"(not )?ok \d+ %s\b" % re.escape(case), line):
            break
        elif inside and re.match(r"# .*:\d+:%s:" % re.escape(case.split(".")[-1]), line):
            out.append(line)
    return out

if not cases:
    sys.exit(f"{name}: no cases in its TAP")
for case, why in reasons.items():
    print(f"mka: {name}: {case} skipped: {why}")
if must_fail:
    bad = []
    for case in must_fail:
        st = status.get(case, "did not run")
        print(f"mka: {name}: {case}: {st}")
        for line in failing_lines(case):
            print(f"mka:   {line}")
        if st != "FAIL":
            bad.append(f"{case} ({st})")
    if bad:
        sys.exit(f"{name}: these cases should have failed: {', '.join(bad)}")
    sys.exit(0)
ok = [c for c, st in status.items()
      if st == "PASS" or (st == "SKIP" and c in skippable)]
bad = [f"{c} ({st})" for c, st in status.items() if c not in ok]
for c, st in status.items():
    if st == "FAIL":
        for line in failing_lines(c):
            print(f"mka:   {line}")
skipped = [c for c, st in status.items() if st == "SKIP"]
passed = sum(st == "PASS" for st in status.values())
print(f"mka: {name}: {len(cases)} cases, {passed} passed, {len(skipped)} skipped"
      + (f" ({', '.join(skipped)})" if skipped else ""))
if bad:
    sys.exit(f"not passed: {bad}")
PY
say "$name: $totals"
