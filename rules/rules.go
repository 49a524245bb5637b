// Package rules links every check family of crossgate, so that the whole rule catalogue is
// registered, and renders the catalogue as the contract in docs/rules.md. Each rule is declared
// next to the check that reports it (grep its ID); this package only gathers them.
package rules

//go:generate go run ./gen -o ../docs/rules.md

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/crossgate/crossgate/finding"

	// Every package that declares rules.
	_ "github.com/crossgate/crossgate/audit/django"
	_ "github.com/crossgate/crossgate/audit/nginx"
	_ "github.com/crossgate/crossgate/audit/secrets"
	_ "github.com/crossgate/crossgate/scan/corscheck"
	_ "github.com/crossgate/crossgate/scan/exposurecheck"
	_ "github.com/crossgate/crossgate/scan/mtlscheck"
)

// All returns the whole catalogue, family by family.
func All() []finding.Rule { return finding.Rules() }

var familyHeading = map[string]string{
	"cors":     "Black-box: CORS (`crossgate scan`)",
	"mtls":     "Black-box: mutual TLS (`crossgate scan`)",
	"exposure": "Black-box: data exposure (`crossgate scan`)",
	"django":   "Static: Django source (`crossgate audit`)",
	"nginx":    "Static: nginx (`crossgate audit`)",
	"source":   "Static: any source file (`crossgate audit`)",
}

// Markdown renders the catalogue and the output contract: docs/rules.md is this, generated.
func Markdown() []byte {
	var b bytes.Buffer
	b.WriteString(preamble)
	fam := ""
	for _, r := range All() {
		if r.Family != fam {
			fam = r.Family
			fmt.Fprintf(&b, "\n## %s\n\n| rule | base severity | CWE | OWASP | what it means |\n|---|---|---|---|---|\n", familyHeading[fam])
		}
		cwe := strings.Join(r.CWE, ", ")
		if cwe == "" {
			cwe = "—"
		}
		owasp := r.OWASP
		if owasp == "" {
			owasp = "—"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | **%s.** %s |\n", r.ID, r.Severity, cwe, owasp, cell(r.Title), cell(r.Summary))
	}
	b.WriteString(epilogue)
	return b.Bytes()
}

// cell keeps a table cell on one line and its pipes literal.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

const preamble = `# Rule catalogue (the contract)

<!-- Generated from the rule declarations by ` + "`go generate ./rules`" + `; do not edit by hand. -->

Every finding crossgate reports carries one of these rule IDs. The IDs are a public contract:
users filter on them, suppress them and wire them into CI, so an ID never changes meaning and
is never renamed. New rules may be added in the ` + "`family-slug`" + ` form. Severity below is
the *base*; the scan raises or lowers it from what it learns about the endpoint (see the end).

## Machine-readable output contract

` + "`crossgate scan --format json`" + ` and ` + "`crossgate audit --format json`" + ` print one JSON
object whose ` + "`findings`" + ` array holds every finding. Each finding has at least:

| field | meaning |
|---|---|
| ` + "`rule`" + ` | an ID from this file, e.g. ` + "`cors-wildcard-on-mtls`" + ` |
| ` + "`severity`" + ` | ` + "`critical`, `high`, `medium`, `low` or `info`" + ` (after correlation) |
| ` + "`title`" + ` | one line for humans |
| ` + "`cwe`" + ` | array like ` + "`[\"CWE-942\", \"CWE-213\"]`" + ` (empty, never null, when none fits) |
| ` + "`owasp`" + ` | OWASP API Security Top 10 2023 id where one fits, e.g. ` + "`API8:2023`" + ` |
| ` + "`url`" + ` | the probed URL (scan), or ` + "`file` + `line` + `column`" + ` (audit) |
| ` + "`evidence`" + ` | what was sent and what came back (scan), or the offending source span (audit); secrets redacted |
| ` + "`remediation`" + ` | concrete fix text, stack-specific where the stack is known |
| ` + "`fingerprint`" + ` | stable across runs for the same rule and location |

More fields may be added; these stay. The JSON Schema of the whole report is
[report/schema.json](../report/schema.json). SARIF output maps ` + "`rule`" + ` to ` + "`ruleId`" + `.
`

const epilogue = `
## Severity: correlation

A finding's final severity depends on three facts about the endpoint, which the scan learns:

1. **authenticated by what**: mTLS required at TLS level, at HTTP level, optional, none; cookies;
2. **readable by whom**: the Fetch-standard verdict per credentials mode, and the browser matrix
   (Chromium sends client certificates on non-credentialed requests, Firefox does not);
3. **what it returns**: sensitive data found in the body (PII, secrets) or not.

Each finding explains its severity in one sentence (which browser, which credentials mode,
which data) in ` + "`severity_reason`" + `.
`
