// Package nginx parses nginx configuration files (with their includes) and checks them for the
// nginx-* rules of rules.md: client-certificate verification, identity headers, CORS headers,
// dotfiles and TLS protocols.
package nginx

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	auditsource "github.com/crossgate/crossgate/audit/source"
)

// Limits that keep a hostile or broken config from exhausting the parser. nginx itself has no
// nesting limit, but real configs stay far below these.
const (
	MaxDepth        = 64       // nested blocks
	MaxIncludeDepth = 16       // include inside include
	MaxFiles        = 512      // files one config may pull in
	MaxFileSize     = 5 << 20  // bytes per file
	MaxTotalSize    = 64 << 20 // bytes over all files of one config
)

// Directive is one nginx directive: its name, arguments (unquoted, escapes resolved), and its
// block when it has one. File, Line and Column locate the directive's name.
type Directive struct {
	Name   string
	Args   []string
	Block  []*Directive
	File   string
	Line   int
	Column int
	// EndLine is the line of the ';' or '{' that ends the directive's head.
	EndLine int
	// HasBlock tells an empty block ("location / {}") from none.
	HasBlock bool
	// Quoted marks which Args were quoted in the source.
	Quoted []bool
	// Missing marks an include whose file does not exist (kept in place by ParseFileIn).
	Missing bool
}

// Config is a parsed main file with every include expanded in place.
type Config struct {
	File       string
	Directives []*Directive
	// Files lists every file read, the main file first.
	Files []string
	// Missing lists the includes of files that do not exist, which ParseFileIn skips.
	Missing []MissingInclude
	lines   map[string][]string
}

// Error is a parse error with its position; it prints as "file:line:col: message".
type Error struct {
	File   string
	Line   int
	Column int
	Msg    string
}

// MissingInclude is an include of a file that does not exist, or that was not audited:
// NotAudited then says why (outside the audited tree, not a regular file, too large).
type MissingInclude struct {
	Err        *Error // positioned at the include directive
	Pattern    string // as written
	Path       string // resolved
	NotAudited string
}

func (m MissingInclude) Error() string { return m.Err.Error() }

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// source abstracts the file system so that the fuzz test can feed include cycles from memory.
type source interface {
	ReadFile(name string) ([]byte, error)
	Glob(pattern string) ([]string, error)
}

type osSource struct{}

func (osSource) ReadFile(name string) ([]byte, error) {
	// Stat first: opening a FIFO or a device named by an include would block or never end.
	if st, err := os.Stat(name); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, MaxFileSize)
	}
	return io.ReadAll(io.LimitReader(f, MaxFileSize+1))
}

func (osSource) Glob(pattern string) ([]string, error) { return filepath.Glob(pattern) }

// ParseFile parses the config at path and the files it includes. Relative include paths are
// resolved against the directory of path (nginx resolves them against its prefix, which is
// that directory for a config given with -c in the usual layouts).
func ParseFile(path string) (*Config, error) {
	return parseWith(osSource{}, path, filepath.Dir(path), false)
}

// ParseFileIn parses path with relative includes resolved against prefix, the directory of
// the nginx.conf a fragment (snippets/*.conf, sites-enabled/*) is included from. Unlike
// nginx, it goes on past an include of a file that does not exist (a repository seldom holds
// mime.types, proxy_params or certbot's options file): the include stays in the tree with
// Missing set, and Config.Missing lists it.
func ParseFileIn(path, prefix string) (*Config, error) {
	return parseWith(osSource{}, path, prefix, true)
}

// Parse parses data as the config named name. Includes are resolved on the real file system
// relative to name's directory.
func Parse(name string, data []byte) (*Config, error) {
	return parseData(osSource{}, name, data, filepath.Dir(name), false)
}

// Tree is the audited tree a config lives in: every file is read through Read, and an
// absolute include is mapped into the tree or not audited.
type Tree struct {
	Read func(name string) ([]byte, error)
	// Inside reports whether a path lies in the audited tree.
	Inside func(name string) bool
}

// confPrefixes are where nginx packages keep their configuration: an absolute include under
// one names the file that, in the audited copy, sits under the directory of its nginx.conf.
var confPrefixes = []string{"/etc/nginx/", "/usr/local/nginx/conf/", "/usr/local/etc/nginx/", "/opt/nginx/conf/", "/etc/openresty/", "/usr/local/openresty/nginx/conf/"}

// MapAbsolute resolves an absolute include pattern: a path inside the tree stays; one under
// a standard nginx prefix moves under base (the directory of the audited nginx.conf); any
// other is outside the tree (false), so the machine's own configuration is never read.
func (t *Tree) MapAbsolute(pattern, base string) (string, bool) {
	if t.Inside != nil && t.Inside(pattern) {
		return pattern, true
	}
	for _, pre := range confPrefixes {
		if rest, ok := strings.CutPrefix(pattern, pre); ok {
			mapped := filepath.Join(base, filepath.FromSlash(rest))
			if t.Inside == nil || t.Inside(mapped) {
				return mapped, true
			}
		}
	}
	return "", false
}

func (t *Tree) ReadFile(name string) ([]byte, error)  { return t.Read(name) }
func (t *Tree) Glob(pattern string) ([]string, error) { return filepath.Glob(pattern) }

// ParseInTree is ParseFileIn for an audit: files are read through tree, and absolute
// includes never leave it.
func ParseInTree(path, prefix string, tree *Tree) (*Config, error) {
	data, err := tree.Read(path)
	if err != nil {
		return nil, err
	}
	p := &parser{src: tree, tree: tree, base: prefix, lenient: true, cfg: &Config{File: path, lines: map[string][]string{}}}
	p.cfg.Files = append(p.cfg.Files, path)
	ds, err := p.parseData(path, data, nil)
	if err != nil {
		return nil, err
	}
	p.cfg.Directives = ds
	return p.cfg, nil
}

func parseWith(src source, path, base string, lenient bool) (*Config, error) {
	data, err := src.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseData(src, path, data, base, lenient)
}

// parseData parses data, read from path, with includes resolved against base through src.
func parseData(src source, path string, data []byte, base string, lenient bool) (*Config, error) {
	p := &parser{src: src, base: base, lenient: lenient, cfg: &Config{File: path, lines: map[string][]string{}}}
	p.cfg.Files = append(p.cfg.Files, path)
	ds, err := p.parseData(path, data, nil)
	if err != nil {
		return nil, err
	}
	p.cfg.Directives = ds
	return p.cfg, nil
}

type parser struct {
	src     source
	tree    *Tree // nil outside an audit: absolute includes are read as they are
	base    string
	cfg     *Config
	total   int
	lenient bool // missing include files are recorded, not fatal
}

func (p *parser) parseData(name string, data []byte, stack []string) ([]*Directive, error) {
	p.total += len(data)
	if p.total > MaxTotalSize {
		return nil, &Error{File: name, Msg: fmt.Sprintf("config and its includes exceed %d bytes", MaxTotalSize)}
	}
	p.cfg.lines[name] = strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	lx := &lexer{file: name, data: data, line: 1, col: 1}
	stack = append(stack, name)
	ds, err := p.parseBlock(lx, 0, stack)
	if err != nil {
		return nil, err
	}
	return ds, nil
}

// parseBlock reads directives until the closing '}' (depth > 0) or the end of the file.
func (p *parser) parseBlock(lx *lexer, depth int, stack []string) ([]*Directive, error) {
	var out []*Directive
	var cur *Directive
	for {
		t, err := lx.next()
		if err != nil {
			return nil, err
		}
		switch t.kind {
		case tokEOF:
			if cur != nil {
				return nil, lx.errAt(t, "unexpected end of file, expecting \";\" or \"}\"")
			}
			if depth > 0 {
				return nil, lx.errAt(t, "unexpected end of file, expecting \"}\"")
			}
			return out, nil
		case tokWord:
			if cur == nil {
				cur = &Directive{Name: t.text, File: lx.file, Line: t.line, Column: t.col}
				continue
			}
			cur.Args = append(cur.Args, t.text)
			cur.Quoted = append(cur.Quoted, t.quoted)
		case tokSemi:
			if cur == nil {
				return nil, lx.errAt(t, "unexpected \";\"")
			}
			cur.EndLine = t.line
			normalizeIf(cur)
			if cur.Name == "include" {
				inc, err := p.include(cur, stack)
				if err != nil {
					return nil, err
				}
				out = append(out, inc...)
			} else {
				out = append(out, cur)
			}
			cur = nil
		case tokOpen:
			if cur == nil {
				return nil, lx.errAt(t, "unexpected \"{\"")
			}
			if depth+1 > MaxDepth {
				return nil, lx.errAt(t, fmt.Sprintf("blocks nested deeper than %d levels", MaxDepth))
			}
			cur.EndLine = t.line
			cur.HasBlock = true
			normalizeIf(cur)
			d := cur
			cur = nil
			if strings.HasSuffix(d.Name, "_lua_block") {
				// Lua code is not nginx syntax (OpenResty); skip it, braces balanced.
				if err := lx.skipLua(t); err != nil {
					return nil, err
				}
				out = append(out, d)
				continue
			}
			body, err := p.parseBlock(lx, depth+1, stack)
			if err != nil {
				return nil, err
			}
			d.Block = body
			out = append(out, d)
		case tokClose:
			if cur != nil {
				return nil, lx.errAt(t, "unexpected \"}\", expecting \";\" after \""+cur.Name+"\"")
			}
			if depth == 0 {
				return nil, lx.errAt(t, "unexpected \"}\"")
			}
			return out, nil
		}
	}
}

// normalizeIf strips the parentheses of an if condition, which nginx's tokenizer leaves
// glued to the first and last words: "if ($a = b)" arrives as "($a", "=", "b)".
func normalizeIf(d *Directive) {
	if d.Name != "if" || len(d.Args) == 0 {
		return
	}
	if !d.Quoted[0] && strings.HasPrefix(d.Args[0], "(") {
		d.Args[0] = d.Args[0][1:]
		if d.Args[0] == "" {
			d.Args, d.Quoted = d.Args[1:], d.Quoted[1:]
		}
	}
	if n := len(d.Args); n > 0 && !d.Quoted[n-1] && strings.HasSuffix(d.Args[n-1], ")") {
		d.Args[n-1] = strings.TrimSuffix(d.Args[n-1], ")")
		if d.Args[n-1] == "" {
			d.Args, d.Quoted = d.Args[:n-1], d.Quoted[:n-1]
		}
	}
}

func hasMeta(s string) bool { return strings.ContainsAny(s, "*?[") }

func (p *parser) include(d *Directive, stack []string) ([]*Directive, error) {
	if len(d.Args) != 1 {
		return nil, &Error{File: d.File, Line: d.Line, Column: d.Column, Msg: "include takes exactly one argument"}
	}
	pattern := d.Args[0]
	if filepath.IsAbs(pattern) && p.tree != nil {
		mapped, ok := p.tree.MapAbsolute(pattern, p.base)
		if !ok {
			if !p.lenient {
				return nil, &Error{File: d.File, Line: d.Line, Column: d.Column, Msg: fmt.Sprintf("include %q is outside the audited tree", d.Args[0])}
			}
			e := &Error{File: d.File, Line: d.Line, Column: d.Column, Msg: fmt.Sprintf("include %q: outside the audited tree", d.Args[0])}
			p.cfg.Missing = append(p.cfg.Missing, MissingInclude{Err: e, Pattern: d.Args[0], Path: pattern, NotAudited: "outside the audited tree"})
			d.Missing = true
			return []*Directive{d}, nil
		}
		pattern = mapped
	}
	if !filepath.IsAbs(pattern) {
		pattern = filepath.Join(p.base, pattern)
	}
	if len(stack) > MaxIncludeDepth {
		return nil, &Error{File: d.File, Line: d.Line, Column: d.Column, Msg: fmt.Sprintf("includes nested deeper than %d levels", MaxIncludeDepth)}
	}
	var files []string
	if hasMeta(pattern) {
		m, err := p.src.Glob(pattern)
		if err != nil {
			return nil, &Error{File: d.File, Line: d.Line, Column: d.Column, Msg: fmt.Sprintf("include %q: %v", d.Args[0], err)}
		}
		sort.Strings(m)
		files = m
	} else {
		files = []string{pattern}
	}
	var out []*Directive
	for _, f := range files {
		for _, s := range stack {
			if filepath.Clean(s) == filepath.Clean(f) {
				return nil, &Error{File: d.File, Line: d.Line, Column: d.Column, Msg: fmt.Sprintf("include cycle: %s includes %s again", d.File, f)}
			}
		}
		if len(p.cfg.Files) >= MaxFiles {
			return nil, &Error{File: d.File, Line: d.Line, Column: d.Column, Msg: fmt.Sprintf("more than %d included files", MaxFiles)}
		}
		data, err := p.src.ReadFile(f)
		if err != nil {
			var skip *auditsource.Skip
			if errors.As(err, &skip) && p.lenient {
				e := &Error{File: d.File, Line: d.Line, Column: d.Column, Msg: fmt.Sprintf("include %q: %s", d.Args[0], skip.Reason)}
				p.cfg.Missing = append(p.cfg.Missing, MissingInclude{Err: e, Pattern: d.Args[0], Path: f, NotAudited: skip.Reason})
				d.Missing = true
				out = append(out, d)
				continue
			}
			if errors.Is(err, os.ErrNotExist) {
				e := &Error{File: d.File, Line: d.Line, Column: d.Column, Msg: fmt.Sprintf("include %q: %s does not exist", d.Args[0], f)}
				if !p.lenient {
					return nil, e
				}
				p.cfg.Missing = append(p.cfg.Missing, MissingInclude{Err: e, Pattern: d.Args[0], Path: f})
				d.Missing = true
				out = append(out, d)
				continue
			}
			if hasMeta(pattern) {
				// A glob also matches directories and unreadable files; nginx would fail too.
				return nil, &Error{File: d.File, Line: d.Line, Column: d.Column, Msg: fmt.Sprintf("include %q: %v", d.Args[0], err)}
			}
			return nil, &Error{File: d.File, Line: d.Line, Column: d.Column, Msg: fmt.Sprintf("include %q: %v", d.Args[0], err)}
		}
		p.cfg.Files = append(p.cfg.Files, f)
		ds, err := p.parseData(f, data, stack)
		if err != nil {
			return nil, err
		}
		out = append(out, ds...)
	}
	return out, nil
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokWord
	tokSemi
	tokOpen
	tokClose
)

type token struct {
	kind      tokKind
	text      string
	quoted    bool
	line, col int
}

type lexer struct {
	file      string
	data      []byte
	pos       int
	line, col int
}

func (lx *lexer) errAt(t token, msg string) error {
	return &Error{File: lx.file, Line: t.line, Column: t.col, Msg: msg}
}

func (lx *lexer) peek() (byte, bool) {
	if lx.pos >= len(lx.data) {
		return 0, false
	}
	return lx.data[lx.pos], true
}

func (lx *lexer) advance() byte {
	c := lx.data[lx.pos]
	lx.pos++
	if c == '\n' {
		lx.line++
		lx.col = 1
	} else {
		lx.col++
	}
	return c
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// unescape resolves the escapes nginx resolves: \" \' \\ \t \r \n; any other backslash stays,
// so that regexes keep their "\.".
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case '"', '\'', '\\':
				b.WriteByte(s[i+1])
				i++
				continue
			case 't':
				b.WriteByte('\t')
				i++
				continue
			case 'r':
				b.WriteByte('\r')
				i++
				continue
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func (lx *lexer) next() (token, error) {
	for {
		c, ok := lx.peek()
		if !ok {
			return token{kind: tokEOF, line: lx.line, col: lx.col}, nil
		}
		if isSpace(c) {
			lx.advance()
			continue
		}
		if c == '#' {
			for {
				c, ok := lx.peek()
				if !ok || c == '\n' {
					break
				}
				lx.advance()
			}
			continue
		}
		break
	}
	t := token{line: lx.line, col: lx.col}
	c := lx.advance()
	switch c {
	case ';':
		t.kind = tokSemi
		return t, nil
	case '{':
		t.kind = tokOpen
		return t, nil
	case '}':
		t.kind = tokClose
		return t, nil
	case '"', '\'':
		quote := c
		start := lx.pos
		for {
			c, ok := lx.peek()
			if !ok {
				return t, lx.errAt(t, fmt.Sprintf("unterminated %c string", quote))
			}
			if c == '\\' {
				lx.advance()
				if _, ok := lx.peek(); ok {
					lx.advance()
				}
				continue
			}
			if c == quote {
				break
			}
			lx.advance()
		}
		raw := string(lx.data[start:lx.pos])
		lx.advance() // closing quote
		if c, ok := lx.peek(); ok {
			switch {
			case isSpace(c) || c == ';' || c == '{' || c == '}':
			case c == ')':
				lx.advance() // nginx drops a ')' right after a quoted string: if ($a = "b")
			default:
				return t, &Error{File: lx.file, Line: lx.line, Column: lx.col, Msg: fmt.Sprintf("unexpected %q after quoted string", c)}
			}
		}
		t.kind, t.text, t.quoted = tokWord, unescape(raw), true
		return t, nil
	}
	start := lx.pos - 1
	prev := c
	if c == '\\' {
		if _, ok := lx.peek(); ok {
			lx.advance()
			prev = 0
		}
	}
	for {
		c, ok := lx.peek()
		if !ok || isSpace(c) || c == ';' {
			break
		}
		if c == '{' && prev != '$' {
			break
		}
		lx.advance()
		if c == '\\' {
			if _, ok := lx.peek(); ok {
				lx.advance()
			}
			prev = 0
			continue
		}
		prev = c
	}
	t.kind, t.text = tokWord, unescape(string(lx.data[start:lx.pos]))
	return t, nil
}

// skipLua consumes a *_by_lua_block body up to its closing brace, minding Lua strings and
// "--" comments so that braces inside them do not count.
func (lx *lexer) skipLua(open token) error {
	depth := 1
	for {
		c, ok := lx.peek()
		if !ok {
			return lx.errAt(open, "unexpected end of file in a Lua block")
		}
		lx.advance()
		switch c {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return nil
			}
		case '"', '\'':
			for {
				d, ok := lx.peek()
				if !ok || d == '\n' {
					break
				}
				lx.advance()
				if d == '\\' {
					if _, ok := lx.peek(); ok {
						lx.advance()
					}
					continue
				}
				if d == c {
					break
				}
			}
		case '-':
			if d, ok := lx.peek(); ok && d == '-' {
				for {
					d, ok := lx.peek()
					if !ok || d == '\n' {
						break
					}
					lx.advance()
				}
			}
		}
	}
}
