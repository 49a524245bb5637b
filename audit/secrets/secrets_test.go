package secrets

import (
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
)

const awsKey = `AWS_ACCESS_KEY_ID = "AKIACROSSGATEFAKEKEY"` + "\n"

func TestScan(t *testing.T) {
	got, values := Scan("app/storage.py", []byte("import os\n"+awsKey), false)
	if len(got) != 1 {
		t.Fatalf("got %d secrets, want 1: %+v", len(got), got)
	}
	f := got[0].Finding
	if f.Rule != "secret-in-source" || f.File != "app/storage.py" || f.Line != 2 || f.Column != 22 || f.Severity != finding.High {
		t.Errorf("finding %s at %s:%d:%d (%s)", f.Rule, f.File, f.Line, f.Column, f.Severity)
	}
	if strings.Contains(f.Evidence.Snippet, "AKIACROSSGATEFAKEKEY") || f.Fingerprint == "" || f.Remediation == "" {
		t.Errorf("unmasked or incomplete: %+v", f)
	}
	if len(values) != 1 || values[0] != "AKIACROSSGATEFAKEKEY" {
		t.Errorf("values %q", values)
	}
	if shown, _ := Scan("app/storage.py", []byte(awsKey), true); len(shown) != 1 || shown[0].Finding.Evidence.Snippet != strings.TrimSpace(awsKey) {
		t.Errorf("with showSecrets: %+v", shown)
	}
}

// Lock files, assignments in code and dotted import paths are not secrets; a value matched
// there is still returned, so that no other rule's snippet prints it.
func TestScanFalsePositives(t *testing.T) {
	if _, values := Scan("web/package-lock.json", []byte(awsKey), false); len(values) != 1 {
		t.Errorf("lock file values %q, want the key", values)
	}
	for rel, data := range map[string]string{
		"web/package-lock.json": `"integrity": "sha512-AKIACROSSGATEFAKEKEY"` + "\n" + awsKey,
		"forms.py":              "password = self.cleaned_data[\"password1\"]\n",
		"setup.cfg":             "hardcoded_password_default = bandit.plugins.general_hardcoded_password:hardcoded_password_default\n",
	} {
		if got, _ := Scan(rel, []byte(data), false); len(got) != 0 {
			t.Errorf("%s: %+v", rel, got)
		}
	}
}
