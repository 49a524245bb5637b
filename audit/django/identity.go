package django

import (
	"bytes"
	"fmt"
	"regexp/syntax"
	"slices"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/remedy"
)

var ruleMTLSHeaderUnverified = finding.Rule{
	ID: "django-mtls-header-unverified", Family: "django", Severity: finding.Critical, CWE: []string{"CWE-290"}, OWASP: "API2:2023",
	Title:   "Identity header trusted without checking the verify result",
	Summary: "identity taken from HTTP_X_SSL_CLIENT_* / XFCC without checking the verify result.",
}

// analyseFunction runs the code rules over one function: it learns which local names hold a
// subject DN or sensitive data, then reports identity reads without a verify check
// (ruleMTLSHeaderUnverified), DN substring matches and logged secrets.
func (cf *codeFile) analyseFunction(fn *node) {
	f := cf.f
	dnVars := cf.dnLocals(fn)
	sensVars := map[string]bool{}
	reqVars := map[string]bool{} // assigned from what the client sent (logtaint.go)
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
			if l == nil || r == nil || l.kind != "identifier" {
				continue
			}
			name := f.text(l)
			if !sensVars[name] && cf.assignTaints(r, sensVars, reqVars) {
				sensVars[name], changed = true, true
			}
			if !reqVars[name] && cf.requestDataIn(r, reqVars) {
				reqVars[name], changed = true, true
			}
		}
		if !changed {
			break
		}
	}

	// Where this function itself looks at the verify result: an identity read counts as
	// checked only after one of these, or under a condition that tests it.
	var checks []uint32
	bodyNodes(fn, func(n *node) {
		switch n.kind {
		case "string":
			if s, ok := decodeString(f, n); ok && len(s) < 80 && isVerifyKey(s) {
				checks = append(checks, n.start)
			}
		case "call":
			if cf.callsVerifier(n) {
				checks = append(checks, n.start)
			}
		}
	})
	verified := len(checks) > 0
	if cls := enclosingClass(fn); cls != nil && !verified {
		v, ok := cf.classVerifies[cls]
		if !ok {
			v = cf.mentionsVerify(cls)
			cf.classVerifies[cls] = v
		}
		verified = v
	}
	var firstIdentity, early *node
	var identityKey, earlyKey string
	bodyNodes(fn, func(n *node) {
		switch n.kind {
		case "subscript", "call":
			if k, ok := cf.headerKey(n); ok && isIdentityKey(k) {
				if firstIdentity == nil {
					firstIdentity, identityKey = n, k
				}
				if early == nil && len(checks) > 0 && !checkedBefore(n, checks) && !cf.underVerifyCondition(n, fn) {
					early, earlyKey = n, k
				}
			}
		}
		if n.kind == "call" && !verified && cf.callsVerifier(n) {
			verified = true
		}
		switch n.kind {
		case "comparison_operator":
			cf.checkMembership(n, dnVars)
		case "call":
			cf.checkDNCall(n, dnVars)
			cf.checkLogCall(n, sensVars)
		}
	})
	if firstIdentity != nil && !verified {
		fnd := finding.New(ruleMTLSHeaderUnverified.ID)
		fnd.Detail = fmt.Sprintf("%s() takes the client identity from %s but never checks the verify result (HTTP_X_SSL_CLIENT_VERIFY == \"SUCCESS\" or an equivalent): if the proxy does not overwrite the header on every request, or verifies clients optionally, anyone can send it.", f.text(fn.child("name")), identityKey)
		fnd.Remediation = mtlsFix
		cf.a.emit(fnd, nil, f, firstIdentity, lineSnippet(f, firstIdentity), "unverified:"+f.text(fn.child("name")))
	} else if early != nil {
		fnd := finding.New(ruleMTLSHeaderUnverified.ID)
		fnd.Detail = fmt.Sprintf("%s() reads the client identity from %s before it checks the verify result (line %d): whatever it does with the identity until then also happens for a request whose certificate was not verified, or that sent the header itself.", f.text(fn.child("name")), earlyKey, firstCheckLine(f, checks))
		fnd.Remediation = mtlsFix
		cf.a.emit(fnd, nil, f, early, lineSnippet(f, early), "unverified:"+f.text(fn.child("name")))
	}
}

// checkedBefore reports whether a verify check starts before n in the source.
func checkedBefore(n *node, checks []uint32) bool {
	return slices.ContainsFunc(checks, func(c uint32) bool { return c < n.start })
}

func firstCheckLine(f *pyFile, checks []uint32) int {
	return 1 + bytes.Count(f.src[:slices.Min(checks)], []byte{'\n'})
}

// underVerifyCondition reports whether n only runs when a condition on the verify result
// holds: inside the branch of an if/elif that tests it, the value of "x if verified else y",
// or the right side of "verified and x".
func (cf *codeFile) underVerifyCondition(n, fn *node) bool {
	for c, p := n, n.parent; p != nil && p != fn; c, p = p, p.parent {
		switch p.kind {
		case "if_statement", "elif_clause":
			if cond := p.child("condition"); cond != nil && cond != c && cf.mentionsVerify(cond) {
				return true
			}
		case "conditional_expression":
			for _, ch := range p.children {
				if ch != c && ch.named && cf.mentionsVerify(ch) {
					return true
				}
			}
		case "boolean_operator":
			if l := p.child("left"); l != nil && l != c && cf.mentionsVerify(l) {
				return true
			}
		}
	}
	return false
}

// isDN: the expression holds a subject DN, directly or through simple local variables,
// string methods, or a call that wraps it (str(), unquote(), split()).
func (cf *codeFile) isDN(n *node, vars map[string]bool, depth int) bool {
	n = unparen(n)
	if n == nil || depth > 20 {
		return false
	}
	switch n.kind {
	case "identifier":
		return vars[cf.f.text(n)]
	case "subscript":
		if k, ok := cf.headerKey(n); ok {
			return isDNKey(k)
		}
		return cf.isDN(n.child("value"), vars, depth+1)
	case "call":
		if k, ok := cf.headerKey(n); ok {
			return isDNKey(k)
		}
		fn := unparen(n.child("function"))
		if fn != nil && cf.dnReturns[cf.f.lastName(fn)] {
			return true // a helper of this file that returns the subject (dnflow.go)
		}
		if fn != nil && fn.kind == "attribute" {
			switch cf.f.text(fn.child("attribute")) {
			case "strip", "lower", "upper", "casefold", "replace", "decode", "split", "rsplit", "partition", "lstrip", "rstrip", "get":
				return cf.isDN(fn.child("object"), vars, depth+1)
			case "rfc4514_string":
				// cryptography's x509.Name as a string: an RFC 9440 Client-Cert parsed
				return true
			}
			return false
		}
		if args := n.child("arguments").namedChildren(); len(args) == 1 {
			return cf.isDN(args[0], vars, depth+1)
		}
	case "attribute":
		// cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value (cryptography),
		// cert.get_subject().CN (pyOpenSSL): one attribute of a parsed certificate's subject
		obj := unparen(n.child("object"))
		switch cf.f.text(n.child("attribute")) {
		case "value":
			if obj != nil && obj.kind == "subscript" {
				if c := unparen(obj.child("value")); c != nil && c.kind == "call" && cf.f.lastName(unparen(c.child("function"))) == "get_attributes_for_oid" {
					return true
				}
			}
		case "CN", "commonName", "emailAddress":
			return obj != nil && obj.kind == "call" && cf.f.lastName(unparen(obj.child("function"))) == "get_subject"
		}
		return false
	case "boolean_operator":
		return cf.isDN(n.child("left"), vars, depth+1) || cf.isDN(n.child("right"), vars, depth+1)
	case "conditional_expression":
		for _, c := range n.namedChildren() {
			if cf.isDN(c, vars, depth+1) {
				return true
			}
		}
	}
	return false
}

var ruleMTLSDNSubstring = finding.Rule{
	ID: "django-mtls-dn-substring", Family: "django", Severity: finding.High, CWE: []string{"CWE-287"}, OWASP: "API2:2023",
	Title:   "Client subject DN matched by substring",
	Summary: "subject DN checked with in, startswith, find or an unanchored regex.",
}

func (cf *codeFile) dnFinding(n *node, how string) {
	fnd := finding.New(ruleMTLSDNSubstring.ID)
	fnd.Detail = "the client certificate subject DN is matched with " + how + ": a certificate whose subject merely contains the expected text (CN=alice.evil, OU=CN=alice, O=x,CN=alice) is accepted as that user."
	fnd.Remediation = mtlsFix
	cf.a.emit(fnd, nil, cf.f, n, lineSnippet(cf.f, n), "dn")
}

func (cf *codeFile) checkMembership(n *node, vars map[string]bool) {
	operands, ops := comparisonParts(n)
	for i, op := range ops {
		if (op == "in" || op == "not in") && i+1 < len(operands) && cf.isDN(operands[i+1], vars, 0) && !cf.literalIdentifiesNobody(operands[i]) {
			cf.dnFinding(n, "`"+op+"` (substring or RDN-list membership)")
			return
		}
	}
}

func (cf *codeFile) checkDNCall(n *node, vars map[string]bool) {
	f := cf.f
	fn := unparen(n.child("function"))
	if fn == nil {
		return
	}
	args := n.child("arguments").namedChildren()
	if fn.kind == "attribute" {
		method := f.text(fn.child("attribute"))
		obj := fn.child("object")
		switch method {
		case "startswith", "endswith", "find", "rfind", "index", "rindex", "__contains__", "count":
			if cf.isDN(obj, vars, 0) && (len(args) == 0 || !cf.literalIdentifiesNobody(args[0])) {
				cf.dnFinding(n, "."+method+"()")
			}
			return
		case "search", "match", "findall", "finditer":
			objText := f.text(obj)
			if objText == "re" || objText == "regex" {
				if len(args) >= 2 && cf.isDN(args[1], vars, 0) {
					if pat, ok := decodeString(f, unparen(args[0])); !ok || !anchored(pat, method) {
						cf.dnFinding(n, "re."+method+"() and a pattern not anchored at both ends")
					}
				}
				return
			}
			// PATTERN.search(dn) with PATTERN = re.compile("...")
			if len(args) >= 1 && cf.isDN(args[0], vars, 0) {
				pat, known := cf.compiled[objText]
				if inner := unparen(obj); !known && inner != nil && inner.kind == "call" && f.text(inner.child("function")) == "re.compile" {
					if ia := inner.child("arguments").namedChildren(); len(ia) > 0 {
						pat, known = decodeString(f, unparen(ia[0]))
					}
				}
				if !known || !anchored(pat, method) {
					cf.dnFinding(n, "."+method+"() and a pattern not anchored at both ends")
				}
			}
			return
		}
	}
}

// literalIdentifiesNobody: n is a string literal (or a tuple of them) that names no one, only
// a key or a separator of the subject's format (dnflow.go).
func (cf *codeFile) literalIdentifiesNobody(n *node) bool {
	n = unparen(n)
	if n == nil {
		return false
	}
	if n.kind == "tuple" {
		items := n.namedChildren()
		for _, it := range items {
			if !cf.literalIdentifiesNobody(it) {
				return false
			}
		}
		return len(items) > 0
	}
	s, ok := decodeString(cf.f, n)
	return ok && identifiesNobody(s)
}

// anchored: with re.search the pattern needs a start and an end anchor, with re.match
// (which anchors the start) an end anchor; findall/finditer are searches.
func anchored(pat, method string) bool {
	goPat, err := pythonToGo(pat)
	if err != nil {
		return false
	}
	re, err := syntax.Parse(goPat, syntax.Perl)
	if err != nil {
		return false
	}
	re = re.Simplify()
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	if len(subs) == 0 {
		return false
	}
	first, last := subs[0].Op, subs[len(subs)-1].Op
	start := first == syntax.OpBeginText || first == syntax.OpBeginLine
	end := last == syntax.OpEndText || last == syntax.OpEndLine
	if method == "match" {
		return end
	}
	return start && end
}

// mtlsFix is the remediation for both mTLS code rules: the middleware and nginx of package
// remedy, which the e2e suite runs against the real Django and nginx.
var mtlsFix = "Trust the proxy's identity headers only after it verified the certificate, and match the whole subject exactly " +
	"(never in, startswith, find or re.search), with a middleware like this one; the proxy must overwrite both headers on every request " +
	"so a client can never send its own.\n\n" + remedy.MTLSDjango()
