package nginx

import "strings"

// Snippet returns the source lines of d's head, from its name to the ';' or '{' that ends it.
func (c *Config) Snippet(d *Directive) string {
	lines := c.lines[d.File]
	if d.Line < 1 || d.Line > len(lines) {
		return ""
	}
	end := d.EndLine
	if end < d.Line {
		end = d.Line
	}
	if end > len(lines) {
		end = len(lines)
	}
	if end-d.Line > 5 {
		end = d.Line + 5
	}
	out := make([]string, 0, end-d.Line+1)
	for _, l := range lines[d.Line-1 : end] {
		out = append(out, strings.TrimRight(l, " \t\r"))
	}
	return strings.Join(out, "\n")
}

// Line returns line n (1-based) of file as read, or "".
func (c *Config) Line(file string, n int) string {
	lines := c.lines[file]
	if n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
}

// Arg returns argument i, or "".
func (d *Directive) Arg(i int) string {
	if i < 0 || i >= len(d.Args) {
		return ""
	}
	return d.Args[i]
}

// Find returns the directives named name directly inside block.
func Find(block []*Directive, name string) []*Directive {
	var out []*Directive
	for _, d := range block {
		if d.Name == name {
			out = append(out, d)
		}
	}
	return out
}

// First returns the first directive named name directly inside block, or nil.
func First(block []*Directive, name string) *Directive {
	for _, d := range block {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// Walk calls fn for every directive in depth-first order with its ancestors (outermost first).
// fn returns false to skip d's block.
func Walk(block []*Directive, fn func(d *Directive, ancestors []*Directive) bool) {
	var walk func(block []*Directive, anc []*Directive)
	walk = func(block []*Directive, anc []*Directive) {
		for _, d := range block {
			if fn(d, anc) && len(d.Block) > 0 {
				walk(d.Block, append(anc[:len(anc):len(anc)], d))
			}
		}
	}
	walk(block, nil)
}

// LocationMatch splits a location's arguments into its modifier ("", "=", "~", "~*", "^~" or
// "@" for a named location) and its pattern. nginx also accepts the modifier glued to the
// pattern ("location =/x", "location ~*\.php$").
func LocationMatch(d *Directive) (modifier, pattern string) {
	switch len(d.Args) {
	case 0:
		return "", ""
	case 1:
		a := d.Args[0]
		for _, m := range []string{"~*", "^~", "=", "~", "@"} {
			if strings.HasPrefix(a, m) && len(a) > len(m) {
				if m == "@" {
					return "@", a[1:]
				}
				return m, a[len(m):]
			}
		}
		return "", a
	default:
		return d.Args[0], d.Args[1]
	}
}

// MapEntry is one line of a map block: a source value (exact or ~regex) and its result.
type MapEntry struct {
	Key   string
	Value string
	Regex bool
	// CaseInsensitive is set for "~*" keys.
	CaseInsensitive bool
	D               *Directive
}

// Map is a parsed map block: map SOURCE $VARIABLE { ... }.
type Map struct {
	Source   string
	Variable string
	// Default is the default result, "" when the map has none (nginx's default too).
	Default    string
	HasDefault bool
	Entries    []MapEntry
	D          *Directive
}

// ParseMap reads a map directive's body, whose lines are key/value pairs, not directives.
func ParseMap(d *Directive) *Map {
	if d.Name != "map" || len(d.Args) < 2 {
		return nil
	}
	m := &Map{Source: d.Args[0], Variable: d.Args[1], D: d}
	for _, e := range d.Block {
		switch e.Name {
		case "hostnames", "volatile":
			if len(e.Args) == 0 {
				continue
			}
		case "default":
			if len(e.Args) == 1 {
				m.Default, m.HasDefault = e.Args[0], true
				continue
			}
		}
		me := MapEntry{Key: e.Name, Value: e.Arg(0), D: e}
		if len(e.Args) > 1 {
			me.Value = strings.Join(e.Args, " ")
		}
		switch {
		case strings.HasPrefix(me.Key, "~*"):
			me.Key, me.Regex, me.CaseInsensitive = me.Key[2:], true, true
		case strings.HasPrefix(me.Key, "~"):
			me.Key, me.Regex = me.Key[1:], true
		case strings.HasPrefix(me.Key, `\`):
			me.Key = me.Key[1:] // "\~" escapes a literal leading tilde
		}
		m.Entries = append(m.Entries, me)
	}
	return m
}

// Inherited returns the directives named name in effect at the innermost level, for the
// array-like directives nginx inherits all-or-nothing (add_header, proxy_set_header,
// fastcgi_param...): levels go from the innermost block outwards, and the first level that
// has any directive of that name wins; the outer ones are then dropped entirely.
func Inherited(name string, levels ...[]*Directive) []*Directive {
	for _, l := range levels {
		if ds := Find(l, name); len(ds) > 0 {
			return ds
		}
	}
	return nil
}
