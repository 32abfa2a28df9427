# VLPrompt developer entry points. `make demo` and `make test` are the two set-up commands.

SWIFT ?= swift
# Numeric Swift is very slow unoptimized, so tests run on an optimized build with testing enabled.
TEST_FLAGS := -c release -Xswiftc -enable-testing
BIN := .build/release/vlprompt

.PHONY: deps build test test-fast demo bench bench-peers fixtures clean

deps:
	@tools/install-deps.sh

build: deps
	$(SWIFT) build -c release --product vlprompt

test: deps
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	$(SWIFT) test $(TEST_FLAGS) --skip-build

test-fast: deps
	$(SWIFT) test $(TEST_FLAGS) --skip slow

demo: build
	$(BIN) demo

bench: build
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN) bench block --json
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN) bench kernels --json
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN) bench encode-image --arch vit-b32 --batch 32 --json

# Each benchmark beside its PyTorch peer in one run (needs ../shared/peers and a torch venv; VENV=...).
bench-peers: build
	tools/bench-vs-peer.sh encode-image 5
	tools/bench-vs-peer.sh coop 3
	tools/bench-vs-peer.sh cocoop 2

# Regenerates the committed PyTorch fixtures (needs the venv described in tools/fixtures/README.md).
fixtures:
	tools/fixtures/make_all.sh

clean:
	rm -rf .build
