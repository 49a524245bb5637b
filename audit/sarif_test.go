package audit

import (
	"bytes"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/crossgate/crossgate/internal/sariftest"
	"github.com/crossgate/crossgate/report"
)

// The SARIF of a real audit, not only the report package's samples, must validate against
// the official schema vendored in report/testdata.
func TestSeedlikeSARIFValidates(t *testing.T) {
	schema := sariftest.Schema(t)
	r := audit(t, Options{}, "testdata/seedlike", "testdata/clean")
	if len(r.Findings) == 0 {
		t.Fatal("no findings to render")
	}
	var b bytes.Buffer
	if err := report.WriteSARIF(&b, r); err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(v); err != nil {
		t.Errorf("seedlike SARIF does not validate: %v", err)
	}
}
