// Command expfmt-oracle is the Go reference oracle for the Rust expfmt crate's
// differential tests. It runs the input on stdin through Go's
// github.com/prometheus/common/expfmt and writes the result to stdout.
//
// Usage: expfmt-oracle text2text|text2proto|proto2text|proto2proto < input
//
//	expfmt-oracle negotiate|negotiate-om < accept-headers
//
//	text2text    parse text 0.0.4, write every family (sorted by name) as text
//	text2proto   parse text 0.0.4, write every family (sorted by name) as
//	             varint-delimited protobuf
//	proto2text   decode varint-delimited protobuf until EOF, write each family
//	             as text, in input order
//	proto2proto  decode varint-delimited protobuf until EOF, re-encode each
//	             family as varint-delimited protobuf, in input order
//	negotiate    for each input line, an Accept header, write the format
//	             expfmt.Negotiate chooses, one per line
//	negotiate-om the same with expfmt.NegotiateIncludingOpenMetrics
//
// Exit status: 0 on success; 1 on a parse, decode or encode error, with
// err.Error() on stderr and nothing on stdout; 2 on a usage error.
//
// Build it with tests/oracle/build.sh (offline, GOPATH mode).
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

func main() {
	if len(os.Args) != 2 {
		usage()
	}
	if os.Args[1] == "negotiate" || os.Args[1] == "negotiate-om" {
		negotiate(os.Args[1] == "negotiate-om")
		return
	}
	var fams []*dto.MetricFamily
	var err error
	toText := false
	switch os.Args[1] {
	case "text2text", "text2proto":
		fams, err = parseText(os.Stdin)
		toText = os.Args[1] == "text2text"
	case "proto2text", "proto2proto":
		fams, err = decodeProto(os.Stdin)
		toText = os.Args[1] == "proto2text"
	default:
		usage()
	}
	if err != nil {
		fail(err)
	}

	// Buffer the whole output so that a failing encode writes nothing to stdout.
	var out bytes.Buffer
	enc := expfmt.NewEncoder(&out, expfmt.FmtProtoDelim)
	for _, f := range fams {
		if toText {
			_, err = expfmt.MetricFamilyToText(&out, f)
		} else {
			err = enc.Encode(f)
		}
		if err != nil {
			fail(err)
		}
	}
	if _, err := os.Stdout.Write(out.Bytes()); err != nil {
		fail(err)
	}
}

// parseText parses the whole input as text 0.0.4 and returns the families
// sorted by name.
func parseText(r io.Reader) ([]*dto.MetricFamily, error) {
	var p expfmt.TextParser
	byName, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(byName))
	for name := range byName {
		names = append(names, name)
	}
	sort.Strings(names)
	fams := make([]*dto.MetricFamily, 0, len(names))
	for _, name := range names {
		fams = append(fams, byName[name])
	}
	return fams, nil
}

// decodeProto decodes varint-delimited families until io.EOF and returns them
// in input order.
func decodeProto(r io.Reader) ([]*dto.MetricFamily, error) {
	dec := expfmt.NewDecoder(r, expfmt.FmtProtoDelim)
	var fams []*dto.MetricFamily
	for {
		f := &dto.MetricFamily{}
		err := dec.Decode(f)
		if err == io.EOF {
			return fams, nil
		}
		if err != nil {
			return nil, err
		}
		fams = append(fams, f)
	}
}

// negotiate answers one Accept header per input line with the chosen format.
func negotiate(openMetrics bool) {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	for in.Scan() {
		h := http.Header{}
		h.Set("Accept", in.Text())
		var f expfmt.Format
		if openMetrics {
			f = expfmt.NegotiateIncludingOpenMetrics(h)
		} else {
			f = expfmt.Negotiate(h)
		}
		fmt.Fprintln(out, f)
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

func usage() {
	fmt.Fprintln(os.Stderr, "usage: expfmt-oracle text2text|text2proto|proto2text|proto2proto|negotiate|negotiate-om < input")
	os.Exit(2)
}
