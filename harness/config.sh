#!/bin/bash
# harness/config.sh BUILD_DIR FRAGMENT...: tinyconfig plus the fragments
# (a later one overrides an earlier), regenerated only when one changed. Fails when a symbol of a
# fragment did not end up as asked (a missing dependency, a typo), except
# on a prefix of the series (SERIES_UPTO, when bisecting).
. "$(dirname "$0")/lib.sh"
build=$1; shift
mkdir -p "$build"
# a tree that harness/tree.sh laid out as a prefix stays one for the build
if [ -z "${SERIES_UPTO:-}" ] && [ -f "$TREE/.mka-series" ] &&
   [ "$(cat "$TREE/.mka-series")" != all ]; then
	SERIES_UPTO=$(cat "$TREE/.mka-series")
fi
# a series prefix (SERIES_UPTO, when bisecting) has a configuration of its own
sum=$({ cat "$@" "$TOP/patches/series" "$TOP/patches/test/series"; echo "${SERIES_UPTO:-all}"; } | sha256sum | cut -d' ' -f1)
if [ -f "$build/.config" ] && [ "$(cat "$build/.mka-config" 2>/dev/null)" = "$sum" ]; then
	exit 0
fi
kmake "$build" tinyconfig >/dev/null
"$TREE/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" "$@" >/dev/null
kmake "$build" olddefconfig >/dev/null
bad=0
while IFS='=' read -r sym val; do
	case "$val" in
	n) grep -q "^$sym=" "$build/.config" && { echo "mka: $sym=n not honoured" >&2; bad=1; } ;;
	*) grep -qx "$sym=$val" "$build/.config" || { echo "mka: $sym=$val not honoured" >&2; bad=1; } ;;
	esac
done < <(grep -h '^CONFIG_' "$@" | awk -F= '{ last[$1] = $0 } END { for (s in last) print last[s] }')
# Bisecting builds a series prefix, where later patches' symbols are absent.
[ $bad -eq 0 ] || [ -n "${SERIES_UPTO:-}" ] ||
	die "configuration of $build does not match its fragments"
# a prefix's configuration is not the full series': regenerate it next time
if [ -n "${SERIES_UPTO:-}" ]; then
	rm -f "$build/.mka-config"
else
	echo "$sum" > "$build/.mka-config"
fi
