// Command push-oracle pushes with Go's client_golang push package and prints what
// went on the wire, for the Rust push client's differential test.
//
// Usage: push-oracle < cases
//
// Each input line is a job, optionally followed by a tab, a grouping label name,
// a tab and its value. For each line the oracle pushes (PUT) one gauge family,
// g with help "h" and value 1.5, to a loopback server of its own, and writes one
// line: the request URI as received, a tab, the Content-Type, a tab, and the
// body in hex. A push Go refuses is written as "error" and Go's message.
//
// Build it with tests/oracle/build.sh OUTPUT push/main.go (offline, GOPATH mode).
package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	seen := make(chan string, 1)
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		seen <- r.RequestURI + "\t" + r.Header.Get("Content-Type") + "\t" + hex.EncodeToString(body)
		w.WriteHeader(http.StatusOK)
	}))

	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	for in.Scan() {
		fields := strings.Split(in.Text(), "\t")
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "g", Help: "h"})
		g.Set(1.5)
		p := push.New(ln.Addr().String(), fields[0]).Collector(g)
		if len(fields) == 3 {
			p = p.Grouping(fields[1], fields[2])
		}
		if err := p.Push(); err != nil {
			fmt.Fprintln(out, "error\t"+err.Error())
			continue
		}
		fmt.Fprintln(out, <-seen)
	}
	if err := in.Err(); err != nil {
		fail(err)
	}
	if err := out.Flush(); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err.Error())
	os.Exit(1)
}
