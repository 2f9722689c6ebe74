#!/bin/bash
# make series: out/series/*.patch, a git format-patch series with a cover
# letter, made by committing each patch (and the new files it adds) on top
# of the base; then checks that the tree builds after each patch (x86_64
# test kernel with its modules, and s390 modules). BISECT=0 skips the builds.
. "$(dirname "$0")/lib.sh"
"$TOP/harness/tree.sh" > /dev/null
repo=$OUT/series/git
rm -rf "$OUT/series"
mkdir -p "$repo"
git -C "$repo" init -q
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
done
rm -f "$OUT/series/msg"

git -C "$repo" format-patch -q --cover-letter --subject-prefix="PATCH v2" \
	--base=base -o "$OUT/series" base..HEAD
cover=$(ls "$OUT/series"/0000-cover-letter.patch)
python3 - "$cover" "$TOP/patches/cover-letter.txt" <<'PY'
import sys
path, text = sys.argv[1], open(sys.argv[2]).read().split("\n", 2)
s = open(path).read()
s = s.replace("*** SUBJECT HERE ***", text[0]).replace("*** BLURB HERE ***", text[2].strip())
open(path, "w").write(s)
PY
say "series: $(ls "$OUT/series"/*.patch | wc -l) files in $OUT/series"
for f in "$OUT/series"/0*.patch; do
	[ "$f" = "$cover" ] && continue
	# no git history in the tarball to look the Fixes: ids up in
	perl "$TREE/scripts/checkpatch.pl" --strict -q --ignore UNKNOWN_COMMIT_ID "$f" ||
		die "checkpatch: $(basename "$f")"
done
say "series: checkpatch --strict clean on every patch"

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
