# SwiftMage. `make demo` runs the demo project; `make test` runs every test.
SWIFT ?= swift
BIN = $(shell $(SWIFT) build --show-bin-path)
SWIFT_PLUGINS = MageDataLoaders MageTransformers MageModels MageExporters
BENCH_SIZES ?= 1000,100000,1000000
RELEASE_BIN = $(shell $(SWIFT) build -c release --show-bin-path)
DEMO = mlops_demo
DEMO_C_PLUGINS = $(DEMO)/plugins/libchurn_features.so

.PHONY: requirements build plugins test test-ui bench demo down serve train clean
PORT ?= 5000
PID_FILE = $(DEMO)/.mage_data/prediction.pid
SERVICE_LOG = $(DEMO)/.mage_data/prediction.log
EXAMPLE = {"account_age": 24, "monthly_charges": 65.5, "total_charges": 1569.5, "num_services": 3, "customer_service_calls": 4, "contract_length": 12, "payment_method_score": 0.8, "usage_frequency": 0.7, "support_tickets": 2, "satisfaction_score": 0.6}

# What each goal needs from the system (Debian packages, Python packages for the tests) is checked, and
# installed when we are root, before anything builds: scripts/requirements.sh.
REQUIREMENTS ?= build
demo train: REQUIREMENTS = demo
test test-ui: REQUIREMENTS = test

requirements:
	@scripts/requirements.sh $(REQUIREMENTS)

build: requirements
	$(SWIFT) build

# Every Swift plugin into the build's plugin folder (beside the mage binary), where mage looks.
define install_plugins
	install -d -m 0755 $(BIN)/plugins
	for lib in $(SWIFT_PLUGINS); do install -m 0755 $(BIN)/lib$$lib.so $(BIN)/plugins/; done
endef

plugins: build
	$(install_plugins)

# C plugins of the demo project, built out of tree from the header alone.
$(DEMO)/plugins/lib%.so: $(DEMO)/plugins/src/%.c Sources/PluginAPI/include/mage_plugin.h
	cc -std=c99 -O2 -Wall -Wextra -Werror -shared -fPIC -I Sources/PluginAPI/include $< -o $@
	chmod 0755 $@

# One build with the tests (a plain `swift build` first would compile everything twice: the tests need
# a build with testing enabled).
test: requirements
	$(SWIFT) build --build-tests
	$(install_plugins)
	$(SWIFT) test --skip-build
	scripts/test-ui.sh

# The browser test alone (headless Chromium driven by Selenium, against a live web server over a copy of
# the demo project). It builds nothing: it uses the debug build and plugins that exist (make plugins).
test-ui: requirements
	scripts/test-ui.sh

demo: train
	$(BIN)/mage models list $(DEMO)
	$(BIN)/mage datasets list $(DEMO) --limit 3
	$(MAKE) --no-print-directory serve
	@echo "--- GET /health"; curl -sS http://127.0.0.1:$(PORT)/health; echo
	@echo "--- POST /predict (the example customer)"; curl -sS -H 'Content-Type: application/json' -d '$(EXAMPLE)' http://127.0.0.1:$(PORT)/predict; echo
	@echo "--- GET /lineage"; curl -sS http://127.0.0.1:$(PORT)/lineage | head -c 2000; echo
	@echo "The prediction service runs in the background (pid $$(cat $(PID_FILE)), log $(SERVICE_LOG)); stop it with: make down"

# The prediction service in the background; its pid in $(PID_FILE). Waits until it answers /health.
serve:
	@if [ -f $(PID_FILE) ] && kill -0 $$(cat $(PID_FILE)) 2>/dev/null; then echo "prediction service already running (pid $$(cat $(PID_FILE)))"; else \
		mkdir -p $(DEMO)/.mage_data; \
		nohup $(BIN)/mage start $(DEMO) --role prediction --port $(PORT) > $(SERVICE_LOG) 2>&1 & echo $$! > $(PID_FILE); \
		for i in $$(seq 1 100); do curl -sf -o /dev/null http://127.0.0.1:$(PORT)/ping && break; sleep 0.1; done; \
		if curl -sf -o /dev/null http://127.0.0.1:$(PORT)/ping; then echo "prediction service started (pid $$(cat $(PID_FILE))) on http://127.0.0.1:$(PORT)"; \
		else echo "the prediction service did not answer on port $(PORT); see $(SERVICE_LOG)"; rm -f $(PID_FILE); exit 1; fi; fi

# Stops exactly the service `make demo` started (SIGTERM: requests drain, the audit log is flushed).
down:
	@if [ -f $(PID_FILE) ]; then pid=$$(cat $(PID_FILE)); \
		if kill -0 $$pid 2>/dev/null; then kill -TERM $$pid; while kill -0 $$pid 2>/dev/null; do sleep 0.1; done; echo "stopped prediction service (pid $$pid)"; \
		else echo "prediction service (pid $$pid) was not running"; fi; rm -f $(PID_FILE); \
	else echo "no prediction service started by make demo"; fi

# The demo's ML pipeline: synthetic customers → preprocessing → random forest → registry → deployment.
train: plugins $(DEMO_C_PLUGINS)
	$(BIN)/mage run $(DEMO) demo_mlops

# Host overheads (ABI call, libffi, plugin loading, pipeline overhead); the random forest beside
# scikit-learn (n_jobs=-1) on the same data; the prediction service beside its own /ping and the seed's
# Flask service (wrk). Release build; every figure is printed beside its reference from the same run.
bench:
	@scripts/requirements.sh bench
	$(SWIFT) build -c release
	install -d -m 0755 $(RELEASE_BIN)/plugins
	for lib in $(SWIFT_PLUGINS); do install -m 0755 $(RELEASE_BIN)/lib$$lib.so $(RELEASE_BIN)/plugins/; done
	$(RELEASE_BIN)/mage-bench Tests/MageHostTests/Fixtures/plugins
	python3 Benchmarks/ModelBench/compare_sklearn.py --bench $(RELEASE_BIN)/model-bench \
		--out $$(mktemp -d) --sizes $(BENCH_SIZES) --repeat 1
	Benchmarks/ServingBench/run.sh $(RELEASE_BIN)
	Benchmarks/WebBench/run.sh $(RELEASE_BIN)
	Benchmarks/QueueBench/run.sh $(RELEASE_BIN)
	Benchmarks/SchedulerBench/run.sh $(RELEASE_BIN)

clean: down
	rm -rf .build $(DEMO)/.mage_data $(DEMO)/datasets $(DEMO)/model_registry $(DEMO)/deployment $(DEMO)/lineage $(DEMO_C_PLUGINS)
