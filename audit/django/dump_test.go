package django

import (
	"fmt"
	"os"
	"testing"
)

// TestDump prints what crossgate finds under $CROSSGATE_DUMP (a debugging aid).
func TestDump(t *testing.T) {
	dir := os.Getenv("CROSSGATE_DUMP")
	if dir == "" {
		t.Skip("set CROSSGATE_DUMP=dir to print findings")
	}
	ps, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		fmt.Printf("project %+v\n", p)
		fs, err := Audit(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			fmt.Printf("%s %s %s:%d:%d [%s]\n   %s\n   snippet: %q\n", f.Severity, f.Rule, f.File, f.Line, f.Column, f.Settings, f.Detail, f.Evidence.Snippet)
		}
	}
}
