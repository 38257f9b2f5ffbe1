# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Widget front ends: js/<name>.ts -> jupytorch/notebook/static/<name>.js (npm ci && npm run build).
BUNDLES := $(patsubst js/%.ts,jupytorch/notebook/static/%.js,$(filter-out js/_% %.d.ts %.config.ts,$(wildcard js/*.ts)))
JS_DEPS := js/node_modules/.package-lock.json

.PHONY: demo test bench clean

$(JS_DEPS): js/package.json js/package-lock.json
	cd js && npm ci --no-audit --no-fund
	touch $@

$(BUNDLES) &: $(JS_DEPS) js/build.mjs $(wildcard js/*.ts js/*.css)
	cd js && npm run build
	touch $(BUNDLES)

$(STAMP): pyproject.toml | $(BUNDLES)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP) $(BUNDLES)
	$(PY) examples/demo.py --out out/demo

test: $(STAMP) $(BUNDLES)
	cd js && npm test --silent
	$(PY) -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(PY) bench/bench_mlp.py

clean:
	rm -rf $(VENV) out build dist *.egg-info js/node_modules $(BUNDLES)
