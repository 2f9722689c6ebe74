#!/bin/bash
# harness/mkpatch.sh DIFF SUBJECT BODY OUT: writes patches/OUT-style patch
# from a `diff -ruN a b` of upstream files, with the repository's git
# identity as author and Signed-off-by. For developers editing the series.
set -euo pipefail
diff=$1 subj=$2 body=$3 out=$4
who="$(git config user.name) <$(git config user.email)>"
{
	echo "From: $who"
	echo "Subject: [PATCH] $subj"
	echo
	cat "$body"
	echo
	echo "Signed-off-by: $who"
	echo "---"
	sed -e 's|^diff -ruN a/\([^ ]*\) b/.*|diff --git a/\1 b/\1|' \
	    -e 's|^--- a/\([^\t]*\).*|--- a/\1|' \
	    -e 's|^+++ b/\([^\t]*\).*|+++ b/\1|' "$diff"
} > "$out"
