package django

import (
	"path"
	"strconv"
	"strings"
)

// Expressions: the subset of Python that settings files compute values with.

func (fr *frame) eval(n *node) Value {
	if n == nil || !fr.ev.spend() || fr.depth > maxEvalDepth {
		return unknown()
	}
	fr.depth++
	defer func() { fr.depth-- }()
	return fr.evalNode(n).withPos(fr.f, n)
}

func (fr *frame) evalNode(n *node) Value {
	switch n.kind {
	case "string", "concatenated_string":
		if s, ok := decodeString(fr.f, n); ok {
			return strVal(s)
		}
		return unknown()
	case "integer":
		if i, ok := parseIntLiteral(fr.f.text(n)); ok {
			return intVal(i)
		}
		return unknown()
	case "float":
		if x, err := strconv.ParseFloat(strings.ReplaceAll(fr.f.text(n), "_", ""), 64); err == nil {
			return Value{kind: vFloat, f: x}
		}
		return unknown()
	case "true":
		return boolVal(true)
	case "false":
		return boolVal(false)
	case "none":
		return Value{kind: vNone}
	case "identifier":
		if v, ok := fr.current(fr.f.text(n)); ok {
			return v
		}
		return unknown()
	case "parenthesized_expression":
		inner := n.namedChildren()
		if len(inner) == 1 {
			return fr.eval(inner[0])
		}
		return unknown()
	case "list", "tuple", "set", "expression_list":
		var items []Value
		for _, c := range n.namedChildren() {
			if c.kind == "list_splat" {
				inner := fr.eval(firstNamed(c))
				if inner.kind == vList || inner.kind == vTuple {
					items = append(items, inner.items...)
					continue
				}
				return unknown()
			}
			items = append(items, fr.eval(c))
			if len(items) > maxItems {
				return unknown()
			}
		}
		if n.kind == "tuple" || n.kind == "expression_list" {
			return Value{kind: vTuple, items: items}
		}
		return listVal(items)
	case "dictionary":
		d := Value{kind: vDict}
		for _, c := range n.namedChildren() {
			switch c.kind {
			case "pair":
				k, v := fr.eval(c.child("key")), fr.eval(c.child("value"))
				d.items = append(d.items, k)
				d.vals = append(d.vals, v)
			case "dictionary_splat":
				if inner := fr.eval(firstNamed(c)); inner.kind == vDict {
					d = dictMerge(d, inner)
				}
			}
			if len(d.items) > maxItems {
				return unknown()
			}
		}
		return d
	case "binary_operator":
		op := fr.f.text(n.child("operator"))
		return binop(fr.eval(n.child("left")), op, fr.eval(n.child("right")))
	case "unary_operator":
		v := fr.eval(n.child("argument"))
		op := fr.f.text(n.child("operator"))
		return liftEnv1(v, func(v Value) Value {
			switch {
			case op == "-" && v.kind == vInt:
				return intVal(-v.i)
			case op == "+" && v.kind == vInt:
				return v
			}
			return unknown()
		})
	case "not_operator":
		return liftEnv1(fr.eval(n.child("argument")), func(v Value) Value {
			if t, ok := v.truth(); ok {
				return boolVal(!t)
			}
			return unknown()
		})
	case "boolean_operator":
		op := fr.f.text(n.child("operator"))
		l, r := fr.eval(n.child("left")), fr.eval(n.child("right"))
		return liftEnv2(l, r, func(l, r Value) Value {
			t, ok := l.truth()
			if !ok {
				return unknown()
			}
			if (op == "or") == t {
				return l
			}
			return r
		})
	case "comparison_operator":
		return fr.evalComparison(n)
	case "conditional_expression":
		parts := n.namedChildren()
		if len(parts) != 3 {
			return unknown()
		}
		a, c, b := fr.eval(parts[0]), fr.eval(parts[1]), fr.eval(parts[2])
		return liftEnv1(c, func(c Value) Value {
			if t, ok := c.truth(); ok {
				if t {
					return a
				}
				return b
			}
			return unknown()
		})
	case "call":
		return fr.evalCall(n)
	case "attribute":
		obj := fr.eval(n.child("object"))
		attr := fr.f.text(n.child("attribute"))
		if q := fr.qualName(n); q != "" {
			if v, ok := knownModuleValues[q]; ok {
				return v
			}
			if obj.kind == vModule || obj.kind == vUnknown && fr.isUnboundRoot(n) {
				return Value{kind: vModule, s: q}
			}
		}
		return liftEnv1(obj, func(o Value) Value {
			if o.kind == vStr && attr == "parent" {
				return strVal(path.Dir(o.s))
			}
			if o.kind == vStr && attr == "name" {
				return strVal(path.Base(o.s))
			}
			return unknown()
		})
	case "subscript":
		if q := fr.qualName(n.child("value")); q == "os.environ" {
			if k := fr.eval(n.child("subscript")); k.kind == vStr {
				return Value{kind: vEnv, env: &envRef{Var: k.s, Func: "os.environ[...]"}}
			}
			return unknown()
		}
		c, k := fr.eval(n.child("value")), fr.eval(n.child("subscript"))
		return liftEnv2(c, k, func(c, k Value) Value { return index(c, k) })
	}
	return unknown()
}

func firstNamed(n *node) *node {
	if ns := n.namedChildren(); len(ns) > 0 {
		return ns[0]
	}
	return nil
}

// isUnboundRoot reports whether the leftmost name of an attribute chain is not bound in
// the module: `os.environ` with os never imported is still os.environ to a reader.
func (fr *frame) isUnboundRoot(n *node) bool {
	for n != nil && n.kind == "attribute" {
		n = unparen(n.child("object"))
	}
	if n == nil || n.kind != "identifier" {
		return false
	}
	_, bound := fr.env[fr.f.text(n)]
	return !bound
}

// qualName names what an expression refers to through imports: os.environ.get,
// decouple.config, env.bool. It is "" for anything computed.
func (fr *frame) qualName(n *node) string {
	n = unparen(n)
	if n == nil {
		return ""
	}
	switch n.kind {
	case "identifier":
		name := fr.f.text(n)
		bs := fr.env[name]
		if len(bs) == 0 {
			return name
		}
		if v := bs[len(bs)-1].val; v.kind == vModule {
			return v.s
		}
		return ""
	case "attribute":
		q := fr.qualName(n.child("object"))
		if q == "" {
			return ""
		}
		return q + "." + fr.f.text(n.child("attribute"))
	}
	return ""
}

func (fr *frame) evalComparison(n *node) Value {
	operands, ops := comparisonParts(n)
	if len(operands) < 2 || len(ops) != len(operands)-1 {
		return unknown()
	}
	result := boolVal(true)
	left := fr.eval(operands[0])
	for i, op := range ops {
		right := fr.eval(operands[i+1])
		r := liftEnv2(left, right, func(l, r Value) Value { return compare(l, op, r) })
		result = liftEnv2(result, r, func(a, b Value) Value {
			ta, oka := a.truth()
			if !oka {
				return unknown()
			}
			if !ta {
				return a
			}
			return b
		})
		left = right
	}
	return result
}

func compare(l Value, op string, r Value) Value {
	if !l.isConst() || !r.isConst() {
		return unknown()
	}
	switch op {
	case "==":
		return boolVal(constEqual(l, r))
	case "!=", "<>":
		return boolVal(!constEqual(l, r))
	case "is":
		if l.kind == vNone || r.kind == vNone || l.kind == vBool || r.kind == vBool {
			return boolVal(constEqual(l, r))
		}
	case "is not":
		if l.kind == vNone || r.kind == vNone || l.kind == vBool || r.kind == vBool {
			return boolVal(!constEqual(l, r))
		}
	case "in", "not in":
		var in bool
		switch r.kind {
		case vStr:
			if l.kind != vStr {
				return unknown()
			}
			in = strings.Contains(r.s, l.s)
		case vList, vTuple, vDict:
			for _, it := range r.items {
				if constEqual(it, l) {
					in = true
				}
			}
		default:
			return unknown()
		}
		return boolVal(in == (op == "in"))
	case "<", ">", "<=", ">=":
		a, aok := number(l)
		b, bok := number(r)
		if !aok || !bok {
			return unknown()
		}
		switch op {
		case "<":
			return boolVal(a < b)
		case ">":
			return boolVal(a > b)
		case "<=":
			return boolVal(a <= b)
		default:
			return boolVal(a >= b)
		}
	}
	return unknown()
}

func number(v Value) (float64, bool) {
	switch v.kind {
	case vInt:
		return float64(v.i), true
	case vFloat:
		return v.f, true
	case vBool:
		if v.b {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func constEqual(a, b Value) bool {
	if an, ok := number(a); ok {
		if bn, ok := number(b); ok {
			return an == bn
		}
	}
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case vNone:
		return true
	case vStr, vModule:
		return a.s == b.s
	case vList, vTuple, vDict:
		if len(a.items) != len(b.items) || len(a.vals) != len(b.vals) {
			return false
		}
		for i := range a.items {
			if !constEqual(a.items[i], b.items[i]) {
				return false
			}
		}
		for i := range a.vals {
			if !constEqual(a.vals[i], b.vals[i]) {
				return false
			}
		}
		return true
	case vEnv:
		return a.env == b.env
	}
	return false
}

func index(c, k Value) Value {
	switch c.kind {
	case vDict:
		if k.isConst() {
			for i := len(c.items) - 1; i >= 0; i-- {
				if constEqual(c.items[i], k) {
					return c.vals[i]
				}
			}
		}
	case vList, vTuple:
		if k.kind == vInt {
			i := int(k.i)
			if i < 0 {
				i += len(c.items)
			}
			if i >= 0 && i < len(c.items) {
				return c.items[i]
			}
		}
	case vStr:
		if k.kind == vInt {
			i := int(k.i)
			if i < 0 {
				i += len(c.s)
			}
			if i >= 0 && i < len(c.s) {
				return strVal(c.s[i : i+1])
			}
		}
	}
	return unknown()
}

func dictMerge(a, b Value) Value {
	out := Value{kind: vDict, items: append([]Value(nil), a.items...), vals: append([]Value(nil), a.vals...), file: a.file, n: a.n}
	for i, k := range b.items {
		replaced := false
		for j := range out.items {
			if constEqual(out.items[j], k) {
				out.vals[j] = b.vals[i]
				replaced = true
			}
		}
		if !replaced {
			out.items = append(out.items, k)
			out.vals = append(out.vals, b.vals[i])
		}
	}
	return out
}

func binop(l Value, op string, r Value) Value {
	return liftEnv2(l, r, func(l, r Value) Value {
		switch op {
		case "+":
			switch {
			case l.kind == vStr && r.kind == vStr && len(l.s)+len(r.s) <= maxStrLen:
				return strVal(l.s + r.s)
			case l.kind == r.kind && (l.kind == vList || l.kind == vTuple) && len(l.items)+len(r.items) <= maxItems:
				return Value{kind: l.kind, items: append(append([]Value(nil), l.items...), r.items...)}
			case l.kind == vInt && r.kind == vInt:
				return intVal(l.i + r.i)
			}
		case "-":
			if l.kind == vInt && r.kind == vInt {
				return intVal(l.i - r.i)
			}
		case "*":
			switch {
			case l.kind == vInt && r.kind == vInt:
				return intVal(l.i * r.i)
			case l.kind == vStr && r.kind == vInt && r.i >= 0 && int64(len(l.s))*r.i <= maxStrLen:
				return strVal(strings.Repeat(l.s, int(r.i)))
			case (l.kind == vList || l.kind == vTuple) && r.kind == vInt && r.i >= 0 && int64(len(l.items))*r.i <= maxItems:
				out := Value{kind: l.kind}
				for i := int64(0); i < r.i; i++ {
					out.items = append(out.items, l.items...)
				}
				return out
			}
		case "//":
			if l.kind == vInt && r.kind == vInt && r.i != 0 {
				return intVal(l.i / r.i)
			}
		case "/":
			// pathlib: BASE_DIR / "static"; paths are modelled as strings.
			if l.kind == vStr && r.kind == vStr {
				return strVal(joinPath(l.s, r.s))
			}
		case "|":
			switch {
			case l.kind == vBool && r.kind == vBool:
				return boolVal(l.b || r.b)
			case l.kind == vDict && r.kind == vDict:
				return dictMerge(l, r)
			}
		}
		return unknown()
	})
}

func joinPath(a, b string) string {
	if strings.HasPrefix(b, "/") {
		return path.Clean(b)
	}
	return path.Join(a, b)
}

// liftEnv1 applies f to a value, or to the default of an environment lookup.
func liftEnv1(v Value, f func(Value) Value) Value {
	if v.kind != vEnv {
		return f(v)
	}
	out := &envRef{Var: v.env.Var, Func: v.env.Func}
	if v.env.Default != nil {
		d := f(*v.env.Default)
		out.Default = &d
	}
	return Value{kind: vEnv, env: out}
}

func liftEnv2(a, b Value, f func(a, b Value) Value) Value {
	if a.kind != vEnv && b.kind != vEnv {
		return f(a, b)
	}
	ref := a.env
	if a.kind != vEnv {
		ref = b.env
	}
	out := &envRef{Var: ref.Var, Func: ref.Func}
	da, db := a, b
	if a.kind == vEnv {
		if a.env.Default == nil {
			return Value{kind: vEnv, env: out}
		}
		da = *a.env.Default
	}
	if b.kind == vEnv {
		if b.env.Default == nil {
			return Value{kind: vEnv, env: out}
		}
		db = *b.env.Default
	}
	d := f(da, db)
	out.Default = &d
	return Value{kind: vEnv, env: out}
}
