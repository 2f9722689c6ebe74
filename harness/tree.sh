#!/bin/bash
# Lays out the kernel tree in out/linux: the base tarball, our new files at
# their kernel-tree paths, and patches/ applied in series order. Only files
# whose content changed are rewritten, so rebuilds stay incremental.
. "$(dirname "$0")/lib.sh"

[ -f "$BASE_TARBALL" ] || die "$BASE_TARBALL missing; run harness/install-deps.sh"
have=$(cat "$BASE_DIR/.version")
if ! base_unpacked "$BASE_TARBALL" "$TREE"; then
	say "unpacking $BASE_PACKAGE $have"
	rm -rf "$OUT/orig"
	unpack_base "$BASE_TARBALL" "$TREE"
fi
kv=$(make -s -C "$TREE" kernelversion)
# checkpatch validates SPDX tags with scripts/spdxcheck.py, which reads
# LICENSES/ from a git repository at the tree's top; the annotated tag at
# that commit keeps setlocalversion from adding a suffix.
if [ ! -d "$TREE/.git" ]; then
	git -C "$TREE" init -q
	git -C "$TREE" add -f LICENSES
	git -C "$TREE" -c user.name=mka -c user.email=mka@localhost \
		commit -qm "LICENSES of $BASE_PACKAGE $have"
	git -C "$TREE" -c user.name=mka -c user.email=mka@localhost \
		tag -a "v$kv" -m "$BASE_PACKAGE $have"
fi
if [ "$kv" != "$BASE_KERNELVERSION" ] || [ "$have" != "$BASE_DEBVERSION" ]; then
	printf '%s\n' "mka: WARNING: the series was made against $BASE_KERNELVERSION ($BASE_DEBVERSION);" \
		"mka: WARNING: installed is $kv ($have). Patches must still apply exactly." >&2
fi

stage=$(mktemp -d "$OUT/stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$OUT/orig"

# The series, or its first $SERIES_UPTO patches (for bisecting), and the
# new files those patches add.
# The test-only patches (patches/test/series) go on top of the whole series.
mapfile -t lines < <(awk '!/^#/ && NF' "$TOP/patches/series" | head -n "${SERIES_UPTO:-1000}")
[ -n "${SERIES_UPTO:-}" ] ||
	mapfile -t -O ${#lines[@]} lines < <(awk '!/^#/ && NF {$1 = "test/" $1; print}' \
		"$TOP/patches/test/series")
series=() newfiles=()
for l in "${lines[@]}"; do
	read -r p files <<< "$l"
	series+=("$p")
	for f in $files; do
		[ -f "$TOP/$f" ] || die "patches/series lists $f, which does not exist"
		newfiles+=("$f")
	done
done
listed=$(awk '!/^#/ && NF {for (i = 2; i <= NF; i++) print $i}' \
	"$TOP/patches/series" "$TOP/patches/test/series" | sort)
unlisted=$(cd "$TOP" && git ls-files -co --exclude-standard -- include lib drivers tools \
	samples Documentation arch virt | sort | comm -23 - <(echo "$listed"))
[ -z "$unlisted" ] || die "new kernel files not in patches/series: $unlisted"

# Originals of the files the patches touch, then the patches on top.
for p in "${series[@]}"; do
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$TOP/patches/$p"
done | sort -u > "$stage.touched"
while read -r f; do
	mkdir -p "$stage/$(dirname "$f")"
	if [ -f "$OUT/orig/$f" ]; then
		cp "$OUT/orig/$f" "$stage/$f"
	elif [ -f "$TREE/$f" ] && ! grep -qxF "$f" "$TREE/.mka-files" 2>/dev/null; then
		mkdir -p "$OUT/orig/$(dirname "$f")"
		cp "$TREE/$f" "$OUT/orig/$f"
		cp "$TREE/$f" "$stage/$f"
	fi
done < "$stage.touched"
for p in "${series[@]}"; do
	patch -p1 -s -F0 -N --no-backup-if-mismatch -d "$stage" \
		< "$TOP/patches/$p" || die "patch $p does not apply to $kv"
done
rm -f "$stage.touched"

for f in "${newfiles[@]}"; do
	mkdir -p "$stage/$(dirname "$f")"
	cp "$TOP/$f" "$stage/$f"
done

# Put back what an earlier layout changed and this one does not.
(cd "$stage" && find . -type f | sed 's|^\./||' | sort) > "$stage.files"
if [ -f "$TREE/.mka-files" ]; then
	comm -23 "$TREE/.mka-files" "$stage.files" | while read -r f; do
		if [ -f "$OUT/orig/$f" ]; then cp "$OUT/orig/$f" "$TREE/$f"
		else rm -f "$TREE/$f"; fi
	done
fi
while read -r f; do
	if ! cmp -s "$stage/$f" "$TREE/$f"; then
		mkdir -p "$TREE/$(dirname "$f")"
		cp "$stage/$f" "$TREE/$f"
	fi
done < "$stage.files"
mv "$stage.files" "$TREE/.mka-files"
# what the tree holds, for harness/config.sh: the series or a prefix of it
echo "${SERIES_UPTO:-all}" > "$TREE/.mka-series"
say "tree ready: $kv with ${#series[@]} patches"
