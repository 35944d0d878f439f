# SPDX-License-Identifier: GPL-2.0
# Sphinx configuration for nlrs's documentation: `make htmldocs`.

project = "nlrs"
copyright = "nlrs developers"
master_doc = "index"
exclude_patterns = ["netlink/specs"]
html_theme = "alabaster"
highlight_language = "none"
