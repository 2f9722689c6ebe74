#!/bin/bash
# The driver-api page and the updated vfio-ap locking page, built by Sphinx
# with the kernel's own kernel-doc extension (Documentation/sphinx); any
# warning fails (-W). A two-page project: building all of driver-api
# takes too long on two cores for every check.
. "$(dirname "$0")/../harness/lib.sh"
src=$OUT/docs/src
rm -rf "$OUT/docs"
mkdir -p "$src"
cp "$TREE/Documentation/driver-api/mdev_kvm_assoc.rst" "$src/"
cp "$TREE/Documentation/arch/s390/vfio-ap-locking.rst" "$src/"
cat > "$src/index.rst" <<'RST'
mdev_kvm_assoc
==============

.. toctree::

   mdev_kvm_assoc
   vfio-ap-locking
RST
cat > "$src/conf.py" <<PY
import sys
sys.path.insert(0, "$TREE/Documentation/sphinx")
extensions = ["kerneldoc", "rstFlatTable", "kernel_include"]
kerneldoc_srctree = "$TREE"
master_doc = "index"
primary_domain = "c"
highlight_language = "none"
project = "mdev_kvm_assoc"
PY
# the kernel's extensions find the tree (and kernel-doc's Python library
# under tools/lib/python) through \$srctree, as "make htmldocs" sets it
srctree=$TREE sphinx-build -q -W --keep-going -b html "$src" "$OUT/docs/html"
grep -q "mdev_kvm_assoc_attach" "$OUT/docs/html/mdev_kvm_assoc.html" ||
	die "the API reference is missing from the page"
say "docs: built with Sphinx $(sphinx-build --version | cut -d' ' -f2), no warnings"
