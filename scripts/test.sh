#!/usr/bin/env bash
# The one command that runs every test of ensemble, from a fresh clone.
# It installs what the tests need first, so nothing has to be installed by
# hand: the Go modules, and Debian's Apache ZooKeeper 3.8 and kazoo, which
# the differential tests run against.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -d /usr/share/zookeeper ] || need+=(zookeeper)
python3 -c 'import kazoo' 2>/dev/null || [ -e /usr/lib/python3/dist-packages/kazoo ] || need+=(python3-kazoo)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

go mod download

echo "== go vet"
go vet ./...

echo "== go test -race"
go test -race -count=1 -timeout 20m ./...
