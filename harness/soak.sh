#!/bin/bash
# make soak [ROUNDS=N]: the race scenarios with N rounds per thread (8
# threads, each sample), counting attach/detach cycles; fails below
# 100000 cycles or on any splat.
. "$(dirname "$0")/lib.sh"
rounds=${ROUNDS:-20000}
log=$OUT/soak.log
t0=$SECONDS
say "soak: $rounds rounds per thread; console in $log"
BOOT_TIMEOUT=${BOOT_TIMEOUT:-10800} "$TOP/harness/boot.sh" \
	"$OUT/build/test-x86_64" "$OUT/initramfs.cpio.gz" "$log" mka.rounds="$rounds" $SAMPLE_POLICIES
grep -E '^mka-e2e: .*race' "$log" || true
cycles=$(grep -oE 'ok: [0-9]+ attach/detach cycles' "$log" | awk '{s += $2} END {print s + 0}')
say "soak: $cycles attach/detach cycles in $((SECONDS - t0)) s"
"$TOP/harness/scan.sh" "$log" || die "soak: splats"
grep -qE '^mka-e2e: [1-9][0-9]* passed, 0 failed' "$log" || die "soak: scenarios failed"
grep -q "ALL GUEST CHECKS PASSED" "$log" || die "soak: guest checks failed"
[ "$cycles" -ge 100000 ] || die "soak: only $cycles cycles, want at least 100000"
say "soak: passed"
