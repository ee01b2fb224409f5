# Two entry points that work on a fresh Debian/Ubuntu machine with the Swift toolchain:
#   make forward   runs the main job (see README)
#   make test      builds and runs the test suite
SWIFT ?= swift

.PHONY: deps build release test forward clean

# System libraries: OpenBLAS (matrix products) and pkg-config (to find it).
deps:
	@if ! ldconfig -p | grep -q libopenblas.so.0; then \
		echo "installing libopenblas-dev and pkg-config"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq libopenblas-dev pkg-config; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

forward: release
	$(SWIFT) run -c release --skip-build deberta forward \
		--model Examples/deberta-v3-tiny --inputs Examples/deberta-v3-tiny/inputs.safetensors \
		--output /tmp/deberta-forward.safetensors --labels --gradients
	@echo "wrote /tmp/deberta-forward.safetensors"

clean:
	rm -rf .build
