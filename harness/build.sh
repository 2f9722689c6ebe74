#!/bin/bash
# harness/build.sh NAME [TARGET...]: builds out/build/NAME from
# harness/configs/NAME.config (default target: bzImage).
. "$(dirname "$0")/lib.sh"
name=$1; shift
build=$OUT/build/$name
"$TOP/harness/config.sh" "$build" "$TOP/harness/configs/$name.config"
kmake "$build" "${@:-bzImage}"
