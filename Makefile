# SPDX-License-Identifier: GPL-2.0
#
# nlrs: build, boot and test. See README.md.
#
#   make            module (nlrs.ko) and tool (nlrsctl)
#   make run        boot the test kernel, load nlrs, show nlrsctl working
#   make test       host tests, KUnit and integration tests in QEMU
#   make vm [CMD=]  a shell (or one command) in the guest with nlrs loaded
#   make deps       install what is missing (run by the targets above)
#   make kernel     build the cached test kernel and print its directory
#   make fmt        rustfmt the module (kernel style) and the tool
#
# KDIR=/path builds the module against another prepared kernel tree.

KDIR ?=
TESTING := tools/testing
NLRSCTL_DIR := tools/nlrsctl
NLRSCTL := $(NLRSCTL_DIR)/target/x86_64-unknown-linux-gnu/release/nlrsctl

# The kernel tree: KDIR, or the cached test kernel (built on first use).
kdir = $$(if [ -n "$(KDIR)" ]; then echo "$(KDIR)"; else $(TESTING)/kernel.sh; fi)
kmake = $(MAKE) -C "$$kdir" M=$(CURDIR) LLVM=1 \
	RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc

KSRC_FMT = $$(ls -d $${NLRS_CACHE:-$$HOME/.cache/nlrs}/src/linux-source-*/.rustfmt.toml | head -1)

.PHONY: all deps kernel module tool host-test fmt fmt-check run test vm clippy clean

all: module tool

deps:
	@$(TESTING)/deps.sh

kernel: deps
	@$(TESTING)/kernel.sh

module: deps
	@kdir=$(kdir) && $(kmake) modules

tool: deps
	@cd $(NLRSCTL_DIR) && cargo build --release --locked --quiet

host-test: deps
	@cd $(NLRSCTL_DIR) && cargo test --release --locked

RUST_ROOTS := src/nlrs.rs samples/rust_genl_echo_main.rs

fmt:
	@rustfmt --edition 2021 --config-path $(KSRC_FMT) $(RUST_ROOTS)
	@cd $(NLRSCTL_DIR) && cargo fmt

fmt-check:
	@rustfmt --check --edition 2021 --config-path $(KSRC_FMT) $(RUST_ROOTS)
	@cd $(NLRSCTL_DIR) && cargo fmt --check

clippy: deps
	@kdir=$(kdir) && $(kmake) CLIPPY=1 modules

run: module tool
	@$(TESTING)/vm.sh $(TESTING)/demo.sh

test: deps
	@$(TESTING)/run-tests.sh

vm: module tool
	@$(TESTING)/vm.sh $(CMD)

clean:
	@kdir=$$(if [ -n "$(KDIR)" ]; then echo "$(KDIR)"; else $(TESTING)/kernel.sh --cached; fi) && \
		$(kmake) clean || true
	@rm -f src/netlink/bindings/bindings_generated.rs
	@cd $(NLRSCTL_DIR) && cargo clean
