package django

import "strings"

// What a log call's argument carries. Tried on public Django projects, the logging rule
// mostly fired on values that only passed near a secret: the response of an OAuth or
// payment API called with a client secret, the user name picked out of a credentials
// dict, the body of an exception. The rules below keep the rule on what it is about, data
// that came in with the request, and on values named like credentials.

// requestAttrs are the attributes of a request that hold what the client sent.
var requestAttrs = map[string]bool{"META": true, "headers": true, "body": true, "COOKIES": true}

// requestLike: request, self.request, req, wsgi_request, http_request. A response's
// headers or an exception's body are not what the client sent.
func (cf *codeFile) requestLike(obj *node) bool {
	obj = unparen(obj)
	if obj == nil {
		return false
	}
	name := cf.f.text(obj)
	if obj.kind == "attribute" {
		name = cf.f.text(obj.child("attribute"))
	}
	name = strings.ToLower(name)
	return strings.Contains(name, "request") || name == "req" || name == "r"
}

// transparentCalls return their argument reshaped: the result still carries it.
var transparentCalls = map[string]bool{
	"str": true, "repr": true, "bytes": true, "format": true, "dict": true, "list": true, "tuple": true,
	"sorted": true, "dumps": true, "b64encode": true, "urlsafe_b64encode": true, "quote": true, "unquote": true,
	"strip": true, "lstrip": true, "rstrip": true, "lower": true, "upper": true, "split": true, "decode": true,
	"encode": true, "join": true, "items": true, "copy": true, "replace": true,
}

// assignTaints reports whether `x = r` makes x carry sensitive data. An opaque call (an
// HTTP client, a parser, a constructor) returns something other than the secrets passed
// to it, so only request data passed to it flows through (a parser of request headers);
// x.get("field") carries what the field is named for.
func (cf *codeFile) assignTaints(r *node, vars, reqVars map[string]bool) bool {
	r = unparen(r)
	if key, ok := cf.namedHeaderLookup(r); ok {
		return sensitiveKeys[normKey(key)] || sensitiveName(key)
	}
	if r == nil || r.kind != "call" {
		return cf.sensitiveExpr(r, vars) != ""
	}
	if _, ok := cf.headerKey(r); ok {
		return cf.sensitiveExpr(r, vars) != ""
	}
	fn := unparen(r.child("function"))
	name := cf.f.text(fn)
	if fn != nil && fn.kind == "attribute" {
		name = cf.f.text(fn.child("attribute"))
		if name == "get" || name == "pop" || name == "getlist" {
			if args := r.child("arguments").namedChildren(); len(args) > 0 {
				if k, ok := decodeString(cf.f, unparen(args[0])); ok {
					return sensitiveKeys[normKey(k)] || sensitiveName(k)
				}
			}
		}
	}
	if transparentCalls[name] {
		return cf.sensitiveExpr(r, vars) != ""
	}
	return cf.requestDataIn(r, reqVars)
}

// requestDataIn reports whether n holds data the client sent: request.META, headers,
// body or cookies, or a variable assigned from them.
func (cf *codeFile) requestDataIn(n *node, reqVars map[string]bool) bool {
	found := false
	walk(n, func(c *node) bool {
		if found || c.kind == "lambda" {
			return false
		}
		switch c.kind {
		case "attribute":
			if requestAttrs[cf.f.text(c.child("attribute"))] && cf.requestLike(c.child("object")) {
				found = true
				return false
			}
		case "identifier":
			if c.field != "function" && c.field != "attribute" && c.field != "name" && reqVars[cf.f.text(c)] {
				found = true
			}
		}
		return true
	})
	return found
}

// harmlessFieldOfVar: event.type, parsed.status. Reading one field that is not named
// like a credential out of a variable that holds request data is that field, as
// x["max-age"] is; a method call on it (headers.items()) is not a field read.
func (cf *codeFile) harmlessFieldOfVar(n *node, vars map[string]bool) bool {
	obj := unparen(n.child("object"))
	if obj == nil || obj.kind != "identifier" || !vars[cf.f.text(obj)] {
		return false
	}
	if p := n.parent; p != nil && p.kind == "call" && n.field == "function" {
		return false
	}
	return !requestAttrs[cf.f.text(n.child("attribute"))]
}

// onlyInsideWord reports whether every occurrence of part in the identifier s starts a
// longer word: "Tokenization" in PaymentMethodTokenizationResult is not a token, while
// api_token, accessToken and csrftoken end a word with it.
func onlyInsideWord(s, part string) bool {
	if strings.Contains(part, "_") {
		return false
	}
	words := identWords(s)
	inside := false
	for _, w := range words {
		lw := strings.ToLower(w)
		if !strings.Contains(lw, part) {
			continue
		}
		rest := lw[strings.LastIndex(lw, part)+len(part):]
		if rest == "" || rest == "s" {
			return false
		}
		inside = true
	}
	return inside
}

// identWords splits snake_case and CamelCase into words.
func identWords(s string) []string {
	var words []string
	start := 0
	for i := 1; i <= len(s); i++ {
		if i == len(s) || s[i] == '_' || s[i] >= 'A' && s[i] <= 'Z' && s[i-1] >= 'a' && s[i-1] <= 'z' {
			if w := strings.Trim(s[start:i], "_"); w != "" {
				words = append(words, w)
			}
			start = i
		}
	}
	return words
}

// namedHeaderLookup returns the name of the key when n reads one header of the request by a
// key that is not a literal (request.META.get(settings.REMOTE_AUTH_GROUP_HEADER),
// request.headers[TENANT_HEADER]): that header carries what its key is named for, as a
// literal key's header does, not the request's credentials as a whole.
func (cf *codeFile) namedHeaderLookup(n *node) (string, bool) {
	n = unparen(n)
	if n == nil {
		return "", false
	}
	var mapping, key *node
	switch n.kind {
	case "subscript":
		mapping, key = unparen(n.child("value")), unparen(n.child("subscript"))
	case "call":
		fn := unparen(n.child("function"))
		if fn == nil || fn.kind != "attribute" {
			return "", false
		}
		switch cf.f.text(fn.child("attribute")) {
		case "get", "pop", "getlist", "__getitem__":
		default:
			return "", false
		}
		mapping = unparen(fn.child("object"))
		if args := n.child("arguments").namedChildren(); len(args) > 0 {
			key = unparen(args[0])
		}
	default:
		return "", false
	}
	if mapping == nil || key == nil || mapping.kind != "attribute" || key.kind == "string" {
		return "", false
	}
	if a := cf.f.text(mapping.child("attribute")); (a != "META" && a != "headers") || !cf.requestLike(mapping.child("object")) {
		return "", false
	}
	if name := cf.f.lastName(key); name != "" {
		return name, true
	}
	return "", false
}
