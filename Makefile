# kubectl-certs — the two commands: `make demo` and `make test`. Both install what they need.
# `make bench` prints the benchmark table (bench/run).
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT_BUILD_FLAGS ?=
PREFIX ?= /usr/local

.PHONY: all deps build release test demo bench lab-up lab-down install clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	swift build $(SWIFT_BUILD_FLAGS)

release: deps
	swift build -c release $(SWIFT_BUILD_FLAGS)

# Builds, brings the whole lab up, runs every test, takes the lab down; exits as the tests did.
# When a server does not come up, `scripts/lab up` stops what it had started and fails, and so
# does this target, without running the tests.
test: deps
	swift build --build-tests $(SWIFT_BUILD_FLAGS)
	scripts/lab up
	status=0; swift test --skip-build --disable-xctest || status=$$?; scripts/lab down; exit $$status

# Builds, brings the lab up, runs each long fault scenario RUNS times (default 5), prints the
# table RELIABILITY.md holds, takes the lab down; exits as the scenarios did.
.PHONY: reliability
reliability: deps
	swift build --build-tests $(SWIFT_BUILD_FLAGS)
	scripts/lab up
	status=0; scripts/reliability || status=$$?; scripts/lab down; exit $$status

# Release build, the lab components the benchmarks need brought up when they are down (and down
# again at the end), every benchmark, one markdown table. Knobs (ROUNDS, QUICK=1, PARTS...): bench/run.
bench: release
	bench/run

# Builds, brings the lab up, runs the main job on it and leaves the lab up.
demo: build
	scripts/lab up
	scripts/demo

lab-up: deps
	scripts/lab up

lab-down:
	scripts/lab down

# Installs the plugin: kubectl finds `kubectl-certs` on PATH and runs it as `kubectl certs`.
install: release
	install -m 0755 "$$(swift build -c release --show-bin-path)/kubectl-certs" $(PREFIX)/bin/kubectl-certs

clean:
	rm -rf .build
