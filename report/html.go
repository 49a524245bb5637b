package report

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

// The HTML report is one file that works offline and from file://: its style and script are
// inline, and a Content-Security-Policy allows exactly those two blocks (by hash) and nothing
// else: no request can leave the page, and markup smuggled into a finding could not run.
// Every string from a report goes through html/template, which escapes by context, after
// the escaping of the text view (visibleCopy).

//go:embed html/report.tmpl html/report.css html/report.js
var htmlFiles embed.FS

var (
	htmlStyle  = mustRead("html/report.css")
	htmlScript = mustRead("html/report.js")
	htmlCSP    = fmt.Sprintf("default-src 'none'; style-src '%s'; script-src '%s'; base-uri 'none'; form-action 'none'", cspHash(htmlStyle), cspHash(htmlScript))
	htmlTmpl   = template.Must(template.New("report.tmpl").Funcs(template.FuncMap{
		"upper": strings.ToUpper,
		"lines": func(s string) int { return strings.Count(strings.TrimRight(s, "\n"), "\n") + 1 },
	}).ParseFS(htmlFiles, "html/report.tmpl"))
)

func mustRead(name string) string {
	b, err := htmlFiles.ReadFile(name)
	if err != nil {
		panic("report: embedded " + name + ": " + err.Error())
	}
	return string(b)
}

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

type htmlView struct {
	Report   *Report
	CSP      string
	Style    template.CSS
	Script   template.JS
	Targets  []htmlTarget
	Groups   []htmlGroup
	Counts   []htmlCount
	Matrix   []matrixRow
	Baseline *Baseline
}

type htmlTarget struct {
	Target
	Name, Auth string
}

type htmlCount struct {
	Severity string
	N        int
}

type htmlGroup struct {
	Severity string
	Findings []htmlFinding
}

type htmlFinding struct {
	finding.Finding
	Sev, Base, Location, Search string
	// ProofLine is the one-sentence verdict of the browser proofs, empty without them;
	// Proven says one of them read the response.
	ProofLine string
	Proven    bool
}

// matrixRow is one line of the browser matrix the ratings rest on: whether a browser presents
// the user's client certificate on a cross-origin fetch() in each credentials mode.
type matrixRow struct {
	Browser, Omit, SameOrigin, Include, Preflight, Source string
}

var browserMatrix = []matrixRow{
	{"Chromium (Chrome, Edge)", "presents it", "presents it", "presents it", "presents it",
		"crbug 40089326 (was 775438): the OmitCorsClientCert fix is off by default"},
	{"Firefox", "sends none", "sends none", "presents it", "sends none",
		"Fetch standard, create a connection: no credentials, no client certificate"},
}

// WriteHTML writes r as one self-contained HTML page: a grade per target, the findings by
// severity with filters, their evidence, fix and browser proofs, and the browser matrix.
func WriteHTML(w io.Writer, r *Report) error {
	r = visibleCopy(r)
	v := htmlView{Report: r, CSP: htmlCSP, Style: template.CSS(htmlStyle), Script: template.JS(htmlScript),
		Matrix: browserMatrix, Baseline: r.Baseline}
	for _, t := range r.Targets {
		name := t.URL
		if name == "" {
			name = t.Path
		}
		auth := authText[t.Auth]
		if auth == "" {
			auth = t.Auth
		}
		v.Targets = append(v.Targets, htmlTarget{Target: t, Name: name, Auth: auth})
	}
	for s := finding.Critical; s >= finding.Info; s-- {
		g := htmlGroup{Severity: s.String()}
		for _, f := range r.Findings {
			if f.Severity == s {
				g.Findings = append(g.Findings, htmlView1(f))
			}
		}
		v.Counts = append(v.Counts, htmlCount{Severity: g.Severity, N: len(g.Findings)})
		if len(g.Findings) > 0 {
			v.Groups = append(v.Groups, g)
		}
	}
	return htmlTmpl.Execute(w, v)
}

func htmlView1(f finding.Finding) htmlFinding {
	loc := location(f)
	return htmlFinding{Finding: f, Sev: f.Severity.String(), Base: f.BaseSeverity.String(), Location: loc,
		Search:    strings.ToLower(strings.Join([]string{f.Rule, f.Title, loc, f.Settings}, " ")),
		ProofLine: ProofLine(f.Proof), Proven: slices.ContainsFunc(f.Proof, func(p finding.Proof) bool { return p.Read })}
}

// ProofLine sums up a finding's browser proofs in one sentence: the first read that
// happened ("proven in Chromium 120: a page on http://127.0.0.1:5000 read 125 bytes with
// credentials: omit"), or that none did.
func ProofLine(ps []finding.Proof) string {
	if len(ps) == 0 {
		return ""
	}
	for _, p := range ps {
		if p.Read {
			how := "credentials: " + p.Mode
			if p.Preflight {
				how += ", after a preflight"
			}
			return fmt.Sprintf("proven in %s: a page on %s read %d bytes (%s; certificate presented by %s)",
				browserName(p), p.PageOrigin, p.Bytes, how, p.CertPresented)
		}
	}
	var modes []string
	for _, p := range ps {
		m := p.Mode
		if p.Preflight {
			m += " with a preflight"
		}
		modes = append(modes, m)
	}
	return fmt.Sprintf("not read in %s: a page on %s could not read the response (tried %s)",
		browserName(ps[0]), ps[0].PageOrigin, strings.Join(modes, ", "))
}

func browserName(p finding.Proof) string {
	name := p.Browser
	if name != "" {
		name = strings.ToUpper(name[:1]) + name[1:]
	}
	if major, _, _ := strings.Cut(p.Version, "."); major != "" {
		name += " " + major
	}
	return name
}
