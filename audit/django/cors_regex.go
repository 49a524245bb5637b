package django

import (
	"errors"
	"net/url"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
)

// regexProblem is one way an origin regex lets a foreign origin through, with an origin
// that demonstrably matches.
type regexProblem struct {
	Kind   string // end-anchor, unescaped-dot, wildcard-before-domain, any-origin, null, http-scheme
	Reason string
	Bypass string // verified: the compiled regex accepts it under re.match semantics
}

type regexResult struct {
	Problems  []regexProblem
	Sample    string // an origin the author meant to allow
	Suggested string // an anchored, escaped regex for Sample
	Err       error  // the pattern could not be analysed (not Python-compatible enough)
}

const maxPatternLen = 4096

// pythonToGo rewrites the parts of Python's re syntax that differ from RE2 and rejects
// what RE2 cannot express, so that what we test is what Python would run.
func pythonToGo(pat string) (string, error) {
	if len(pat) > maxPatternLen {
		return "", errors.New("pattern too long to analyse")
	}
	var b strings.Builder
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch {
		case c == '\\' && i+1 < len(pat):
			n := pat[i+1]
			switch {
			case n == 'Z':
				b.WriteString(`\z`)
			case n >= '1' && n <= '9':
				return "", errors.New("backreferences are not supported by the analyser")
			default:
				b.WriteByte(c)
				b.WriteByte(n)
			}
			i++
			continue
		case c == '(' && strings.HasPrefix(pat[i:], "(?"):
			rest := pat[i+2:]
			switch {
			case strings.HasPrefix(rest, "="), strings.HasPrefix(rest, "!"), strings.HasPrefix(rest, "<="), strings.HasPrefix(rest, "<!"):
				return "", errors.New("lookaround is not supported by the analyser")
			case strings.HasPrefix(rest, "P="), strings.HasPrefix(rest, "("):
				return "", errors.New("backreferences and conditionals are not supported by the analyser")
			case strings.HasPrefix(rest, "#"):
				return "", errors.New("comment groups are not supported by the analyser")
			}
			if j := strings.IndexAny(rest, ":)"); j > 0 && strings.ContainsAny(rest[:j], "xaLu") && !strings.HasPrefix(rest, "P<") && !strings.HasPrefix(rest, "<") {
				return "", errors.New("inline flags x, a, L and u are not supported by the analyser")
			}
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

// compileMatch compiles pat with re.match semantics: anchored at the start only.
func compileMatch(goPat string) (*regexp.Regexp, *syntax.Regexp, error) {
	tree, err := syntax.Parse(goPat, syntax.Perl)
	if err != nil {
		return nil, nil, err
	}
	re, err := regexp.Compile(`^(?:` + goPat + `)`)
	if err != nil {
		return nil, nil, err
	}
	return re, tree, nil
}

// analyseOriginRegex checks one CORS_ALLOWED_ORIGIN_REGEXES entry.
func analyseOriginRegex(pat string) regexResult {
	var res regexResult
	goPat, err := pythonToGo(pat)
	if err != nil {
		res.Err = err
		return res
	}
	re, tree, err := compileMatch(goPat)
	if err != nil {
		res.Err = err
		return res
	}
	g := &gen{dotTarget: -1, repTarget: -1}
	g.emit(tree, 0)
	sample := g.b.String()
	if g.failed || !re.MatchString(sample) {
		res.Err = errors.New("could not build an origin the regex accepts")
		return res
	}
	res.Sample = sample
	if isOriginLike(sample) {
		res.Suggested = "^" + regexp.QuoteMeta(sample) + "$"
	}
	// foreign: c is accepted and its host is neither the intended host nor one of its
	// subdomains (a subdomain wildcard is a policy choice, not a bypass).
	foreignTo := func(c, intended string) bool {
		if !re.MatchString(c) {
			return false
		}
		h := hostOf(c)
		intended = strings.TrimLeft(hostOf(intended), ".-")
		if h == "" {
			return true
		}
		return h != intended && !strings.HasSuffix(h, "."+intended)
	}
	foreign := func(c string) bool { return foreignTo(c, sample) }
	add := func(kind, reason, bypass string) {
		for _, p := range res.Problems {
			if p.Kind == kind {
				return
			}
		}
		res.Problems = append(res.Problems, regexProblem{kind, reason, bypass})
	}
	// A regex that accepts an unrelated origin outright needs no subtler bypass.
	for _, c := range []string{"https://evil.example", "https://evil.example:443", "http://evil.example"} {
		if foreign(c) {
			add("any-origin", "it accepts unrelated origins", c)
			break
		}
	}
	if len(res.Problems) == 0 && hostOf(sample) != "" {
		if c := sample + ".evil.example"; foreign(c) {
			add("end-anchor", `no end anchor ($ or \Z), so any suffix is accepted`, c)
		}
		schemeEnd := strings.Index(sample, "://")
		for k := 0; k < g.dots && k < 16; k++ {
			m := &gen{dotTarget: k, repTarget: -1}
			m.emit(tree, 0)
			c := m.b.String()
			if !m.failed && m.mutatedAt > schemeEnd && schemeEnd >= 0 && foreign(c) {
				add("unescaped-dot", "an unescaped dot in the host matches any character", c)
			}
		}
		for k := 0; k < g.reps && k < 16; k++ {
			m := &gen{dotTarget: -1, repTarget: k, fill: "evil"}
			m.emit(tree, 0)
			base := &gen{dotTarget: -1, repTarget: k}
			base.emit(tree, 0)
			c := m.b.String()
			if !m.failed && !base.failed && m.mutatedAt > schemeEnd && schemeEnd >= 0 && foreignTo(c, base.b.String()) {
				add("wildcard-before-domain", "a wildcard before the domain accepts any prefix, not just subdomains", c)
			}
		}
	}
	if re.MatchString("null") {
		add("null", "it accepts the null origin (sandboxed iframes, data: and file: pages)", "null")
	}
	if strings.HasPrefix(sample, "https://") {
		if c := "http://" + strings.TrimPrefix(sample, "https://"); re.MatchString(c) {
			add("http-scheme", "it allows plain http, so a network attacker's injected page is trusted", c)
		}
	} else if strings.HasPrefix(sample, "http://") {
		add("http-scheme", "it allows plain http, so a network attacker's injected page is trusted", sample)
	}
	return res
}

func isOriginLike(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && u.Host != "" && u.Path == ""
}

func hostOf(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return ""
	}
	h := s[i+3:]
	if j := strings.IndexAny(h, "/?#"); j >= 0 {
		h = h[:j]
	}
	if j := strings.LastIndex(h, "@"); j >= 0 {
		h = h[j+1:]
	}
	if j := strings.LastIndex(h, ":"); j >= 0 && !strings.Contains(h[j:], "]") {
		h = h[:j]
	}
	return strings.ToLower(h)
}

// gen builds one string a regex accepts: the shortest natural reading (optional parts
// present, stars empty), optionally with one dot or one wildcard repetition mutated.
type gen struct {
	b         strings.Builder
	dots      int // standalone "any character" nodes seen
	reps      int // repetitions that can absorb "evil"
	dotTarget int
	repTarget int
	fill      string // what the target repetition becomes ("" drops it)
	mutatedAt int
	failed    bool
	steps     int
}

const maxGenSteps = 100_000

func pickRune(ranges []rune) (rune, bool) {
	in := func(r rune) bool {
		for i := 0; i+1 < len(ranges); i += 2 {
			if r >= ranges[i] && r <= ranges[i+1] {
				return true
			}
		}
		return false
	}
	for _, r := range "aeoxz0123456789-." {
		if in(r) {
			return r, true
		}
	}
	if len(ranges) >= 2 && ranges[0] <= unicode.MaxRune {
		return ranges[0], true
	}
	return 0, false
}

func acceptsAll(sub *syntax.Regexp, word string) bool {
	for _, r := range word {
		switch sub.Op {
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		case syntax.OpCharClass:
			ok := false
			for i := 0; i+1 < len(sub.Rune); i += 2 {
				if r >= sub.Rune[i] && r <= sub.Rune[i+1] {
					ok = true
				}
			}
			if !ok {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func (g *gen) emit(re *syntax.Regexp, depth int) {
	g.steps++
	if g.failed || g.steps > maxGenSteps || depth > 200 || g.b.Len() > 4096 {
		g.failed = true
		return
	}
	switch re.Op {
	case syntax.OpNoMatch:
		g.failed = true
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				r = unicode.ToLower(r)
			}
			g.b.WriteRune(r)
		}
	case syntax.OpCharClass:
		r, ok := pickRune(re.Rune)
		if !ok {
			g.failed = true
			return
		}
		g.b.WriteRune(r)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		if g.dots == g.dotTarget {
			g.mutatedAt = g.b.Len()
			g.b.WriteByte('x')
		} else {
			g.b.WriteByte('.')
		}
		g.dots++
	case syntax.OpCapture:
		g.emit(re.Sub[0], depth+1)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			g.emit(s, depth+1)
		}
	case syntax.OpAlternate:
		g.emit(re.Sub[0], depth+1)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		sub := re.Sub[0]
		lo, hi := 0, 1
		switch re.Op {
		case syntax.OpStar:
			lo, hi = 0, -1
		case syntax.OpPlus:
			lo, hi = 1, -1
		case syntax.OpQuest:
			// `https?` reads as https; optional groups such as (:\d+)? are left out
			lo, hi = 0, 1
			if sub.Op == syntax.OpLiteral {
				lo = 1
			}
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Max
			if lo == 0 && hi != 0 {
				lo = 1
			}
		}
		if (hi < 0 || hi >= 4) && acceptsAll(sub, "evil") {
			idx := g.reps
			g.reps++
			if idx == g.repTarget {
				g.mutatedAt = g.b.Len()
				g.b.WriteString(g.fill)
				return
			}
		}
		if re.Op == syntax.OpStar {
			return
		}
		if lo > 64 {
			g.failed = true
			return
		}
		for i := 0; i < lo; i++ {
			g.emitNoDot(sub, depth+1)
		}
	}
}

// emitNoDot emits inside a repetition: an "any character" there is not a dot the
// author meant to escape, so it is written as a letter and not counted.
func (g *gen) emitNoDot(re *syntax.Regexp, depth int) {
	if re.Op == syntax.OpAnyChar || re.Op == syntax.OpAnyCharNotNL {
		g.b.WriteByte('a')
		return
	}
	g.emit(re, depth)
}
