// Command gen writes the rule catalogue as Markdown (docs/rules.md); `go generate ./rules`
// runs it.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/crossgate/crossgate/rules"
)

func main() {
	out := flag.String("o", "", "write to this file instead of standard output")
	flag.Parse()
	md := rules.Markdown()
	if *out == "" {
		os.Stdout.Write(md)
		return
	}
	if err := os.WriteFile(*out, md, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
