package demo

import (
	"io"
	"log"
)

// quietLog drops net/http's per-connection TLS errors: the scan's probes without a
// certificate are refused on purpose, and the demo's output is the report, not server noise.
func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
