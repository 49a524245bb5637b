package django

import (
	"bytes"
	"fmt"
	"os"
	"regexp/syntax"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

func readSmall(p string) ([]byte, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxSourceBytes {
		return nil, fmt.Errorf("%s: too large", p)
	}
	return os.ReadFile(p)
}

// mtlsFix is the remediation for both mTLS code rules.
const mtlsFix = `Trust the proxy's identity headers only after it verified the certificate, and match the whole identity exactly:

    ALLOWED_CLIENTS = {  # exact subject DN, as the proxy formats it -> user
        "CN=alice,OU=payments,O=Example Corp,C=US": "alice",
    }

    def client_identity(request):
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
            return None  # no verified certificate, no identity
        subject = request.META.get("HTTP_X_SSL_CLIENT_S_DN", "")
        return ALLOWED_CLIENTS.get(subject)  # exact lookup: never in, startswith, find or re.search

(or parse the forwarded certificate and compare its subject or SAN exactly against the mapping), and have the proxy overwrite both headers on every request (nginx: proxy_set_header X-SSL-Client-Verify $ssl_client_verify; proxy_set_header X-SSL-Client-S-DN $ssl_client_s_dn;) so a client can never send its own.`

// normKey folds META keys and header names to one form: HTTP_X_SSL_CLIENT_S_DN and
// X-SSL-Client-S-DN both become X_SSL_CLIENT_S_DN.
func normKey(k string) string {
	k = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(k), "-", "_"))
	return strings.TrimPrefix(k, "HTTP_")
}

func isVerifyKey(k string) bool { return strings.Contains(normKey(k), "VERIFY") }

// isIdentityKey: a header or server variable that carries the client certificate identity.
func isIdentityKey(k string) bool {
	n := normKey(k)
	if strings.Contains(n, "VERIFY") {
		return false
	}
	return strings.HasPrefix(n, "X_SSL_CLIENT_") || strings.HasPrefix(n, "SSL_CLIENT_") ||
		strings.HasPrefix(n, "X_CLIENT_CERT") || strings.HasPrefix(n, "X_CLIENT_DN") || strings.HasPrefix(n, "X_CLIENT_SUBJECT") ||
		n == "X_FORWARDED_CLIENT_CERT" || n == "CLIENT_CERT" || n == "CLIENT_CERT_CHAIN" || n == "X_ARR_CLIENTCERT"
}

// isDNKey: an identity key whose value is (or embeds) a subject DN.
func isDNKey(k string) bool {
	n := normKey(k)
	return isIdentityKey(k) && (strings.Contains(n, "S_DN") || strings.Contains(n, "SUBJECT") || strings.HasSuffix(n, "_DN") ||
		strings.Contains(n, "_CN") || n == "X_FORWARDED_CLIENT_CERT")
}

var sensitiveKeys = map[string]bool{
	"AUTHORIZATION": true, "PROXY_AUTHORIZATION": true, "COOKIE": true, "X_SSL_CLIENT_CERT": true,
	"SSL_CLIENT_CERT": true, "X_FORWARDED_CLIENT_CERT": true, "CLIENT_CERT": true, "X_CLIENT_CERT": true,
	"X_API_KEY": true, "X_AUTH_TOKEN": true, "X_CSRFTOKEN": true,
}

var logMethods = map[string]bool{
	"debug": true, "info": true, "warning": true, "warn": true, "error": true,
	"exception": true, "critical": true, "fatal": true, "log": true,
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
}

// needsCodeScan gates the code rules on words the findings cannot do without: an identity
// header name for the mTLS rules, a logger and some sensitive name for the logging rule.
// Most of a project (and of Django itself) is then never parsed. It looks for words, it
// does not read structure: everything that passes is parsed and analysed properly.
func needsCodeScan(src []byte) bool {
	l := bytes.ToLower(src)
	for _, w := range identityWords {
		if bytes.Contains(l, w) {
			return true
		}
	}
	if !bytes.Contains(l, []byte("log")) {
		return false
	}
	call := false
	for _, w := range logCallWords {
		if bytes.Contains(l, w) {
			call = true
			break
		}
	}
	if !call {
		return false
	}
	for _, w := range sensitiveWords {
		if bytes.Contains(l, w) {
			return true
		}
	}
	return false
}

var identityWords = words("ssl_client", "ssl-client", "client_cert", "client-cert", "client_dn", "client-dn", "client_subject", "client-subject", "clientcert")

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
	cf := &codeFile{a: a, f: f, verifiers: map[string]bool{}, compiled: map[string]string{}, classVerifies: map[*node]bool{}}
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
	walk(f.root, func(n *node) bool {
		if n.kind == "function_definition" {
			cf.function(n)
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

// headerKey returns the literal key when n reads request.META[...], request.headers[...],
// request.META.get(...), request.headers.get(...) or environ.get(...).
func (cf *codeFile) headerKey(n *node) (string, bool) {
	f := cf.f
	isMapping := func(m *node) bool {
		m = unparen(m)
		if m == nil {
			return false
		}
		var last string
		switch m.kind {
		case "attribute":
			last = f.text(m.child("attribute"))
		case "identifier":
			last = f.text(m)
		default:
			return false
		}
		switch last {
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
		if fn != nil && fn.kind == "attribute" {
			switch cf.f.text(fn.child("attribute")) {
			case "strip", "lower", "upper", "casefold", "replace", "decode", "split", "rsplit", "partition", "lstrip", "rstrip":
				return cf.isDN(fn.child("object"), vars, depth+1)
			}
			return false
		}
		if args := n.child("arguments").namedChildren(); len(args) == 1 {
			return cf.isDN(args[0], vars, depth+1)
		}
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

func (cf *codeFile) function(fn *node) {
	f := cf.f
	dnVars := map[string]bool{}
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
			if !dnVars[name] && cf.isDN(r, dnVars, 0) {
				dnVars[name], changed = true, true
			}
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
			if callee := unparen(n.child("function")); callee != nil {
				name := f.text(callee)
				if callee.kind == "attribute" {
					name = f.text(callee.child("attribute"))
				}
				if cf.verifiers[name] {
					checks = append(checks, n.start)
				}
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
		if n.kind == "call" && !verified {
			if callee := unparen(n.child("function")); callee != nil {
				name := f.text(callee)
				if callee.kind == "attribute" {
					name = f.text(callee.child("attribute"))
				}
				if cf.verifiers[name] {
					verified = true
				}
			}
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
		fnd := finding.New("django-mtls-header-unverified")
		fnd.Detail = fmt.Sprintf("%s() takes the client identity from %s but never checks the verify result (HTTP_X_SSL_CLIENT_VERIFY == \"SUCCESS\" or an equivalent): if the proxy does not overwrite the header on every request, or verifies clients optionally, anyone can send it.", f.text(fn.child("name")), identityKey)
		fnd.Remediation = mtlsFix
		cf.a.emit(fnd, nil, f, firstIdentity, lineSnippet(f, firstIdentity), "unverified:"+f.text(fn.child("name")))
	} else if early != nil {
		fnd := finding.New("django-mtls-header-unverified")
		fnd.Detail = fmt.Sprintf("%s() reads the client identity from %s before it checks the verify result (line %d): whatever it does with the identity until then also happens for a request whose certificate was not verified, or that sent the header itself.", f.text(fn.child("name")), earlyKey, firstCheckLine(f, checks))
		fnd.Remediation = mtlsFix
		cf.a.emit(fnd, nil, f, early, lineSnippet(f, early), "unverified:"+f.text(fn.child("name")))
	}
}

// checkedBefore reports whether a verify check starts before n in the source.
func checkedBefore(n *node, checks []uint32) bool {
	for _, c := range checks {
		if c < n.start {
			return true
		}
	}
	return false
}

func firstCheckLine(f *pyFile, checks []uint32) int {
	first := checks[0]
	for _, c := range checks {
		first = min(first, c)
	}
	return 1 + bytesCount(f.src[:first], '\n')
}

func bytesCount(b []byte, c byte) int {
	n := 0
	for _, x := range b {
		if x == c {
			n++
		}
	}
	return n
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

func (cf *codeFile) dnFinding(n *node, how string) {
	fnd := finding.New("django-mtls-dn-substring")
	fnd.Detail = "the client certificate subject DN is matched with " + how + ": a certificate whose subject merely contains the expected text (CN=alice.evil, OU=CN=alice, O=x,CN=alice) is accepted as that user."
	fnd.Remediation = mtlsFix
	cf.a.emit(fnd, nil, cf.f, n, lineSnippet(cf.f, n), "dn")
}

func (cf *codeFile) checkMembership(n *node, vars map[string]bool) {
	operands, ops := comparisonParts(n)
	for i, op := range ops {
		if (op == "in" || op == "not in") && i+1 < len(operands) && cf.isDN(operands[i+1], vars, 0) {
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
			if cf.isDN(obj, vars, 0) {
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

// isLogger: logger.info(...), log.warning(...), logging.error(...), self.logger.debug(...).
func (cf *codeFile) isLogger(obj *node) bool {
	obj = unparen(obj)
	if obj == nil {
		return false
	}
	var name string
	switch obj.kind {
	case "identifier":
		name = cf.f.text(obj)
	case "attribute":
		name = cf.f.text(obj.child("attribute"))
	case "call":
		// logging.getLogger(__name__).info(...)
		return strings.HasSuffix(cf.f.text(obj.child("function")), "getLogger")
	default:
		return false
	}
	return strings.Contains(strings.ToLower(name), "log")
}

var sensitiveNameParts = []string{"token", "password", "passwd", "secret", "api_key", "apikey", "authorization", "credential", "private_key"}

func sensitiveName(s string) bool {
	l := strings.ToLower(s)
	for _, p := range sensitiveNameParts {
		if strings.Contains(l, p) && !onlyInsideWord(s, p) {
			return true
		}
	}
	return false
}

// sensitiveExpr describes the sensitive request data an expression carries, or "".
func (cf *codeFile) sensitiveExpr(root *node, vars map[string]bool) string {
	f := cf.f
	what := ""
	walk(root, func(n *node) bool {
		if what != "" || n.kind == "lambda" {
			return false
		}
		switch n.kind {
		case "subscript", "call":
			if k, ok := cf.headerKey(n); ok {
				if sensitiveKeys[normKey(k)] {
					what = k
				}
				return false
			}
			// x["max-age"] picks one named field out of whatever x holds: it is
			// sensitive when the field is (x["Authorization"], token["access_token"]),
			// not because x is a header mapping.
			if n.kind == "subscript" {
				if key := n.child("subscript"); key != nil && key.kind == "string" {
					if k, ok := decodeString(f, key); ok {
						if sensitiveKeys[normKey(k)] || sensitiveName(k) {
							what = k
						}
						return false
					}
				}
			}
		case "attribute":
			attr := f.text(n.child("attribute"))
			switch attr {
			case "META", "headers", "body", "COOKIES":
				if !cf.requestLike(n.child("object")) {
					return true // a response's headers, an exception's body
				}
				// request.META as a whole (a key lookup on it was handled above)
				if p := n.parent; p != nil && p.kind == "attribute" && p.child("object") == n {
					return false
				}
				what = f.text(n)
				return false
			}
			if sensitiveName(attr) && !(n.parent != nil && n.parent.kind == "call" && n.field == "function") {
				what = f.text(n)
				return false
			}
			if cf.harmlessFieldOfVar(n, vars) {
				return false
			}
		case "identifier":
			if n.field == "function" || n.field == "attribute" || n.field == "name" {
				return false
			}
			name := f.text(n)
			if vars[name] || sensitiveName(name) {
				what = name
			}
		case "string":
			// literal text is not data; its interpolations are walked below
			return true
		}
		return true
	})
	return what
}

func (cf *codeFile) checkLogCall(n *node, vars map[string]bool) {
	fn := unparen(n.child("function"))
	if fn == nil || fn.kind != "attribute" || !logMethods[cf.f.text(fn.child("attribute"))] || !cf.isLogger(fn.child("object")) {
		return
	}
	for _, arg := range n.child("arguments").namedChildren() {
		target := arg
		if arg.kind == "keyword_argument" {
			if name := cf.f.text(arg.child("name")); name == "exc_info" || name == "stack_info" || name == "stacklevel" {
				continue
			}
			target = arg.child("value")
		}
		if what := cf.sensitiveExpr(target, vars); what != "" {
			fnd := finding.New("django-logging-sensitive")
			fnd.Detail = "a log call writes " + what + ": request headers and bodies carry session cookies, Authorization tokens and client certificates, which end up in log files and log shippers."
			fnd.Remediation = "Log only what identifies the request without granting access (method, path, a request id, the verified user name); never request.META, request.headers, request.body, Authorization, cookies or certificates. If a header must appear, log a hash or the first 4 characters."
			cf.a.emit(fnd, nil, cf.f, n, lineSnippet(cf.f, n), "log")
			return
		}
	}
}
