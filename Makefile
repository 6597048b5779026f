# kubectl-certs — the two commands: `make demo` and `make test`. Both install what they need.
# `make bench` prints the benchmark table (bench/run).
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT_BUILD_FLAGS ?=
PREFIX ?= /usr/local
DESTDIR ?=

# `make dist` and `make deb`: where the artifacts go, SwiftPM's scratch path for the static
# release build (apart from .build, so the two builds never undo each other), kubectl's
# completion helper to ship, where a release's files are published (the krew manifest's uri is
# RELEASE_DOWNLOAD_URL/v<version>/<archive>), and who answers for the Debian package.
DIST_DIR ?= dist
DIST_BUILD_DIR ?= .build-dist
COMPLETE_HELPER ?= scripts/kubectl_complete-certs
RELEASE_DOWNLOAD_URL ?= https://github.com/kubectl-certs/kubectl-certs/releases/download
DEB_MAINTAINER ?= kubectl-certs authors <maintainers@kubectl-certs.invalid>
export PREFIX DESTDIR DIST_DIR COMPLETE_HELPER RELEASE_DOWNLOAD_URL DEB_MAINTAINER

DIST_BUILD = swift build -c release --static-swift-stdlib --scratch-path $(DIST_BUILD_DIR) $(SWIFT_BUILD_FLAGS) --product kubectl-certs

.PHONY: all deps build release test demo bench lab-up lab-down install clean dist deb dist-binary

all: build

deps:
	@scripts/install-deps.sh

build: deps
	swift build $(SWIFT_BUILD_FLAGS)

release: deps
	swift build -c release $(SWIFT_BUILD_FLAGS)

# Builds, packs (the packaging tests check dist/), brings the whole lab up, runs every test,
# takes the lab down; exits as the tests did. When a server does not come up, `scripts/lab up`
# stops what it had started and fails, and so does this target, without running the tests.
test: deps
	swift build --build-tests $(SWIFT_BUILD_FLAGS)
	$(MAKE) dist deb
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

# The release binary with the Swift runtime linked in: it needs only libc, libcurl, OpenSSL 3
# and libldns where it runs.
dist-binary: deps
	$(DIST_BUILD)

# dist/kubectl-certs-<version>-linux-<arch>.tar.gz, its .sha256 and the krew manifest dist/certs.yaml.
dist: dist-binary
	scripts/dist-tarball "$$($(DIST_BUILD) --show-bin-path)/kubectl-certs"

# dist/kubectl-certs_<version>_<arch>.deb.
deb: dist-binary
	scripts/dist-deb "$$($(DIST_BUILD) --show-bin-path)/kubectl-certs" $(DIST_BUILD_DIR)

# Installs the plugin under DESTDIR/PREFIX: kubectl finds `kubectl-certs` on PATH and runs it as
# `kubectl certs`, and completes its arguments through `kubectl_complete-certs`; manual pages
# and shell completion go where man and the shells look.
install: release
	scripts/dist-install "$$(swift build -c release $(SWIFT_BUILD_FLAGS) --show-bin-path)/kubectl-certs" .build

clean:
	rm -rf .build $(DIST_BUILD_DIR) $(DIST_DIR)
