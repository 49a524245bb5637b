package audit

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/crossgate/crossgate/audit/source"
	"github.com/crossgate/crossgate/finding"
)

// ignoreFile is the per-root file of gitignore-like patterns.
const ignoreFile = ".crossgateignore"

type ignoreRule struct {
	re      *regexp.Regexp
	negate  bool
	dirOnly bool
}

// ignorer matches slash-separated paths relative to an audit root against gitignore-like
// patterns: "#" comments, "!" negation, a trailing "/" for directories only, a leading or
// inner "/" anchoring to the root, "*", "?", "[...]" within a segment and "**" across them.
type ignorer struct{ rules []ignoreRule }

// loadIgnorer reads the root's .crossgateignore through the opener (a FIFO or a link out of
// the tree by that name is recorded as not audited, never waited on) and adds extra.
func (pa *pathAudit) loadIgnorer(extra []string) (*ignorer, error) {
	p := filepath.Join(pa.root, ignoreFile)
	data, err := pa.read(p)
	var sk *source.Skip
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.As(err, &sk) {
		return nil, err
	}
	if err == nil {
		pa.kept.put(p, data) // the walk visits it too: read once
	}
	return parseIgnore(data, extra), nil
}

// parseIgnore builds an ignorer from the lines of a .crossgateignore and extra patterns.
func parseIgnore(data []byte, extra []string) *ignorer {
	ig := &ignorer{}
	for line := range strings.Lines(string(data)) {
		ig.add(strings.TrimRight(line, "\n"))
	}
	for _, p := range extra {
		ig.add(p)
	}
	return ig
}

func (ig *ignorer) add(line string) {
	line = strings.TrimRight(line, " \t\r")
	if line == "" || strings.HasPrefix(line, "#") {
		return
	}
	r := ignoreRule{}
	if strings.HasPrefix(line, "!") {
		r.negate, line = true, line[1:]
	}
	line = strings.TrimPrefix(line, `\`) // "\#name" and "\!name" are literal
	if strings.HasSuffix(line, "/") {
		r.dirOnly, line = true, strings.TrimRight(line, "/")
	}
	anchored := strings.Contains(line, "/")
	line = strings.TrimPrefix(line, "/")
	if line == "" {
		return
	}
	expr := globRegexp(line)
	if anchored {
		expr = "^" + expr + "(/.*)?$"
	} else {
		expr = "(^|/)" + expr + "(/.*)?$"
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return
	}
	r.re = re
	ig.rules = append(ig.rules, r)
}

func globRegexp(g string) string {
	var b strings.Builder
	for i := 0; i < len(g); i++ {
		c := g[i]
		switch {
		case c == '*' && i+1 < len(g) && g[i+1] == '*':
			i++
			if i+1 < len(g) && g[i+1] == '/' {
				i++
				b.WriteString("(.*/)?")
			} else {
				b.WriteString(".*")
			}
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		case c == '[':
			j := strings.IndexByte(g[i:], ']')
			if j < 0 {
				b.WriteString(`\[`)
				continue
			}
			class := g[i+1 : i+j]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += j
		case c == '\\' && i+1 < len(g):
			i++
			b.WriteString(regexp.QuoteMeta(string(g[i])))
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return b.String()
}

// match reports whether rel (slash-separated, relative to the root) is ignored. The last
// matching pattern wins, as in gitignore.
func (ig *ignorer) match(rel string, isDir bool) bool {
	ignored := false
	for _, r := range ig.rules {
		if r.dirOnly && !isDir {
			// "build/" also covers files below a build directory.
			if loc := r.re.FindStringSubmatchIndex(rel); loc == nil || loc[len(loc)-2] < 0 {
				continue
			}
		}
		if r.re.MatchString(rel) {
			ignored = !r.negate
		}
	}
	return ignored
}

var inlineIgnore = regexp.MustCompile(`crossgate:ignore\b([^\n]*)`)
var ruleToken = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)+$`)

// inlineIgnored reports whether line carries "crossgate:ignore" (after #, //, ; or any other
// comment marker) for rule: with no rule IDs it silences every rule, otherwise the listed ones.
func inlineIgnored(line, rule string) bool {
	m := inlineIgnore.FindStringSubmatch(line)
	if m == nil {
		return false
	}
	var ids []string
	for _, tok := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		tok = strings.TrimRight(tok, "*/;:.")
		if ruleToken.MatchString(tok) {
			ids = append(ids, tok)
		} else {
			break // free text after the IDs, e.g. "-- reason"
		}
	}
	if len(ids) == 0 {
		return true
	}
	return slices.Contains(ids, rule)
}

// The visit notes, in each file it reads, the lines that say crossgate:ignore, so that
// applying them reads nothing again. A hostile tree could fill files with such lines: past
// maxIgnoreLines in all, a file's lines are not noted and it is read again if it has findings.
const (
	maxIgnoreLines = 64 << 10
	maxIgnoreText  = 512 // what follows the marker and matters: rule IDs, then free text
)

var ignoreMarker = []byte("crossgate:ignore")

// ignoreLines returns the lines of data that carry the marker, from the marker on, by line
// number; nil when there are none.
func ignoreLines(data []byte) map[int]string {
	if !bytes.Contains(data, ignoreMarker) {
		return nil
	}
	out := map[int]string{}
	n := 0
	for line := range bytes.Lines(data) {
		n++
		if i := bytes.Index(line, ignoreMarker); i >= 0 {
			line = bytes.TrimRight(line[i:], "\r\n")
			out[n] = string(line[:min(len(line), maxIgnoreText)])
		}
	}
	return out
}

// noteIgnoreLines records what the visit found in file (relative path), within the budget.
func (pa *pathAudit) noteIgnoreLines(file string, lines map[int]string) {
	if pa.ignoresKnown == nil {
		pa.ignoresKnown = map[string]map[int]string{}
	}
	if pa.ignoreCount+len(lines) > maxIgnoreLines {
		return // not known: read again if it has findings
	}
	pa.ignoreCount += len(lines)
	pa.ignoresKnown[file] = lines
}

// applyInlineIgnores drops findings whose line, or the line above, says crossgate:ignore.
func (pa *pathAudit) applyInlineIgnores() {
	pa.out = slices.DeleteFunc(pa.out, func(f finding.Finding) bool {
		if f.File == "" || f.Line <= 0 {
			return false
		}
		lines, ok := pa.ignoresKnown[f.File]
		if !ok {
			// Not visited (a file the Django or nginx side reached on its own), or over the
			// budget: read it now.
			data, err := pa.readQuiet(filepath.Join(pa.root, filepath.FromSlash(f.File)))
			if err != nil {
				return false
			}
			lines = ignoreLines(data)
			pa.noteIgnoreLines(f.File, lines)
		}
		return inlineIgnored(lines[f.Line], f.Rule) || inlineIgnored(lines[f.Line-1], f.Rule)
	})
}
