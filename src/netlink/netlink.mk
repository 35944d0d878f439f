# SPDX-License-Identifier: GPL-2.0
#
# The layer's build fragment: a module's Kbuild that uses the layer names
# the modules built on it and includes this file, after their objects:
#
#   obj-m := rust_kv.o
#   rust_kv-y := rust_kv_main.o
#   RNL_MODULES := rust_kv
#   include $(src)/rnl/netlink.mk
#
# For each module in RNL_MODULES it adds the layer's C helpers to the
# module's objects (a copy of its own: an object belongs to one module),
# and makes its Rust objects (those of its <module>-y with a .rs source:
# its crate root) wait for the layer's bindings. For the whole Kbuild it
# refuses a kernel the layer does not support and passes the
# kernel_version cfg its compat module selects by. The layer must sit in a
# directory under the Kbuild's (a copy, or a symbolic link to one).
#
# For the includer's own rules (rustdoc, say), it sets RNL_KERNEL, the
# tree's X.Y, and RNL_BINDINGS, the generated bindings' path under $(obj).

rnl_mk := $(abspath $(lastword $(MAKEFILE_LIST)))
rnl_dir := $(patsubst $(abspath $(src))/%/netlink.mk,%,$(rnl_mk))
ifeq ($(rnl_dir),$(rnl_mk))
$(error the layer's netlink.mk must sit in a directory under the Kbuild's, not at $(rnl_mk))
endif
ifeq ($(strip $(RNL_MODULES)),)
$(error set RNL_MODULES, the modules built on the layer, before including $(rnl_mk))
endif

# The kernels the layer supports. What differs between them for Rust is in
# its compat module, which selects by the cfg kernel_version="X.Y".
RNL_KERNEL := $(VERSION).$(PATCHLEVEL)
ifeq ($(filter 6.12 7.3,$(RNL_KERNEL)),)
$(error the netlink layer builds against Linux 6.12 or 7.3; this tree is $(KERNELRELEASE))
endif
rustflags-y += --cfg 'kernel_version="$(RNL_KERNEL)"'

# The Rust bindings for the netlink, nfnetlink, netfilter, module-parameter
# and KUnit APIs. kernel::bindings on 6.12 has none of them, so they are
# generated here, as rust/Makefile's cmd_bindgen does, with this kernel's own
# clang flags (LLVM=1 builds use c_flags unchanged). From the kernel's
# parameters, those that serve its own bindings crate only are left out:
# 7.3's #[cfi_encoding] attributes (a feature modules may not enable) and its
# MaybeZeroable derive (pin-init's; the layer zero-fills through Default).
RNL_BINDINGS := $(rnl_dir)/bindings/bindings_generated.rs
rnl_kernel_bindgen_parameters := \
	$(shell grep -Ev '^\#|^$$|cfi_encoding|MaybeZeroable' $(srctree)/rust/bindgen_parameters)

quiet_cmd_rnl_bindgen = BINDGEN $@
      cmd_rnl_bindgen = \
	$(BINDGEN) $< $(rnl_kernel_bindgen_parameters) \
		--rust-target 1.68 --use-core --with-derive-default \
		--ctypes-prefix ffi --no-layout-tests --no-debug '.*' \
		--enable-function-attribute-detection \
		$(shell grep -Ev '^\#|^$$' $(src)/$(rnl_dir)/bindings/bindgen_parameters) \
		-o $@ -- $(c_flags) -fno-builtin -D__BINDGEN__ -DMODULE \
		-I$(src)/$(rnl_dir)

$(obj)/$(RNL_BINDINGS): $(src)/$(rnl_dir)/bindings/bindings_helper.h \
		$(src)/$(rnl_dir)/bindings/bindgen_parameters FORCE
	$(call if_changed_dep,rnl_bindgen)

targets += $(RNL_BINDINGS)

# The modules' crate roots: their objects built from a .rs.
rnl_module_crates = $(foreach o,$($(1)-y) $($(1)-objs),$(if $(wildcard $(src)/$(o:.o=.rs)),$(o)))
rnl_crates := $(foreach m,$(RNL_MODULES),$(call rnl_module_crates,$(m)))
$(addprefix $(obj)/,$(rnl_crates)): $(obj)/$(RNL_BINDINGS)

# KCOV for the modules' Rust. 7.3's Kbuild passes its RUSTFLAGS_KCOV to Rust
# objects itself (scripts/Makefile.kcov); 6.12 instruments C only. On 6.12
# the layer gives the crate roots 7.3's flags under 7.3's rule:
# KCOV_INSTRUMENT_<object>, else KCOV_INSTRUMENT, else
# CONFIG_KCOV_INSTRUMENT_ALL.
ifeq ($(RNL_KERNEL)$(CONFIG_KCOV),6.12y)
rnl_kcov_rustflags := -Cpasses=sancov-module \
	-Cllvm-args=-sanitizer-coverage-level=3 \
	-Cllvm-args=-sanitizer-coverage-trace-pc \
	$(if $(CONFIG_KCOV_ENABLE_COMPARISONS),-Cllvm-args=-sanitizer-coverage-trace-compares)
$(foreach o,$(rnl_crates), \
	$(if $(patsubst n%,,$(KCOV_INSTRUMENT_$(o))$(KCOV_INSTRUMENT)$(CONFIG_KCOV_INSTRUMENT_ALL)), \
		$(eval RUSTFLAGS_$(o) += $(rnl_kcov_rustflags))))
endif

# The C helpers, once per module: <dir>/helpers-<module>.c includes
# helpers.c, and its object joins the module (with inline helpers, below,
# its bitcode joins the module's Rust objects instead).
rnl_helpers = $(rnl_dir)/helpers-$(subst /,-,$(1))
$(foreach m,$(RNL_MODULES), \
	$(eval CFLAGS_$(call rnl_helpers,$(m)).o += -I$(src)/$(rnl_dir)))

ifdef CONFIG_RUST_INLINE_HELPERS
# Clang and rustc on one LLVM (7.3 with clang-22): Kbuild links the kernel's
# C helpers into each Rust object as bitcode, so that they inline
# (cmd_rustc_o_rs in scripts/Makefile.build). The layer's helpers go the
# same way: compiled to bitcode as rust/Makefile's cmd_rust_helper does
# (each __always_inline then, see helpers.c), and given to that llvm-link
# step as one more input (--override: linked after the object and the
# kernel's helpers). The module then has no helpers object. llvm-link does
# not internalize an --override input, so the helpers' definitions stay in
# the object, global and no longer called.
quiet_cmd_rnl_helpers_bc = HELPER  $@
      cmd_rnl_helpers_bc = \
	$(CC) $(c_flags) -DRNL_INLINE_HELPERS -c -g0 $< -emit-llvm -o $@

$(foreach m,$(RNL_MODULES), \
	$(eval $(obj)/$(call rnl_helpers,$(m)).bc: private part-of-module := y) \
	$(eval $(obj)/$(call rnl_helpers,$(m)).bc: $(obj)/$(call rnl_helpers,$(m)).c FORCE; \
		$$(call if_changed_dep,rnl_helpers_bc)) \
	$(foreach o,$(call rnl_module_crates,$(m)), \
		$(eval $(obj)/$(o): $(obj)/$(call rnl_helpers,$(m)).bc) \
		$(eval $(obj)/$(o): LLVM_LINK += --override=$(obj)/$(call rnl_helpers,$(m)).bc)))

targets += $(foreach m,$(RNL_MODULES),$(call rnl_helpers,$(m)).bc)
else
$(foreach m,$(RNL_MODULES),$(eval $(m)-y += $(call rnl_helpers,$(m)).o))
endif

quiet_cmd_rnl_helpers = GEN     $@
      cmd_rnl_helpers = \
	printf '/* The netlink layer: its C helpers, for one module. */\n$(pound)include "helpers.c"\n' > $@

$(addprefix $(obj)/,$(foreach m,$(RNL_MODULES),$(call rnl_helpers,$(m)).c)): FORCE
	$(call if_changed,rnl_helpers)

targets += $(foreach m,$(RNL_MODULES),$(call rnl_helpers,$(m)).c)
