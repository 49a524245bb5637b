package django

import (
	"strings"
	"unicode"
)

// Subject DNs across a file's own helpers: an XFCC or RFC 9440 parsing helper that returns
// the subject, and a comparison helper that receives it, are where prefix and suffix
// matches hide. A function of the file whose return value is a DN makes its calls DNs; a
// parameter that some call of the file passes a DN to is a DN inside the function.

// learnDNHelpers fills cf.dnReturns and cf.dnParams, repeating until nothing changes (a
// helper calling a helper), a few rounds at most.
func (cf *codeFile) learnDNHelpers() {
	var fns []*node
	walk(cf.f.root, func(n *node) bool {
		if n.kind == "function_definition" {
			fns = append(fns, n)
			cf.funcs[cf.f.text(n.child("name"))] = n
		}
		return true
	})
	for round := 0; round < 4; round++ {
		changed := false
		for _, fn := range fns {
			name := cf.f.text(fn.child("name"))
			dn := cf.dnLocals(fn)
			bodyNodes(fn, func(n *node) {
				switch n.kind {
				case "return_statement":
					if v := n.namedChildren(); len(v) == 1 && !cf.dnReturns[name] && cf.isDN(v[0], dn, 0) {
						cf.dnReturns[name], changed = true, true
					}
				case "call":
					callee := unparen(n.child("function"))
					if callee == nil {
						return
					}
					target := cf.funcs[cf.f.lastName(callee)]
					if target == nil {
						return
					}
					offset := 0
					if callee.kind == "attribute" && boundMethod(cf.f, target) {
						offset = 1 // self.helper(dn): dn is the second parameter
					}
					params := paramNames(cf.f, target)
					for i, a := range n.child("arguments").namedChildren() {
						if a.kind == "keyword_argument" || i+offset >= len(params) || !cf.isDN(a, dn, 0) {
							continue
						}
						key := cf.f.text(target.child("name"))
						if cf.dnParams[key] == nil {
							cf.dnParams[key] = map[string]bool{}
						}
						if p := params[i+offset]; !cf.dnParams[key][p] {
							cf.dnParams[key][p], changed = true, true
						}
					}
				}
			})
		}
		if !changed {
			return
		}
	}
}

// dnLocals returns the local names of fn that hold a subject DN: its DN parameters, and
// what is assigned from a DN.
func (cf *codeFile) dnLocals(fn *node) map[string]bool {
	dn := map[string]bool{}
	for p := range cf.dnParams[cf.f.text(fn.child("name"))] {
		dn[p] = true
	}
	var assigns []*node
	bodyNodes(fn, func(n *node) {
		if n.kind == "assignment" {
			assigns = append(assigns, n)
		}
	})
	for pass := 0; pass < 4; pass++ {
		changed := false
		for _, as := range assigns {
			l, r := unparen(as.child("left")), as.child("right")
			if l != nil && r != nil && l.kind == "identifier" && !dn[cf.f.text(l)] && cf.isDN(r, dn, 0) {
				dn[cf.f.text(l)], changed = true, true
			}
		}
		if !changed {
			break
		}
	}
	return dn
}

// paramNames lists a function's positional parameter names in order.
func paramNames(f *pyFile, fn *node) []string {
	var out []string
	for _, p := range fn.child("parameters").namedChildren() {
		switch p.kind {
		case "identifier":
			out = append(out, f.text(p))
		case "default_parameter", "typed_default_parameter":
			out = append(out, f.text(p.child("name")))
		case "typed_parameter":
			if c := p.namedChildren(); len(c) > 0 && c[0].kind == "identifier" {
				out = append(out, f.text(c[0]))
			}
		}
	}
	return out
}

// boundMethod reports a function defined in a class whose first parameter is self or cls.
func boundMethod(f *pyFile, fn *node) bool {
	ps := paramNames(f, fn)
	return enclosingClass(fn) != nil && len(ps) > 0 && (ps[0] == "self" || ps[0] == "cls")
}

// identifiesNobody reports a literal that a parser compares a subject with, not an identity:
// an attribute or XFCC key ("CN=", "Subject=\""), a quote, a separator. Prefix and suffix
// checks against these read the format; they grant nothing.
func identifiesNobody(s string) bool {
	t := strings.TrimSpace(s)
	if strings.IndexFunc(t, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return true
	}
	k := strings.TrimRight(t, `"'`)
	if !strings.HasSuffix(k, "=") {
		return false
	}
	k = k[:len(k)-1]
	return k != "" && len(k) <= 16 && strings.IndexFunc(k, func(r rune) bool { return !unicode.IsLetter(r) }) < 0
}
