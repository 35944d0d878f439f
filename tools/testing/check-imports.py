#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks the import graph of the module's Rust sources.

- The service's modules (src/*.rs, the crate root src/nlrs.rs included, and
  src/tests/ counted as `tests`) must import each other without a cycle: a
  module names another by a `use crate::...` item or an inline `crate::x::`
  path. Items of the crate root (`crate::FOO`) count as an edge to the root,
  which declares every module, so they close a cycle too. Macros the layer
  exports at the crate root (`crate::attr_set!`) are the layer's.
- The layer (src/netlink/) must not import the service at all: it names
  nothing of the crate but itself.

Prints the graph in topological order (each module with what it imports) and
exits 1 on a cycle or a layer import, naming it.

    check-imports.py [--dot] [--self-test]
        --dot        prints the graph for Graphviz instead
        --self-test  first checks that a copy of the sources with a cycle
                     added (model importing hook) fails the check
"""

import glob
import os
import re
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "src")
SELF_TEST_EDGE = ("model.rs", "use crate::hook::*;\n")
CRATE_ROOT = "nlrs"
LAYER = "netlink"
# The crate-root alias of the layer kernel_module!'s `layer:` makes, which the
# layer's macros and its parameters go through.
LAYER_ALIAS = "__rnl"


def code(path):
    """The file's text without comments and string literals."""
    with open(path) as f:
        text = f.read()
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', text)


def use_heads(tree):
    """The first path segments of the items of a `use` tree body."""
    heads, depth, item = [], 0, ""
    for ch in tree + ",":
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            name = re.match(r"\s*(\w+)", item)
            if name:
                heads.append(name.group(1))
            item = ""
        else:
            item += ch
    return heads


def crate_refs(text):
    """What `text` names of the crate: (name, is_macro) pairs."""
    refs = set()
    for m in re.finditer(r"\buse\s+crate::\{", text):
        depth, i = 1, m.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        refs.update((h, False) for h in use_heads(text[m.end():i - 1]))
    for m in re.finditer(r"\bcrate::(\w+)\s*(!?)", text):
        refs.add((m.group(1), m.group(2) == "!"))
    return refs


def layer_macros(SRC=SRC):
    """The macros the layer exports at the crate root."""
    names = set()
    for path in glob.glob(os.path.join(SRC, LAYER, "**", "*.rs"), recursive=True):
        names.update(re.findall(r"#\[macro_export\]\s*macro_rules!\s*(\w+)", code(path)))
    return names


def service_graph(SRC=SRC):
    macros = layer_macros(SRC)
    modules = {}
    for path in sorted(glob.glob(os.path.join(SRC, "*.rs"))):
        name = os.path.basename(path)[:-3]
        modules[name] = code(path)
    for path in sorted(glob.glob(os.path.join(SRC, "tests", "*.rs"))):
        modules["tests"] = modules.get("tests", "") + code(path)
    graph = {}
    for name, text in modules.items():
        deps = set()
        for ref, is_macro in crate_refs(text):
            if is_macro or ref in macros:
                dep = LAYER
            elif ref in modules or ref == LAYER:
                dep = ref
            else:
                dep = CRATE_ROOT
            if dep != name:
                deps.add(dep)
        if name == CRATE_ROOT:
            # The root names its modules without `crate::`.
            for ref in re.findall(r"\b(\w+)::", text):
                if ref in modules and ref != name:
                    deps.add(ref)
        graph[name] = deps
    return graph


def layer_findings():
    findings = []
    for path in sorted(glob.glob(os.path.join(SRC, LAYER, "**", "*.rs"), recursive=True)):
        if path.endswith("bindings_generated.rs"):
            continue
        for ref, is_macro in crate_refs(code(path)):
            if ref not in (LAYER, LAYER_ALIAS) and not is_macro:
                findings.append(f"{os.path.relpath(path, ROOT)}: the layer names crate::{ref}")
    return findings


def find_cycle(graph):
    """A cycle of `graph` as a list of modules, or None."""
    state, stack = {}, []

    def visit(n):
        state[n] = "open"
        stack.append(n)
        for d in sorted(graph.get(n, ())):
            if state.get(d) == "open":
                return stack[stack.index(d):] + [d]
            if d not in state:
                c = visit(d)
                if c:
                    return c
        stack.pop()
        state[n] = "done"
        return None

    for n in sorted(graph):
        if n not in state:
            c = visit(n)
            if c:
                return c
    return None


def topo(graph):
    order, done = [], set()

    def visit(n):
        if n in done:
            return
        done.add(n)
        for d in sorted(graph.get(n, ())):
            visit(d)
        order.append(n)

    for n in sorted(graph):
        visit(n)
    return order


def self_test():
    """Whether a cycle added to a copy of the sources is found."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "src")
        shutil.copytree(SRC, src, ignore=shutil.ignore_patterns("*.o", "*.cmd", "*generated*"))
        name, line = SELF_TEST_EDGE
        with open(os.path.join(src, name), "a") as f:
            f.write(line)
        cycle = find_cycle(service_graph(src))
    if not cycle:
        print(f"self-test: a cycle through {name} was not found")
        return False
    print("self-test: an added cycle is found: " + " -> ".join(cycle))
    return True


def main():
    if "--self-test" in sys.argv[1:] and not self_test():
        return 1
    graph = service_graph()
    if "--dot" in sys.argv[1:]:
        print("digraph service {")
        for n in sorted(graph):
            for d in sorted(graph[n]):
                print(f'    "{n}" -> "{d}";')
        print("}")
        return 0
    failed = False
    cycle = find_cycle(graph)
    if cycle:
        print("import cycle among the service's modules: " + " -> ".join(cycle))
        failed = True
    else:
        for n in topo(graph):
            if n in graph:
                deps = sorted(d for d in graph[n] if d != LAYER)
                print(f"{n}: {', '.join(deps) if deps else '-'}")
    for f in layer_findings():
        print(f)
        failed = True
    if not failed:
        print(f"imports: {len(graph)} service modules, no cycle; the layer imports only itself")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
