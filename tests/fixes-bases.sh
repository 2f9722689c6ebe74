#!/bin/bash
# tests/fixes-bases.sh: the fixes (patches/fixes/TREE/) on both kernels
# they are for, the 7.3 base and 6.12 LTS, unpatched otherwise. Each
# tree's fixes apply in series order with no fuzz (a patch in
# patches/fixes/6.12/ replaces one that needs a backport there); the
# trees' fixes touch disjoint files, so one tree per base holds them all
# and each still applies alone. Then the C files they touch build with
# W=1 and no warning: x86_64 for vfio and i915/gvt, s390 for vfio_ap.
. "$(dirname "$0")/../harness/lib.sh"

mapfile -t fixes < <(awk '!/^#/ && $1 ~ /^fixes\// { print $1 }' "$TOP/patches/series")
[ ${#fixes[@]} -gt 0 ] || die "patches/series lists no fixes"
dup=$(for p in "${fixes[@]}"; do
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$TOP/patches/$p" |
		sed "s|^|${p%%/0*} |"
done | sort -u | awk '{ print $2 }' | sort | uniq -d)
[ -z "$dup" ] || die "files touched by the fixes of two trees: $dup"

check_base() {	# NAME PRISTINE-DIR
	local name=$1 pristine=$2
	local tree=$OUT/bases/$1 p f note arch build objs log
	# hard links: patch writes a new file, the pristine copy stays
	rm -rf "$tree"
	mkdir -p "$OUT/bases"
	cp -al "$pristine" "$tree"
	for p in "${fixes[@]}"; do
		f=$TOP/patches/$p note=
		if [ -f "$TOP/patches/fixes/$name/${p##*/}" ]; then
			f=$TOP/patches/fixes/$name/${p##*/}
			note=" (its backport, patches/fixes/$name/)"
		fi
		patch -p1 -s -F0 -N --no-backup-if-mismatch -d "$tree" < "$f" ||
			die "$p$note does not apply to $name"
		say "fixes on $name: $p$note applies"
	done
	for arch in x86_64 s390; do
		build=$OUT/build/fixes-$name-$arch
		mapfile -t objs < <(for p in "${fixes[@]}"; do
			sed -n 's|^+++ b/\(.*\)\.c$|\1.o|p' "$TOP/patches/$p"
		done | sort -u | if [ $arch = s390 ]; then grep '^drivers/s390/'
			else grep -v '^drivers/s390/'; fi)
		[ ${#objs[@]} -gt 0 ] || continue
		KTREE=$tree "$TOP/harness/config.sh" "$build" \
			"$TOP/harness/configs/fixes-$arch.config"
		(cd "$build" && rm -f "${objs[@]}")
		log=$build/fixes.log
		KTREE=$tree kmake "$build" W=1 "${objs[@]}" > "$log" 2>&1 ||
			{ tail -20 "$log"; die "fixes on $name: $arch build failed"; }
		! grep -E 'warning:|error:' "$log" ||
			die "fixes on $name: warnings in the $arch build"
		for f in "${objs[@]}"; do
			[ -f "$build/$f" ] || die "fixes on $name: $f was not built"
		done
		say "fixes on $name: ${objs[*]} build ($arch, W=1, no warning)"
	done
}

unpack_bases
check_base "$BASE_KERNELVERSION" "$BASE_PRISTINE"
check_base "$STABLE_LINE" "$STABLE_PRISTINE"
say "fixes-bases: passed; ${#fixes[@]} fixes on $BASE_KERNELVERSION and $STABLE_LINE"
