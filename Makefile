# pctracker: make run | test | build | lint | bench | fuzz

GO      ?= go
PKGS    ?= ./...
BIN     ?= bin/pctracker

.PHONY: run demo test test-short build lint fmt tidy docker clean bench fuzz

## run: serve the demo (a fresh SQLite file with realistic data)
run demo:
	$(GO) run ./cmd/pctracker demo

## test: every test, on SQLite and on PostgreSQL (found or started by .ci/postgres.sh)
test:
	@./.ci/test.sh $(PKGS)

## test-short: quick run without the race detector
test-short:
	@. ./.ci/postgres.sh && $(GO) test -count=1 $(PKGS)

## fuzz: every fuzz target for FUZZTIME each (default 10s), on SQLite; a
## failing input lands in the package's testdata/fuzz/ and is replayed by go test
fuzz:
	@./.ci/fuzz.sh

## build: a static binary (no cgo)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w" -o $(BIN) ./cmd/pctracker

## bench: the whole performance measurement on PostgreSQL (nginx as the static
## baseline, wrk beside the load driver): one table of figures, targets and
## verdicts. BENCH_DURATION=10s and BENCH_ACTIONS_PER_CYCLE=N shorten it.
bench: build
	$(GO) build -o bin/pctracker-load ./cmd/pctracker-load
	@PCTRACKER_BIN=$(BIN) ./.ci/bench.sh

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

tidy:
	$(GO) mod tidy

docker:
	docker build -t pctracker .

clean:
	rm -rf bin data
