#!/bin/sh
# Build the Go oracle (tests/oracle/main.go) offline, in GOPATH mode, against
# the Debian packages golang-github-prometheus-common-dev (expfmt 0.39.0) and
# golang-github-prometheus-client-model-dev under /usr/share/gocode.
#
# Usage: tests/oracle/build.sh [OUTPUT [SOURCE]]
#   OUTPUT defaults to target/go-oracle/expfmt-oracle, relative to the repo root.
#   SOURCE defaults to main.go, relative to tests/oracle; push/main.go is the push
#   client's oracle, which also needs golang-github-prometheus-client-golang-dev.
#   The Go build cache goes to .gocache next to OUTPUT.
set -eu

gopath=/usr/share/gocode
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-"$root/target/go-oracle/expfmt-oracle"}
src="$here/${2:-main.go}"
pkgs="github.com/prometheus/common/expfmt github.com/prometheus/client_model/go"
if grep -q client_golang "$src"; then
	pkgs="$pkgs github.com/prometheus/client_golang/prometheus/push"
fi

if ! command -v go >/dev/null 2>&1; then
	echo "build.sh: 'go' not found in PATH (install the Debian package golang-go)" >&2
	exit 1
fi
for pkg in $pkgs; do
	if [ ! -d "$gopath/src/$pkg" ]; then
		echo "build.sh: Go package $pkg not found under $gopath/src" >&2
		echo "build.sh: install golang-github-prometheus-common-dev, golang-github-prometheus-client-model-dev (and for push/main.go golang-github-prometheus-client-golang-dev)" >&2
		exit 1
	fi
done

mkdir -p "$(dirname "$out")"
outdir=$(cd "$(dirname "$out")" && pwd)
out="$outdir/$(basename "$out")"

# GO111MODULE=off: resolve imports from $GOPATH/src only (no module proxy, no
# network); GOPROXY=off makes that explicit should module mode ever kick in.
GO111MODULE=off GOPATH="$gopath" GOCACHE="$outdir/.gocache" GOFLAGS= GOPROXY=off \
	CGO_ENABLED=0 go build -trimpath -o "$out" "$src"
echo "built $out" >&2
