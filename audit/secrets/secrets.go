// Package secrets implements the rule secret-in-source: credentials committed in any text
// file of an audited tree. The detectors are package exposure's, the same catalogue the scan
// uses on response bodies (secret-in-response); this package decides which of their matches
// count in source files, and at what severity.
package secrets

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/crossgate/crossgate/exposure"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/prose"
)

// ruleSecretInSource is the rule this package reports.
var ruleSecretInSource = finding.Rule{
	ID: "secret-in-source", Family: "source", Severity: finding.High,
	CWE: []string{"CWE-540", "CWE-312"}, OWASP: "API8:2023",
	Title:   "Secret committed in source",
	Summary: "secrets committed in source or config files (same catalogue as secret-in-response).",
}

func init() { finding.Register(ruleSecretInSource) }

// Secret is one secret-in-source finding and the exposure detector that matched it.
type Secret struct {
	Finding  finding.Finding
	Detector string
}

// lockfiles hold package hashes and registry URLs that look like secrets and never are.
var lockfiles = map[string]bool{
	"package-lock.json": true, "yarn.lock": true, "pnpm-lock.yaml": true, "poetry.lock": true,
	"Pipfile.lock": true, "go.sum": true, "Cargo.lock": true, "composer.lock": true,
	"Gemfile.lock": true, "uv.lock": true, "pdm.lock": true, "npm-shrinkwrap.json": true,
}

// Scan returns every secret committed in the text file data, and the values of all secrets
// the detectors matched, also those not reported (a lock file's, an assignment in code),
// which no output may print. rel is the file's path as findings report it (slash-separated,
// relative to the audited root); it also decides the severity policy (test paths,
// documentation). Values are masked in the findings unless showSecrets.
func Scan(rel string, data []byte, showSecrets bool) (found []Secret, values []string) {
	var out []Secret
	for _, m := range exposure.Scan(data) {
		if m.Kind != exposure.Secret || m.Start < 0 || m.Start > len(data) {
			continue
		}
		values = append(values, m.Value)
		if lockfiles[path.Base(rel)] {
			continue
		}
		if shapeless[m.Detector] && codeExt[strings.ToLower(path.Ext(rel))] && !quotedAt(data, m.Start) {
			// In code, "password = self.cleaned_data[...]" is an assignment, not a secret:
			// a format-free detector counts only string literals there.
			continue
		}
		if shapeless[m.Detector] && isDottedPath(m.Value) {
			continue
		}
		line, col, lineStart := position(data, m.Start)
		lineEnd := bytes.IndexByte(data[lineStart:], '\n')
		if lineEnd < 0 {
			lineEnd = len(data) - lineStart
		}
		text := string(data[lineStart : lineStart+lineEnd])
		vs, ve := m.Start-lineStart, min(m.End-lineStart, len(text))
		shown := m.Value
		if !showSecrets {
			shown = exposure.Mask(m.Value)
		}
		if ve > vs {
			text = text[:vs] + firstLine(shown) + text[ve:]
		}
		f := finding.New(ruleSecretInSource.ID)
		f.File, f.Line, f.Column = rel, line, col
		f.Detail = fmt.Sprintf("%s is committed in %s (detector %s).", prose.Capitalise(prose.Article(m.Label)), rel, m.Detector)
		f.Evidence.Snippet = strings.TrimRight(text, "\r")
		if m.Note != "" {
			f.Evidence.Notes = append(f.Evidence.Notes, m.Note)
		}
		if m.Confidence > 0 && m.Confidence < 0.5 {
			f.SetSeverity(finding.Medium, fmt.Sprintf("Low-confidence match (%.2f): it may be a placeholder.", m.Confidence))
		} else {
			f.SeverityReason = "Anyone with read access to the repository, or to any copy of it, holds the credential."
		}
		applyPolicy(&f, rel, data, m.Start)
		if why := notASecret(notSecretInput{rel: rel, detector: m.Detector, value: m.Value, line: string(data[lineStart : lineStart+lineEnd]), at: m.Start - lineStart}); why != "" {
			f.SetSeverity(finding.Info, "Not a committed secret: "+why+".")
			f.Evidence.Notes = append(f.Evidence.Notes, "reported at info: "+why)
		}
		f.Remediation = fmt.Sprintf("Revoke the %s now and issue a new one: removing it from the file does not remove it from version-control history. "+
			"Load the replacement from the environment or a secret manager at run time (for Django: SECRET = os.environ[\"NAME\"]), "+
			"and purge the old value from history (git filter-repo) if the repository is shared.", m.Label)
		f.Seal(fmt.Sprintf("%s|%d", m.Detector, col))
		out = append(out, Secret{Finding: f, Detector: m.Detector})
	}
	return out, values
}

// shapeless detectors recognise a secret by the name next to it, not by a format of its own.
var shapeless = map[string]bool{"generic-secret": true, "django-secret-key": true}

// codeExt are source languages where a value is a literal only when quoted.
var codeExt = map[string]bool{
	".py": true, ".pyi": true, ".js": true, ".mjs": true, ".cjs": true, ".jsx": true, ".ts": true,
	".tsx": true, ".go": true, ".rb": true, ".java": true, ".kt": true, ".php": true, ".cs": true,
	".rs": true, ".swift": true, ".scala": true, ".c": true, ".h": true, ".cc": true, ".cpp": true,
}

func quotedAt(data []byte, start int) bool {
	return start > 0 && strings.IndexByte("\"'`", data[start-1]) >= 0
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + "…"
	}
	return s
}

// position returns the 1-based line and column (in characters) of byte offset off.
func position(data []byte, off int) (line, col, lineStart int) {
	line = 1 + bytes.Count(data[:off], []byte{'\n'})
	lineStart = bytes.LastIndexByte(data[:off], '\n') + 1
	col = 1 + len([]rune(string(data[lineStart:off])))
	return line, col, lineStart
}
