# tieracl: see README.md. Every target works from a clean checkout; downloads and built binaries are cached
# outside the repo in $(TIERACL_CACHE).
SHELL := /bin/bash
export TIERACL_CACHE ?= $(HOME)/.cache/tieracl
GO ?= go
BIN := bin

.PHONY: all build test unit generate lint fmt-check ovn demo conformance bench clean

all: build

build:
	$(GO) build -o $(BIN)/ ./go-controller/cmd/...

# The README's test command: static checks, then every test, the real-OVN ones included. They fetch OVN
# 25.03 into the cache on first use and fail, with the reason, if it cannot start.
test: lint ovn
	$(GO) test -count=1 ./...

# Fast tests only: no real OVN.
unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v /test/)

# Regenerates the NB model from the committed OVN 25.03 schema (go-controller/pkg/nbdb/ovn-nb.ovsschema).
generate:
	cd go-controller/pkg/nbdb && $(GO) generate ./...

lint: fmt-check
	$(GO) vet ./...

fmt-check:
	@bad=$$(gofmt -l $$(git ls-files '*.go' | grep -v '/nbdb/')); \
	if [ -n "$$bad" ]; then echo "gofmt would change:"; echo "$$bad"; exit 1; fi

# OVN 25.03 / OVS 3.5 from Debian trixie, unpacked into the cache (never installed on the host).
ovn:
	test/ovn/fetch.sh >/dev/null

# The main job on the embedded example, no cluster needed.
demo:
	$(GO) run ./go-controller/cmd/tieracl render

# network-policy-api v0.1.7 conformance through every backend; writes docs/conformance/<backend>.yaml.
conformance: ovn
	$(GO) test -count=1 ./test/conformance/...
	$(GO) run ./test/conformance/cmd/report -out docs/conformance -version "$$(git describe --tags --always --dirty)"

# The controller benchmark (docs/performance.md): full sync, restart and pod label streams against a
# real NB, on the reference workload w0, the synthetic W1 and the reference w1 (gen.py from
# ../shared/bench). Not part of `make test`; BENCH_FLAGS passes more flags, e.g. --json.
BENCH_FLAGS ?=
bench: ovn
	$(GO) build -o $(BIN)/tieracl-bench ./test/bench/cmd/tieracl-bench
	for w in w0 W1 w1; do $(BIN)/tieracl-bench --workload $$w $(BENCH_FLAGS) || exit 1; done

clean:
	rm -rf $(BIN)
