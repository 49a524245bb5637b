package audit

import (
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
	data, err := pa.read(filepath.Join(pa.root, ignoreFile))
	var sk *source.Skip
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.As(err, &sk) {
		return nil, err
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

// applyInlineIgnores drops findings whose line, or the line above, says crossgate:ignore.
// Each file with findings is read once more, and only the lines that matter are kept (not
// every file split into lines until the end).
func (pa *pathAudit) applyInlineIgnores() {
	want := map[string]map[int]bool{}
	for _, f := range pa.out {
		if f.File != "" && f.Line > 0 {
			if want[f.File] == nil {
				want[f.File] = map[int]bool{}
			}
			want[f.File][f.Line], want[f.File][f.Line-1] = true, true
		}
	}
	lines := map[string]map[int]string{}
	for file, ns := range want {
		got := map[int]string{}
		_ = pa.src.ReadLines(pa.ctx, filepath.Join(pa.root, filepath.FromSlash(file)), ns, func(n int, line string) {
			if strings.Contains(line, "crossgate:ignore") {
				got[n] = line
			}
		})
		lines[file] = got
	}
	pa.out = slices.DeleteFunc(pa.out, func(f finding.Finding) bool {
		return f.File != "" && f.Line > 0 && (inlineIgnored(lines[f.File][f.Line], f.Rule) || inlineIgnored(lines[f.File][f.Line-1], f.Rule))
	})
}
