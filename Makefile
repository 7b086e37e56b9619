# SwiftMage. `make demo` runs the demo project; `make test` runs every test.
SWIFT ?= swift
BIN = $(shell $(SWIFT) build --show-bin-path)
SWIFT_PLUGINS = MageDataLoaders MageTransformers MageModels MageExporters
BENCH_SIZES ?= 1000,100000,1000000
DEMO = mlops_demo
DEMO_C_PLUGINS = $(DEMO)/plugins/libchurn_features.so

.PHONY: build plugins test bench demo train clean

build:
	$(SWIFT) build

# Every Swift plugin into the build's plugin folder (beside the mage binary), where mage looks.
plugins: build
	install -d -m 0755 $(BIN)/plugins
	for lib in $(SWIFT_PLUGINS); do install -m 0755 $(BIN)/lib$$lib.so $(BIN)/plugins/; done

# C plugins of the demo project, built out of tree from the header alone.
$(DEMO)/plugins/lib%.so: $(DEMO)/plugins/src/%.c Sources/PluginAPI/include/mage_plugin.h
	cc -std=c99 -O2 -Wall -Wextra -Werror -shared -fPIC -I Sources/PluginAPI/include $< -o $@
	chmod 0755 $@

test: plugins
	$(SWIFT) test

demo: train
	$(BIN)/mage models list $(DEMO)
	$(BIN)/mage datasets list $(DEMO) --limit 3

# The demo's ML pipeline: synthetic customers → preprocessing → random forest → registry → deployment.
train: plugins $(DEMO_C_PLUGINS)
	$(BIN)/mage run $(DEMO) demo_mlops

# Host overheads (ABI call, libffi, plugin loading, pipeline overhead), then the random forest beside
# scikit-learn (n_jobs=-1) on the same data in the same run. Release build; prints ratios.
bench:
	$(SWIFT) build -c release
	$(SWIFT) run -c release mage-bench Tests/MageHostTests/Fixtures/plugins
	python3 Benchmarks/ModelBench/compare_sklearn.py --bench $$($(SWIFT) build -c release --show-bin-path)/model-bench \
		--out $$(mktemp -d) --sizes $(BENCH_SIZES) --repeat 1

clean:
	rm -rf .build $(DEMO)/.mage_data $(DEMO)/datasets $(DEMO)/model_registry $(DEMO)/deployment $(DEMO)/lineage $(DEMO_C_PLUGINS)
