# mdev_kvm_assoc: build the patched kernel, boot it, test it.
# make demo   - build, boot and narrate the association lifecycle
# make check  - every check; ends with "N passed, N failed"
# make bench  - the cost figures; make kcsan - the KCSAN kernel
# make vfio-ap - vfio_ap_ops.c in userspace, under sanitizers

.PHONY: all deps tree kernel demo check soak series fixes fixes-stable-guest bench kcsan vfio-ap clean

all: check

deps:
	harness/install-deps.sh

tree: deps
	harness/tree.sh

kernel: tree
	tests/build-test-kernel.sh

demo: kernel
	harness/demo.sh

check:
	harness/check.sh

# at least 100,000 attach/detach cycles from 8 threads per sample
soak: kernel
	harness/soak.sh

# figures of the library's cost, as ratios measured side by side
bench: tree
	tests/bench.sh

# the KCSAN kernel through the race scenarios (not in make check: its own
# kernel build)
kcsan: tree
	tests/kcsan.sh

# vfio_ap_ops.c of the tree in userspace under ASan+UBSan and TSan, with
# its negative controls and gcov
vfio-ap: tree
	tests/vfio-ap.sh

# the upstream patch series, checked to build after each patch; and the
# fixes, one series per tree that takes them (out/fixes/TREE/)
series: tree
	harness/series.sh

# the fixes alone: out/fixes/TREE/, each with its cover letter
fixes: tree
	FIXES_ONLY=1 harness/series.sh

# the vfio fix's guest test on 6.12 LTS, with and without the fix (not in
# make check: a 6.12 kernel of its own)
fixes-stable-guest: deps
	tests/fixes-stable-guest.sh

clean:
	rm -rf out
