# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Widget front ends: js/<name>.ts -> jupytorch/notebook/static/<name>.js (npm ci && npm run build).
# js/package.json's allowScripts lets esbuild's postinstall (it links its native binary) run without a warning.
BUNDLES := $(patsubst js/%.ts,jupytorch/notebook/static/%.js,$(filter-out js/_% %.d.ts %.config.ts,$(wildcard js/*.ts)))
JS_DEPS := js/node_modules/.package-lock.json

# Static-HTML export of notebooks (make demo): the widget manager that renders saved widget state
# without a kernel, and require.js; fetched once with `npm pack` (no dependencies are installed).
EMBED := jupytorch/notebook/static/embed
EMBED_JS := $(EMBED)/require.js $(EMBED)/embed-amd.js
HTML_MANAGER := @jupyter-widgets/html-manager@1.0.15
REQUIREJS := requirejs@2.3.8

.PHONY: demo demo-script lab embed test bench bench-monitor docs clean

$(JS_DEPS): js/package.json js/package-lock.json
	cd js && npm ci --no-audit --no-fund --loglevel=warn
	touch $@

$(BUNDLES) &: $(JS_DEPS) js/build.mjs $(wildcard js/*.ts js/*.css)
	cd js && npm run build
	touch $(BUNDLES)

$(STAMP): pyproject.toml | $(BUNDLES)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

$(EMBED_JS) &:
	rm -rf $(EMBED).tmp && mkdir -p $(EMBED).tmp
	cd $(EMBED).tmp && npm pack -q --silent $(HTML_MANAGER) $(REQUIREJS) >/dev/null && \
	  tar xzf jupyter-widgets-html-manager-*.tgz --strip-components=2 package/dist/embed-amd.js package/dist/embed.js.LICENSE.txt && \
	  tar xzf requirejs-*.tgz --strip-components=1 package/require.js && rm -f *.tgz
	rm -rf $(EMBED) && mv $(EMBED).tmp $(EMBED)

embed: $(EMBED_JS)

# Runs examples/demo.ipynb headlessly and writes out/demo/demo.html (widgets render without a kernel).
demo: $(STAMP) $(BUNDLES) $(EMBED_JS)
	$(PY) -m jupytorch.notebook.export examples/demo.ipynb --out out/demo

# The same tour as a plain script (text progress, results as CSV and HTML).
demo-script: $(STAMP)
	$(PY) examples/demo.py --out out/demo

# JupyterLab on examples/ (Ctrl-C stops it).
lab: $(STAMP) $(BUNDLES)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=examples $(if $(filter 0,$(shell id -u)),--allow-root)

test: $(STAMP) $(BUNDLES) $(EMBED_JS)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	cd js && npm test --silent
	$(PY) -m pytest -q -p no:cacheprovider

# The documentation site (MkDocs Material + mkdocstrings), strict and offline, into out/site; the API
# reference and the example notebooks' pages are generated first (docs/api/, docs/examples/).
docs: $(STAMP)
	$(PY) docs/gen_api.py
	$(PY) docs/gen_examples.py
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

bench: $(STAMP)
	$(PY) bench/bench_mlp.py

bench-monitor: $(STAMP) $(BUNDLES)
	$(PY) bench/bench_monitor.py

clean:
	rm -rf $(VENV) out build dist *.egg-info js/node_modules $(BUNDLES) $(EMBED)
