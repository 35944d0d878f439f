# SPDX-License-Identifier: GPL-2.0
#
# nlrs: build, boot and test. See README.md.
#
#   make            modules (out/X.Y/nlrs.ko, out/X.Y/samples/) and the tool
#                   (nlrsctl)
#   make run        boot the test kernel, load nlrs, show nlrsctl working
#   make test       host tests, then KUnit and integration tests in QEMU on
#                   each kernel, its guests side by side with the other's
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
#   make kernel     build the cached test kernels and print their directories
#   make fmt        rustfmt the module (kernel style) and the tool
#   make rustdoc    HTML docs of the module's crates (the layer included),
#                   in out/rustdoc/X.Y; fails on any rustdoc warning
#   make htmldocs   the rst guides as HTML in out/htmldocs; fails on any
#                   Sphinx warning
#   make fuzz       a long fuzz run in the guest (FUZZ_SECONDS=600), then
#                   leak and kernel-log checks
#   make bench      the benchmarks, on a non-debug kernel built (and cached)
#                   for them: nlrs against its C twin, the dispatch floor,
#                   single requests, nftables and ynl; prints the table and
#                   writes out/bench/X.Y/bench.json (BENCH_RULES=100000,
#                   BENCH_SECTIONS=echo,tool,... for a subset)
#   make install    modules_install the modules (INSTALL_MOD_PATH=, into
#                   /lib/modules/RELEASE/updates) and install nlrsctl
#                   (DESTDIR=, PREFIX=/usr/local)
#
# nlrs builds and is tested on Linux 6.12 and 7.3, each a test kernel built
# from Debian's linux-source-X.Y and cached outside the clone; the modules
# for each are built in out/X.Y. KVER=6.12 or KVER=7.3 limits any target to
# that kernel; without it, make, make test, make bench, make fuzz and make
# install serve both, and make run and make vm boot 6.12.
#
# KDIR=/path builds the module in this tree against another prepared kernel
# tree of either version: one configured and prepared (make
# modules_prepare) with CONFIG_RUST, the netlink and netfilter options
# README.md lists, and its rust/ built.

SHELL := /bin/bash
KDIR ?=
KVER ?=
PREFIX ?= /usr/local
DESTDIR ?=
INSTALL_MOD_PATH ?=
TESTING := tools/testing
NLRSCTL_DIR := tools/nlrsctl
NLRSCTL := $(NLRSCTL_DIR)/target/x86_64-unknown-linux-gnu/release/nlrsctl
export KDIR KVER

# kbuild on the modules: against KDIR in this tree, or else against the
# cached test kernel of KVER (of each supported version when it is unset,
# each built and cached on first use) in out/VERSION. See kbuild.sh.
kbuild := $(TESTING)/kbuild.sh

# make run and make vm boot one kernel: KVER, or the first supported one.
run vm: export KVER := $(or $(KVER),$(shell . $(TESTING)/lib.sh && echo $${NLRS_KVERS[0]}))

KSRC_FMT = $$(ls -d $${NLRS_CACHE:-$$HOME/.cache/nlrs}/src/linux-source-*/.rustfmt.toml | head -1)

.PHONY: all deps kernel module tool host-test fmt fmt-check run test vm clippy clean \
	rustdoc htmldocs install fuzz bench

all: module tool

deps:
	@$(TESTING)/deps.sh

kernel: deps
	@. $(TESTING)/lib.sh && for v in "$${kvers[@]}"; do KVER=$$v $(TESTING)/kernel.sh || exit; done

# '+': the sub-make is in $(kbuild), where make does not see it, and would
# otherwise lose the jobserver of "make -jN".
module: deps
	+@$(kbuild) modules

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
	+@$(kbuild) CLIPPY=1 modules

# Into out/rustdoc/VERSION, per kernel: the layer's docs show what it is on
# each.
rustdoc: deps
	@rm -rf out/rustdoc/$(KVER) {.,out/*}/{src,samples}/*.rustdoc && mkdir -p out
	+@set -o pipefail && $(kbuild) NLRS_RUSTDOC=$(CURDIR)/out/rustdoc modules 2>&1 | \
		tee out/rustdoc$(KVER:%=-%).log
	@! grep -E '^(warning|error)' out/rustdoc$(KVER:%=-%).log
	@echo "rustdoc: $$(ls out/rustdoc/*/nlrs/index.html | tr '\n' ' ')"

FUZZ_SECONDS ?= 600
FUZZ_SEED ?= 1

# On each kernel (or KVER's) in turn.
fuzz: module tool
	@. $(TESTING)/lib.sh && for v in "$${kvers[@]}"; do \
		log "fuzzing on $$v"; \
		KVER=$$v NLRS_VM_TIMEOUT=$$(( $(FUZZ_SECONDS) + 900 )) $(TESTING)/vm.sh \
			/usr/bin/python3 $$NLRS_MNT/repo/$(TESTING)/fuzz/run.py \
			$(FUZZ_SECONDS) $(FUZZ_SEED) || exit; \
	done

BENCH_RULES ?= 100000
BENCH_SECTIONS ?=

bench: deps tool
	@$(TESTING)/bench/bench.sh $(BENCH_RULES) $(BENCH_SECTIONS)

htmldocs: deps
	@sphinx-build -q -W -b html Documentation out/htmldocs
	@echo "htmldocs: out/htmldocs/index.html"

install: module tool
	+@$(kbuild) INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) modules_install
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
	@[ -z "$(KDIR)" ] || $(kbuild) clean
	@rm -rf src/netlink/bindings/bindings_generated.rs $$(. $(TESTING)/lib.sh && \
		for v in "$${kvers[@]}"; do kbuild_dir $$v; done)
	@cd $(NLRSCTL_DIR) && cargo clean
