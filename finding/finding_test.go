package finding

import (
	"encoding/json"
	"testing"
)

func TestSeverityRoundTrip(t *testing.T) {
	for _, s := range []Severity{Info, Low, Medium, High, Critical} {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back Severity
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Fatalf("%v -> %s -> %v (%v)", s, b, back, err)
		}
	}
	if _, err := ParseSeverity("severe"); err == nil {
		t.Fatal("ParseSeverity accepted an unknown name")
	}
	if n, _ := ParseSeverity("none"); n <= Critical {
		t.Fatal("none must sort above critical")
	}
	if High.Raise(5) != Critical || Low.Raise(-3) != Info || Medium.Raise(1) != High {
		t.Fatal("Raise does not clamp")
	}
}

func TestRegisterRejectsDuplicatesAndMalformedRules(t *testing.T) {
	ok := Rule{ID: "source-test-only-rule", Family: "source", Severity: Low, Title: "t"}
	Register(ok)
	if r, found := Lookup(ok.ID); !found || r.CWE == nil {
		t.Fatalf("registered rule not found or CWE nil: %+v", r)
	}
	for name, r := range map[string]Rule{
		"duplicate":      ok,
		"bad id":         {ID: "Source Rule", Family: "source", Title: "t"},
		"unknown family": {ID: "web-rule", Family: "web", Title: "t"},
		"no title":       {ID: "source-untitled", Family: "source"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Register did not panic", name)
				}
			}()
			Register(r)
		}()
	}
}
