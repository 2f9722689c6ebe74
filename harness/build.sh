#!/bin/bash
# harness/build.sh NAME [TARGET...]: builds out/build/NAME from
# harness/configs/NAME.config (default target: bzImage). A fragment whose
# first line is "# base: OTHER" goes on top of OTHER.config.
. "$(dirname "$0")/lib.sh"
name=$1; shift
build=$OUT/build/$name
mapfile -t frags < <(fragments_of "$name")
"$TOP/harness/config.sh" "$build" "${frags[@]}"
kmake "$build" "${@:-bzImage}"
