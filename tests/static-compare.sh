#!/bin/bash
# tests/static-compare.sh CONFIG OBJECT...: the objects under W=1 and sparse
# in the patched tree and in the unpatched base, with the same .config.
# Fails on any warning the base does not have (compared without line
# numbers, which the patches shift).
. "$(dirname "$0")/../harness/lib.sh"
name=$1; shift
base=$BASE_PRISTINE
unpack_base "$BASE_TARBALL" "$base"
patched=$OUT/build/$name
unpatched=$OUT/build/base-$name
mapfile -t frags < <(fragments_of "$name")
"$TOP/harness/config.sh" "$patched" "${frags[@]}"
mkdir -p "$unpatched"
if ! cmp -s "$patched/.config" "$unpatched/.config.patched"; then
	cp "$patched/.config" "$unpatched/.config"
	cp "$patched/.config" "$unpatched/.config.patched"
	KTREE=$base kmake "$unpatched" olddefconfig > /dev/null
fi

warnings() {	# TREE BUILD OBJECT...
	local tree=$1 build=$2; shift 2
	local objs=()
	for o in "$@"; do
		[ -f "$tree/${o%.o}.c" ] && objs+=("$o") && rm -f "$build/$o"
	done
	[ ${#objs[@]} -gt 0 ] || return 0
	KTREE=$tree kmake "$build" W=1 C=1 "${objs[@]}" 2>&1 | tee "$build/static.log" |
		{ grep -E 'warning:|error:' || true; } |
		sed -E 's|^.*/([^/:]+):[0-9]+:[0-9]+: |\1: |' | sort
}
warnings "$base" "$unpatched" "$@" > "$unpatched/warnings.base"
warnings "$TREE" "$patched" "$@" > "$patched/warnings.patched"
new=$(comm -13 "$unpatched/warnings.base" "$patched/warnings.patched")
say "$name: $# objects, $(wc -l < "$unpatched/warnings.base") warnings in the base, $(wc -l < "$patched/warnings.patched") patched"
[ -z "$new" ] || { echo "$new"; die "$name: new W=1/sparse warnings"; }
[ ! -f "$patched/static.log" ] || sparse_note "$(cat "$patched/static.log")"
