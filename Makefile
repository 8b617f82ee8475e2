# The two commands the README opens with: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
PY := .venv/bin/python
DEBIAN_TEST_PACKAGES := tesseract-ocr tesseract-ocr-eng dovecot-imapd chromium poppler-utils libharfbuzz-subset0 redis-server openjdk-17-jre-headless nginx

.PHONY: run test lint install install-test debian-packages assets demo-code translations lock
CATALOGUE := webapp/translations/cy/LC_MESSAGES/messages

run: install assets instance/deployment.toml
	$(PY) -m flask --app webapp serve-demo

# The demo's sign-in codes: make demo-code EMAIL=chair@demo.invalid
demo-code: install instance/deployment.toml
	@$(PY) -m flask --app webapp demo-code $(EMAIL)

instance/deployment.toml:
	cp instance/examples/avon-and-somerset.toml $@

# The suite in one pytest worker per core (pytest-xdist; each worker has its own databases, Dovecot, Redis,
# SMTP sink and Chromium). `make test PYTEST_WORKERS=0` runs it in one process.
PYTEST_WORKERS ?= auto
test: lint assets debian-packages
	.venv/bin/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# ruff (style, bugs, complexity), mypy (types) and import-linter (the import direction in pyproject.toml).
lint: install-test
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/lint-imports

.venv/bin/python:
	python3 -m venv .venv
	.venv/bin/pip install --quiet --upgrade pip

install: .venv/.installed
.venv/.installed: pyproject.toml .venv/bin/python
	.venv/bin/pip install --quiet -e .
	touch $@

install-test: .venv/.installed-test
.venv/.installed-test: pyproject.toml .venv/bin/python
	.venv/bin/pip install --quiet -e '.[test]'
	touch .venv/.installed $@

assets: webapp/static/app.css $(CATALOGUE).mo
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
webapp/static/app.css: assets/app.scss node_modules/.package-lock.json
	npm run --silent build

# The Welsh catalogue, compiled from the .po kept in git (the .mo is built, never committed).
$(CATALOGUE).mo: $(CATALOGUE).po .venv/.installed
	.venv/bin/pybabel compile --statistics -d webapp/translations -D messages

# After changing a text people read: extract every marked string (and the question texts) and bring the
# Welsh catalogue up to date; then translate the new entries in $(CATALOGUE).po (the suite fails until
# every one has its Welsh).
translations: install
	.venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --no-wrap --sort-output -o webapp/translations/messages.pot .
	.venv/bin/pybabel update -i webapp/translations/messages.pot -d webapp/translations -D messages \
		--no-fuzzy-matching --ignore-obsolete --no-wrap

# Installs the Debian packages the suite drives (only those missing; needs root, as on these machines).
debian-packages:
	@missing=$$(for p in $(DEBIAN_TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# The production install's pinned dependencies with their hashes (README "Running in production"): run after
# changing a dependency in pyproject.toml, and commit requirements.lock.
lock: install-test
	.venv/bin/pip-compile --generate-hashes --strip-extras --quiet --no-header --no-emit-index-url \
		--no-emit-find-links -o requirements.lock pyproject.toml
