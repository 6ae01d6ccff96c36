# raftcheck — see README.md. Every target works on a fresh clone with only Go installed
# (test-browser installs Debian's chromium itself when it is missing).
GO      ?= go
BIN     := bin/raftcheck
PKGS    := ./...
# Bounded fuzzing: each target runs this long.
FUZZTIME ?= 10s

.PHONY: all build run test test-unit lint bench fuzz cover test-browser soak clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/raftcheck

# The main job: one standard run on defaults (5 nodes, 10 clients, kv workload,
# partitions and crashes, 60 s simulated plus the recovery window).
run: build
	./$(BIN) run

# Tests include lint, the determinism checks and the race-detector pass.
test: lint test-unit

# No test verdict depends on the machine's speed; the package timeout is
# only a hang guard, far above what a busy 2-core machine needs. go test's
# default, 10m, is not: on 2 cores the root package (80 s quiet) took 11 to
# 16 minutes at load 18-25, and over 30 at load 30-45.
TESTTIMEOUT ?= 60m

test-unit:
	$(GO) test -count=1 -timeout $(TESTTIMEOUT) $(PKGS)
	GOMAXPROCS=1 $(GO) test -count=1 -timeout $(TESTTIMEOUT) -run 'Determinism' ./sim/ .
	$(GO) test -count=1 -timeout $(TESTTIMEOUT) -race -run 'Determinism' ./sim/
	$(GO) test -count=1 -timeout $(TESTTIMEOUT) -race -run 'DeterminismEtcd' .

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt wants to rewrite:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

# The Go benchmarks of the building blocks and of whole runs, then the one
# table of every figure with its target (docs/performance.md). The root
# benchmarks run under the CLI's collector setting (GOGC=400; see
# cmd/raftcheck/gc.go) so both measure the same thing.
bench: build
	$(GO) test -run '^$$' -bench 'Engine|Network' -benchmem ./sim/
	$(GO) test -run '^$$' -bench 'Commit' -benchmem ./raft/raftbench/
	$(GO) test -run '^$$' -bench . -benchmem ./kvstore/ ./checker/
	GOGC=400 $(GO) test -run '^$$' -bench . -benchmem -timeout 30m .
	./$(BIN) bench

fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for fn in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$fn ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

cover:
	$(GO) test -count=1 -coverprofile=cover.out $(PKGS)
	$(GO) tool cover -func=cover.out | tail -1

clean:
	rm -rf bin cover.out

# Loads timeline.html and linearizability.html in headless chromium (installed
# from Debian's packages when missing), fails on any console error, and saves
# screenshots.
test-browser:
	GO=$(GO) bash checker/report/testdata/browser-test.sh

# The clean build's long sweeps: 1,000 seeds of the standard run (issue 8) and
# 5,000 seeds of the whole-configuration swarm (issue 14) must all pass (CI
# runs 100 and a few swarm seeds in TestCleanSweep and the swarm tests). Only
# failing seeds are stored.
soak: build
	./$(BIN) sweep --count 1000
	./$(BIN) sweep --swarm --count 5000
