# SPDX-License-Identifier: GPL-2.0
#
# nlrs: build, boot and test. See README.md.
#
#   make            module (nlrs.ko) and tool (nlrsctl)
#   make run        boot the test kernel, load nlrs, show nlrsctl working
#   make test       host tests, KUnit and integration tests in QEMU, the
#                   integration tests split over two guests side by side
#   make test T=rules,genl.echo_*
#                   only these integration tests (names, globs, or module
#                   names), without the host checks: the inner loop
#   make test-durations
#                   rewrite the integration tests' measured durations
#                   (tools/testing/integration/durations.json, which
#                   balances the guests and sets each test's time limit)
#                   from the last make test
#   make vm [CMD=]  a shell (or one command) in the guest with nlrs loaded
#   make deps       install what is missing (run by the targets above)
#   make kernel     build the cached test kernel and print its directory
#   make fmt        rustfmt the module (kernel style) and the tool
#   make rustdoc    HTML docs of the module's crates (the layer included),
#                   in out/rustdoc; fails on any rustdoc warning
#   make htmldocs   the rst guides as HTML in out/htmldocs; fails on any
#                   Sphinx warning
#   make fuzz       a long fuzz run in the guest (FUZZ_SECONDS=600), then
#                   leak and kernel-log checks
#   make bench      the benchmarks, on a non-debug kernel built (and cached)
#                   for them: nlrs against its C twin, the dispatch floor,
#                   single requests, nftables and ynl; prints the table and
#                   writes out/bench/bench.json (BENCH_RULES=100000,
#                   BENCH_SECTIONS=echo,tool,... for a subset)
#   make install    modules_install the modules (INSTALL_MOD_PATH=, into
#                   /lib/modules/RELEASE/updates) and install nlrsctl
#                   (DESTDIR=, PREFIX=/usr/local)
#
# KDIR=/path builds the module against another prepared kernel tree: one
# configured and prepared (make modules_prepare) with CONFIG_RUST, the
# netlink and netfilter options README.md lists, and its rust/ built.

SHELL := /bin/bash
KDIR ?=
PREFIX ?= /usr/local
DESTDIR ?=
INSTALL_MOD_PATH ?=
TESTING := tools/testing
NLRSCTL_DIR := tools/nlrsctl
NLRSCTL := $(NLRSCTL_DIR)/target/x86_64-unknown-linux-gnu/release/nlrsctl

# The kernel tree: KDIR, or the cached test kernel (built on first use).
kdir = $$(if [ -n "$(KDIR)" ]; then echo "$(KDIR)"; else $(TESTING)/kernel.sh; fi)
kmake = $(MAKE) -C "$$kdir" M=$(CURDIR) LLVM=1 \
	RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc

KSRC_FMT = $$(ls -d $${NLRS_CACHE:-$$HOME/.cache/nlrs}/src/linux-source-*/.rustfmt.toml | head -1)

.PHONY: all deps kernel module tool host-test fmt fmt-check run test vm clippy clean \
	rustdoc htmldocs install fuzz bench

all: module tool

deps:
	@$(TESTING)/deps.sh

kernel: deps
	@$(TESTING)/kernel.sh

# '+': the sub-make is in $(kmake), where make does not see it, and would
# otherwise lose the jobserver of "make -jN".
module: deps
	+@kdir=$(kdir) && $(kmake) modules

tool: deps
	@cd $(NLRSCTL_DIR) && cargo build --release --locked --quiet

host-test: deps
	@cd $(NLRSCTL_DIR) && cargo test --release --locked

RUST_ROOTS := src/nlrs.rs samples/rust_genl_echo_main.rs samples/rust_nfnl_colo_main.rs

fmt:
	@rustfmt --edition 2021 --config-path $(KSRC_FMT) $(RUST_ROOTS)
	@cd $(NLRSCTL_DIR) && cargo fmt

fmt-check:
	@rustfmt --check --edition 2021 --config-path $(KSRC_FMT) $(RUST_ROOTS)
	@cd $(NLRSCTL_DIR) && cargo fmt --check

clippy: deps
	+@kdir=$(kdir) && $(kmake) CLIPPY=1 modules

rustdoc: deps
	@rm -rf out/rustdoc src/*.rustdoc samples/*.rustdoc && mkdir -p out
	@kdir=$(kdir) && set -o pipefail && \
		$(kmake) NLRS_RUSTDOC=y modules 2>&1 | tee out/rustdoc.log
	@! grep -E '^(warning|error)' out/rustdoc.log
	@echo "rustdoc: out/rustdoc/nlrs/index.html"

FUZZ_SECONDS ?= 600
FUZZ_SEED ?= 1

fuzz: module tool
	@NLRS_VM_TIMEOUT=$$(( $(FUZZ_SECONDS) + 900 )) $(TESTING)/vm.sh /usr/bin/python3 \
		$${NLRS_CACHE:-$$HOME/.cache/nlrs}/mnt/repo/$(TESTING)/fuzz/run.py \
		$(FUZZ_SECONDS) $(FUZZ_SEED)

BENCH_RULES ?= 100000
BENCH_SECTIONS ?=

bench: deps tool
	@$(TESTING)/bench/bench.sh $(BENCH_RULES) $(BENCH_SECTIONS)

htmldocs: deps
	@sphinx-build -q -W -b html Documentation out/htmldocs
	@echo "htmldocs: out/htmldocs/index.html"

install: module tool
	+@kdir=$(kdir) && $(kmake) INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) modules_install
	@install -D -m 0755 $(NLRSCTL) $(DESTDIR)$(PREFIX)/bin/nlrsctl
	@echo "installed nlrsctl in $(DESTDIR)$(PREFIX)/bin"

run: module tool
	@$(TESTING)/vm.sh $(TESTING)/demo.sh

T ?=

test: deps
	@T='$(T)' $(TESTING)/run-tests.sh

test-durations:
	@/usr/bin/python3 $(TESTING)/integration/catalog.py durations out/test

vm: module tool
	@$(TESTING)/vm.sh $(CMD)

clean:
	@kdir=$$(if [ -n "$(KDIR)" ]; then echo "$(KDIR)"; else $(TESTING)/kernel.sh --cached; fi) && \
		$(kmake) clean || true
	@rm -f src/netlink/bindings/bindings_generated.rs
	@cd $(NLRSCTL_DIR) && cargo clean
