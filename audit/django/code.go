package django

import (
	"bytes"
	"slices"
	"strings"

	"github.com/crossgate/crossgate/internal/idheaders"
)

// Code rules: each Python function that may read a client identity or log request data is
// analysed once; the rules themselves are in identity.go and logging.go.

// normKey folds META keys and header names to one form: HTTP_X_SSL_CLIENT_S_DN and
// X-SSL-Client-S-DN both become X_SSL_CLIENT_S_DN.
func normKey(k string) string {
	k = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(k), "-", "_"))
	return strings.TrimPrefix(k, "HTTP_")
}

func isVerifyKey(k string) bool { return strings.Contains(normKey(k), "VERIFY") }

// isIdentityKey: a header or server variable that carries the client certificate identity
// (one of idheaders' identity headers), not its verification result.
func isIdentityKey(k string) bool {
	n := normKey(k)
	return !strings.Contains(n, "VERIFY") && idheaders.IsIdentity(n)
}

// isDNKey: an identity key whose value is (or embeds) a subject DN.
func isDNKey(k string) bool {
	n := normKey(k)
	return isIdentityKey(k) && (strings.Contains(n, "S_DN") || strings.Contains(n, "SUBJECT") || strings.HasSuffix(n, "_DN") ||
		strings.Contains(n, "_CN") || n == "X_FORWARDED_CLIENT_CERT")
}

type codeFile struct {
	a *auditor
	f *pyFile
	// functions whose body reads a verify result, by name: helpers such as
	// `if not self._verified(request)` count as the check.
	verifiers map[string]bool
	// module-level NAME = re.compile("literal")
	compiled map[string]string
	// classVerifies caches mentionsVerify per class
	classVerifies map[*node]bool
	// the file's functions by name, those that return a subject DN, and the parameters
	// that receive one (dnflow.go)
	funcs     map[string]*node
	dnReturns map[string]bool
	dnParams  map[string]map[string]bool
}

// needsCodeScan gates the code rules on words the findings cannot do without: an identity
// header name for the mTLS rules, a logger and some sensitive name for the logging rule.
// Most of a project (and of Django itself) is then never parsed. It looks for words, it
// does not read structure: everything that passes is parsed and analysed properly.
func needsCodeScan(src []byte) bool {
	l := bytes.ToLower(src)
	in := func(w []byte) bool { return bytes.Contains(l, w) }
	if slices.ContainsFunc(identityWords, in) {
		return true
	}
	return bytes.Contains(l, []byte("log")) && slices.ContainsFunc(logCallWords, in) && slices.ContainsFunc(sensitiveWords, in)
}

// identityWords are idheaders' stems in both spellings: every identity header name holds one.
var identityWords = func() [][]byte {
	var out []string
	for _, s := range idheaders.Stems {
		out = append(out, s, strings.ReplaceAll(s, "-", "_"))
	}
	return words(slices.Compact(out)...)
}()

var logCallWords = words(".debug(", ".info(", ".warning(", ".warn(", ".error(", ".exception(", ".critical(", ".fatal(", ".log(")

var sensitiveWords = words("meta", "headers", "body", "cookies", "token", "password", "passwd", "secret", "api_key", "apikey", "authorization", "credential", "private_key")

func words(ws ...string) [][]byte {
	out := make([][]byte, len(ws))
	for i, w := range ws {
		out[i] = []byte(w)
	}
	return out
}

func (a *auditor) auditCode(f *pyFile) {
	if !needsCodeScan(f.src) {
		return
	}
	cf := &codeFile{a: a, f: f, verifiers: map[string]bool{}, compiled: map[string]string{}, classVerifies: map[*node]bool{},
		funcs: map[string]*node{}, dnReturns: map[string]bool{}, dnParams: map[string]map[string]bool{}}
	walk(f.root, func(n *node) bool {
		switch n.kind {
		case "function_definition":
			if cf.mentionsVerify(n) {
				cf.verifiers[f.text(n.child("name"))] = true
			}
		case "assignment":
			if l, r := n.child("left"), unparen(n.child("right")); l != nil && l.kind == "identifier" && r != nil && r.kind == "call" {
				if q := f.text(r.child("function")); q == "re.compile" || q == "compile" {
					if args := r.child("arguments").namedChildren(); len(args) > 0 {
						if s, ok := decodeString(f, args[0]); ok {
							cf.compiled[f.text(l)] = s
						}
					}
				}
			}
		}
		return true
	})
	cf.learnDNHelpers()
	walk(f.root, func(n *node) bool {
		if n.kind == "function_definition" {
			cf.analyseFunction(n)
		}
		return true
	})
}

func (cf *codeFile) mentionsVerify(n *node) bool {
	found := false
	walk(n, func(m *node) bool {
		if found {
			return false
		}
		if m.kind == "string" {
			if s, ok := decodeString(cf.f, m); ok && len(s) < 80 && isVerifyKey(s) {
				found = true
			}
		}
		return true
	})
	return found
}

// lastName is the name an identifier or attribute ends with (x and a.b.x: "x"), or "" for
// any other expression.
func (f *pyFile) lastName(n *node) string {
	switch n.kind {
	case "attribute":
		return f.text(n.child("attribute"))
	case "identifier":
		return f.text(n)
	}
	return ""
}

// callsVerifier reports whether the call n calls one of the file's functions that read the
// verify result (by name: a helper or a method).
func (cf *codeFile) callsVerifier(n *node) bool {
	callee := unparen(n.child("function"))
	if callee == nil {
		return false
	}
	name := cf.f.text(callee)
	if callee.kind == "attribute" {
		name = cf.f.text(callee.child("attribute"))
	}
	return cf.verifiers[name]
}

// headerKey returns the literal key when n reads request.META[...], request.headers[...],
// request.META.get(...), request.headers.get(...) or environ.get(...).
func (cf *codeFile) headerKey(n *node) (string, bool) {
	f := cf.f
	isMapping := func(m *node) bool {
		m = unparen(m)
		if m == nil {
			return false
		}
		switch f.lastName(m) {
		case "META", "headers", "environ", "meta", "HEADERS":
			return true
		}
		return false
	}
	switch n.kind {
	case "subscript":
		if isMapping(n.child("value")) {
			return decodeString(f, unparen(n.child("subscript")))
		}
	case "call":
		fn := unparen(n.child("function"))
		if fn != nil && fn.kind == "attribute" {
			switch f.text(fn.child("attribute")) {
			case "get", "__getitem__", "pop", "getlist":
				if isMapping(fn.child("object")) {
					if args := n.child("arguments").namedChildren(); len(args) > 0 {
						return decodeString(f, unparen(args[0]))
					}
				}
			}
		}
	}
	return "", false
}

// bodyNodes walks a function without descending into nested functions or classes, which
// are analysed on their own.
func bodyNodes(fn *node, visit func(*node)) {
	walk(fn.child("body"), func(n *node) bool {
		if n.kind == "function_definition" || n.kind == "class_definition" || n.kind == "lambda" {
			return false
		}
		visit(n)
		return true
	})
}

func enclosingClass(n *node) *node {
	for p := n.parent; p != nil; p = p.parent {
		if p.kind == "class_definition" {
			return p
		}
		if p.kind == "function_definition" {
			continue
		}
	}
	return nil
}
