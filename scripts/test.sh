#!/usr/bin/env bash
# The one command that runs every test of ensemble, from a fresh clone.
# It installs what the tests need first (Go modules; Debian packages once the
# differential tests need them), so nothing has to be installed by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

go mod download

echo "== go vet"
go vet ./...

echo "== go test -race"
go test -race -count=1 -timeout 15m ./...
