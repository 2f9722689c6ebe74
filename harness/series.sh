#!/bin/bash
# make series: the mails, made by committing each patch of patches/series
# (and the new files it adds) on top of the base, then git format-patch:
# - out/fixes/TREE/: the fixes of each tree that takes them
#   (patches/fixes/TREE/), each series on the base alone, with its cover
#   letter (patches/fixes/TREE/cover-letter.txt);
# - out/series/: the feature series, on the base with the fixes as
#   prerequisites, with patches/cover-letter.txt.
# Every mail checkpatch --strict clean. Then checks that the tree builds
# after each patch (x86_64 test kernel with its modules, and s390 modules);
# BISECT=0 skips the builds. make fixes: FIXES_ONLY=1, the fixes alone.
. "$(dirname "$0")/lib.sh"
"$TOP/harness/tree.sh" > /dev/null
repo=$OUT/series-git
rm -rf "$OUT/series" "$OUT/fixes" "$repo"
mkdir -p "$repo" "$OUT/series"
git -C "$repo" init -q
git -C "$repo" symbolic-ref HEAD refs/heads/main
git -C "$repo" config user.name "$(git -C "$TOP" config user.name)"
git -C "$repo" config user.email "$(git -C "$TOP" config user.email)"

# The base: the files the series touches, as the tarball has them.
mapfile -t lines < <(awk '!/^#/ && NF' "$TOP/patches/series")
for l in "${lines[@]}"; do
	read -r p _ <<< "$l"
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$TOP/patches/$p"
done | sort -u | while read -r f; do
	[ -f "$OUT/orig/$f" ] || continue
	mkdir -p "$repo/$(dirname "$f")"
	cp "$OUT/orig/$f" "$repo/$f"
done
git -C "$repo" add -A
git -C "$repo" commit -qm "Linux $BASE_KERNELVERSION ($BASE_PACKAGE $BASE_DEBVERSION)"
git -C "$repo" tag base

declare -A fixc	# the commits of each tree's fixes
for l in "${lines[@]}"; do
	read -r p files <<< "$l"
	git -C "$repo" apply --whitespace=error-all "$TOP/patches/$p" ||
		die "patch $p does not apply"
	for f in $files; do
		mkdir -p "$repo/$(dirname "$f")"
		cp "$TOP/$f" "$repo/$f"
	done
	git -C "$repo" add -A
	author=$(sed -n 's/^From: //p;/^$/q' "$TOP/patches/$p")
	awk '/^Subject: \[PATCH\] /{sub(/^Subject: \[PATCH\] /, ""); print; print ""; body = 1; next}
	     body && /^---$/ {exit}
	     body && !started && /^$/ {started = 1; next}
	     body && started {print}' "$TOP/patches/$p" > "$OUT/series/msg"
	git -C "$repo" commit -q --author="$author" -F "$OUT/series/msg"
	case "$p" in fixes/*/*)
		t=${p#fixes/}; t=${t%%/*}
		fixc[$t]+=" $(git -C "$repo" rev-parse HEAD)" ;;
	esac
done
rm -f "$OUT/series/msg"

# cover COVER TEXT: the subject and blurb of a format-patch cover letter
cover() {
	python3 - "$1" "$2" <<'PY'
import sys
path, text = sys.argv[1], open(sys.argv[2]).read().split("\n", 2)
s = open(path).read()
s = s.replace("*** SUBJECT HERE ***", text[0]).replace("*** BLURB HERE ***", text[2].strip())
open(path, "w").write(s)
PY
}
checkpatch() {	# DIR: every mail but the cover letter
	local f
	for f in "$1"/0*.patch; do
		case "$f" in */0000-cover-letter.patch) continue ;; esac
		# no git history in the tarball to look the Fixes: ids up in
		perl "$TREE/scripts/checkpatch.pl" --strict -q \
			--ignore UNKNOWN_COMMIT_ID "$f" || die "checkpatch: $f"
	done
}

# The fixes: each tree's on the base alone, in series order.
nfixes=0
for t in $(awk '!/^#/ && $1 ~ /^fixes\// { split($1, p, "/"); print p[2] }' \
		"$TOP/patches/series" | uniq); do
	git -C "$repo" checkout -q -b "fixes-$t" base
	for c in ${fixc[$t]}; do
		git -C "$repo" cherry-pick "$c" > /dev/null
	done
	n=$(git -C "$repo" rev-list --count base..HEAD)
	nfixes=$((nfixes + n))
	git -C "$repo" format-patch -q --cover-letter --base=base \
		-o "$OUT/fixes/$t" base..HEAD
	cover "$OUT/fixes/$t/0000-cover-letter.patch" "$TOP/patches/fixes/$t/cover-letter.txt"
	checkpatch "$OUT/fixes/$t"
	say "fixes for $t: $n patches and a cover letter in $OUT/fixes/$t, checkpatch --strict clean"
	git -C "$repo" checkout -q main
done
[ "${FIXES_ONLY:-0}" = 0 ] || exit 0

# The feature series, after the fixes.
git -C "$repo" format-patch -q --cover-letter --subject-prefix="PATCH v3" \
	--base=base -o "$OUT/series" "main~$(( ${#lines[@]} - nfixes ))..main"
cover "$OUT/series/0000-cover-letter.patch" "$TOP/patches/cover-letter.txt"
checkpatch "$OUT/series"
say "series: $(ls "$OUT/series"/*.patch | wc -l) files in $OUT/series, checkpatch --strict clean"

[ "${BISECT:-1}" = 1 ] || exit 0
trap 'unset SERIES_UPTO; "$TOP/harness/tree.sh" > /dev/null' EXIT
for k in $(seq 1 ${#lines[@]}); do
	read -r p _ <<< "${lines[$((k - 1))]}"
	export SERIES_UPTO=$k
	"$TOP/harness/tree.sh" > /dev/null
	"$TOP/harness/build.sh" test-x86_64 bzImage modules > "$OUT/series/build-$k.log" 2>&1 ||
		{ tail "$OUT/series/build-$k.log"; die "x86_64 build fails after $p"; }
	# KVM as modules, with i915 and KVMGT
	"$TOP/harness/build.sh" test-kvm-m bzImage modules >> "$OUT/series/build-$k.log" 2>&1 ||
		{ tail "$OUT/series/build-$k.log"; die "x86_64 KVM=m build fails after $p"; }
	"$TOP/harness/build.sh" s390-vfio vmlinux modules >> "$OUT/series/build-$k.log" 2>&1 ||
		{ tail "$OUT/series/build-$k.log"; die "s390 build fails after $p"; }
	say "series: builds after $p"
done
