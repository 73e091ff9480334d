# The project's everyday commands; .ci/run uses them too.
#
#   make        build the azapply binary into bin/
#   make test   the whole test suite
#   make lint   go vet and golangci-lint (.golangci.yml)
#   make race   the packages that run things concurrently, under the race detector
#   make fuzz   each parser's fuzz target for FUZZTIME (10s) each
#   make bench  the benchmark against the throttled emulator (N = 100, about a minute)
#   make ci     what CI runs once its services are set up: lint, fuzz, test, race

GO ?= go
# golangci-lint is run with `go run` at this version, so that nothing needs
# installing by hand and every machine lints alike.
GOLANGCI_LINT_VERSION ?= v2.15.0
GOLANGCI_LINT = $(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
# Packages that run things concurrently, or share state between goroutines.
RACE_PKGS = ./apply ./plan ./arm ./state/... ./emulator ./config ./export ./fleet ./cmd/azapply/views
FUZZTIME ?= 10s
BENCH_FLAGS ?=

.PHONY: all build test lint vet race fuzz bench ci

all: build

build:
	$(GO) build -o bin/azapply ./cmd/azapply

test:
	$(GO) test ./...

vet:
	$(GO) vet ./...

lint: vet
	$(GOLANGCI_LINT) run ./...

race:
	$(GO) test -race $(RACE_PKGS)

fuzz:
	FUZZTIME=$(FUZZTIME) .ci/fuzz

bench:
	$(GO) run ./bench $(BENCH_FLAGS)

ci: lint fuzz test race
