#!/bin/bash
# harness/scan.sh LOG: fails, listing them, on any lockdep, KASAN, kmemleak,
# BUG, WARNING, sleeping-in-atomic or panic report in a console log.
log=$1
pattern='WARNING:|BUG:|suspected memory leak|unreferenced object|Kernel panic|Oops|INFO: task .* blocked|DEBUG_LOCKS_WARN_ON|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|sleeping function called from invalid context|UBSAN:|general protection fault|------------\[ cut here \]'
if grep -nE "$pattern" "$log"; then
	echo "mka: splat scan: reports found in $log" >&2
	exit 1
fi
exit 0
