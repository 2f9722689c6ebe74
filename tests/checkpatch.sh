#!/bin/bash
# checkpatch.pl --strict on every patch (the stable backports too) and
# every new file; each patch's trailers in one block, as git
# interpret-trailers and b4 read them.
. "$(dirname "$0")/../harness/lib.sh"
# The tarball has no git history, so the Fixes: ids cannot be looked up.
cp=(perl "$TREE/scripts/checkpatch.pl" --strict --no-tree --show-types --color=never
    --ignore UNKNOWN_COMMIT_ID)
bad=0
for p in $(awk '!/^#/ && NF {print $1}' "$TOP/patches/series") \
	 $(awk '!/^#/ && NF {print "test/" $1}' "$TOP/patches/test/series") \
	 $(cd "$TOP/patches" && ls fixes/"$STABLE_LINE"/*.patch 2>/dev/null); do
	"${cp[@]}" -q "$TOP/patches/$p" || bad=1
	# one trailer block: git sees every Fixes:, Cc:, Link: and Signed-off-by:
	msg=$(sed '/^---$/q' "$TOP/patches/$p")
	for t in Fixes Cc Link Signed-off-by; do
		want=$(grep -c "^$t: " <<< "$msg" || true)
		got=$(git interpret-trailers --parse <<< "$msg" | grep -c "^$t: " || true)
		[ "$want" = "$got" ] ||
			{ echo "mka: $p: $t: $want in the message, $got in its trailers"; bad=1; }
	done
done
for f in $(cd "$TOP" && git ls-files -co --exclude-standard -- include lib drivers samples Documentation tools); do
	case "$f" in *.kunitconfig) continue ;; esac
	"${cp[@]}" -q -f "$TOP/$f" || bad=1
done
[ $bad -eq 0 ] || die "checkpatch reports problems"
say "checkpatch --strict clean"
