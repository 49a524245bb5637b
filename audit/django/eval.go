package django

import (
	"maps"
	"strings"
)

// Limits that keep evaluation bounded on hostile or generated input (see FuzzEvaluateSettings).
const (
	maxSteps       = 200_000 // statements plus expression nodes evaluated per settings module
	maxImportDepth = 8       // star-import chain length
	maxEvalDepth   = 100     // expression nesting
	maxItems       = 10_000  // elements a list or tuple may grow to
	maxStrLen      = 1 << 20 // bytes a string may grow to
)

// binding is one assignment a setting may hold. Several bindings for one name mean the
// value depends on a condition we could not decide; cond is that condition's source text.
type binding struct {
	val   Value
	cond  string
	unset bool // on this path the name is never assigned
	file  *pyFile
	stmt  *node // statement, for the evidence snippet
	at    *node // the target, for line and column
}

type scope map[string][]*binding

// clone is a shallow copy that is never nil (maps.Clone keeps nil), so a fork can assign to it.
func (s scope) clone() scope {
	m := make(scope, len(s))
	maps.Copy(m, s)
	return m
}

// evaluator evaluates one settings module and the modules it star-imports.
type evaluator struct {
	root    string
	steps   int
	parsed  map[string]*pyFile
	results map[string]scope
	active  map[string]bool
	depth   int
	// imported records, per file, the files it pulled in with a star or named import, so
	// discovery knows that base.py is part of production.py and not a settings module of its own.
	imported map[string][]string
	notes    []string
	// helperDepth counts settings helpers being followed (helpers.go)
	helperDepth int
	// read is the audit's file opener (Options.read).
	read func(string) ([]byte, error)
}

func (ev *evaluator) readFile(p string) ([]byte, error) {
	if ev.read != nil {
		return ev.read(p)
	}
	return Options{}.read(p)
}

func newEvaluator(root string) *evaluator {
	return &evaluator{
		root:     root,
		parsed:   map[string]*pyFile{},
		results:  map[string]scope{},
		active:   map[string]bool{},
		imported: map[string][]string{},
	}
}

type frame struct {
	ev    *evaluator
	f     *pyFile
	mod   string
	env   scope
	conds []string
	depth int
}

func (fr *frame) condText() string { return strings.Join(fr.conds, " and ") }

func (ev *evaluator) parse(p string) (*pyFile, error) {
	if f, ok := ev.parsed[p]; ok {
		return f, nil
	}
	src, err := ev.readFile(p)
	if err != nil {
		return nil, err
	}
	f, err := parsePython(p, src)
	if err != nil {
		return nil, err
	}
	ev.parsed[p] = f
	return f, nil
}

// evalFile runs the module at p and returns its top-level names.
func (ev *evaluator) evalFile(p, mod string) (scope, *pyFile, error) {
	if s, ok := ev.results[p]; ok {
		return s.clone(), ev.parsed[p], nil
	}
	if ev.active[p] || ev.depth > maxImportDepth {
		return scope{}, nil, nil
	}
	f, err := ev.parse(p)
	if err != nil {
		return nil, nil, err
	}
	ev.active[p] = true
	ev.depth++
	defer func() { ev.active[p] = false; ev.depth-- }()
	s := ev.evalParsed(f, mod)
	ev.results[p] = s
	return s.clone(), f, nil
}

func (ev *evaluator) evalParsed(f *pyFile, mod string) scope {
	fr := &frame{ev: ev, f: f, mod: mod, env: scope{}}
	fr.env["__file__"] = []*binding{{val: strVal(f.path), file: f}}
	fr.env["__name__"] = []*binding{{val: strVal(mod), file: f}}
	fr.exec(f.root.namedChildren())
	return fr.env
}

func (ev *evaluator) spend() bool {
	if ev.steps >= maxSteps {
		return false
	}
	ev.steps++
	return true
}

func (fr *frame) exec(stmts []*node) {
	for _, st := range stmts {
		if !fr.ev.spend() {
			return
		}
		fr.execStmt(st)
	}
}

func blockOf(n *node) []*node {
	if n == nil {
		return nil
	}
	if n.kind == "block" {
		return n.namedChildren()
	}
	for _, c := range n.children {
		if c.kind == "block" {
			return c.namedChildren()
		}
	}
	return nil
}

// execExpression runs the assignments of an expression statement and, with mutations, the
// calls that change a bound value in place (LIST.append(x)).
func (fr *frame) execExpression(st *node, mutations bool) {
	for _, c := range st.namedChildren() {
		switch c.kind {
		case "assignment":
			fr.execAssign(c, st)
		case "augmented_assignment":
			fr.execAugAssign(c, st)
		case "call":
			if mutations {
				fr.execMutation(c, st)
			}
		}
	}
}

func (fr *frame) execStmt(st *node) {
	switch st.kind {
	case "expression_statement":
		fr.execExpression(st, true)
	case "if_statement":
		fr.execIf(st)
	case "try_statement":
		fr.execTry(st)
	case "with_statement":
		fr.exec(blockOf(st.child("body")))
	case "import_from_statement":
		fr.execImportFrom(st)
	case "import_statement":
		for _, c := range st.children {
			if c.field != "name" {
				continue
			}
			switch c.kind {
			case "dotted_name":
				full := fr.f.text(c)
				first := strings.SplitN(full, ".", 2)[0]
				fr.bindQuiet(first, Value{kind: vModule, s: first})
			case "aliased_import":
				if name, alias := c.child("name"), c.child("alias"); name != nil && alias != nil {
					fr.bindQuiet(fr.f.text(alias), Value{kind: vModule, s: fr.f.text(name)})
				}
			}
		}
	case "function_definition", "class_definition":
		if name := st.child("name"); name != nil {
			fr.bindQuiet(fr.f.text(name), fr.defineHelper(st))
		}
	case "decorated_definition":
		if d := st.child("definition"); d != nil {
			fr.execStmt(d)
		}
	}
}

func (fr *frame) bind(name string, v Value, stmt, at *node) {
	fr.env[name] = []*binding{{val: v, cond: fr.condText(), file: fr.f, stmt: stmt, at: at}}
}

func (fr *frame) bindQuiet(name string, v Value) {
	fr.env[name] = []*binding{{val: v, cond: fr.condText(), file: fr.f}}
}

func (fr *frame) execAssign(n, stmt *node) Value {
	left, right := n.child("left"), n.child("right")
	if right == nil {
		return unknown()
	}
	var v Value
	switch right.kind {
	case "assignment":
		v = fr.execAssign(right, stmt)
	case "augmented_assignment", "yield":
		v = unknown()
	default:
		v = fr.eval(right)
	}
	fr.assignTarget(left, v, stmt)
	return v
}

func (fr *frame) assignTarget(t *node, v Value, stmt *node) {
	t = unparen(t)
	if t == nil {
		return
	}
	switch t.kind {
	case "identifier":
		fr.bind(fr.f.text(t), v, stmt, t)
	case "pattern_list", "tuple_pattern", "list_pattern", "tuple", "list":
		targets := t.namedChildren()
		for i, tt := range targets {
			item := unknown()
			if (v.kind == vList || v.kind == vTuple) && len(v.items) == len(targets) {
				item = v.items[i]
			}
			fr.assignTarget(tt, item, stmt)
		}
	case "subscript":
		// LOGGING["loggers"]["x"] = {...}: rebuild the dict held by the base name.
		var keys []Value
		cur := t
		for cur != nil && cur.kind == "subscript" {
			k := fr.eval(cur.child("subscript"))
			if !k.isConst() {
				return
			}
			keys = append([]Value{k}, keys...)
			cur = unparen(cur.child("value"))
		}
		if cur == nil || cur.kind != "identifier" {
			return
		}
		name := fr.f.text(cur)
		base, ok := fr.current(name)
		if !ok {
			return
		}
		fr.bind(name, setIn(base, keys, v), stmt, cur)
	}
}

func setIn(c Value, keys []Value, v Value) Value {
	if len(keys) == 0 {
		return v
	}
	switch c.kind {
	case vDict:
		out := Value{kind: vDict, items: append([]Value(nil), c.items...), vals: append([]Value(nil), c.vals...), file: c.file, n: c.n}
		for i := range out.items {
			if constEqual(out.items[i], keys[0]) {
				out.vals[i] = setIn(out.vals[i], keys[1:], v)
				return out
			}
		}
		if len(out.items) < maxItems {
			out.items = append(out.items, keys[0])
			out.vals = append(out.vals, setIn(Value{kind: vDict}, keys[1:], v))
		}
		return out
	case vList:
		if keys[0].kind == vInt {
			i := int(keys[0].i)
			if i < 0 {
				i += len(c.items)
			}
			if i >= 0 && i < len(c.items) {
				out := c
				out.items = append([]Value(nil), c.items...)
				out.items[i] = setIn(out.items[i], keys[1:], v)
				return out
			}
		}
	}
	return c
}

func (fr *frame) execAugAssign(n, stmt *node) {
	left, right := unparen(n.child("left")), n.child("right")
	op := n.child("operator")
	if left == nil || right == nil || op == nil || left.kind != "identifier" {
		return
	}
	name := fr.f.text(left)
	old, ok := fr.current(name)
	if !ok {
		old = unknown()
	}
	opText := strings.TrimSuffix(fr.f.text(op), "=")
	rv := fr.eval(right)
	if opText == "+" && old.kind == vList && rv.kind == vTuple {
		rv.kind = vList // list += tuple extends the list
	}
	fr.bind(name, binop(old, opText, rv), stmt, left)
}

// execMutation applies MIDDLEWARE.append(...) and friends.
func (fr *frame) execMutation(call, stmt *node) {
	fn := call.child("function")
	if fn == nil || fn.kind != "attribute" {
		fr.eval(call)
		return
	}
	obj := unparen(fn.child("object"))
	attr := fr.f.text(fn.child("attribute"))
	if obj == nil || obj.kind != "identifier" {
		return
	}
	name := fr.f.text(obj)
	cur, ok := fr.current(name)
	if !ok || (cur.kind != vList && cur.kind != vDict) {
		return
	}
	args, _ := fr.callArgs(call)
	out := cur
	out.items = append([]Value(nil), cur.items...)
	out.vals = append([]Value(nil), cur.vals...)
	switch {
	case cur.kind == vList && attr == "append" && len(args) == 1:
		out.items = append(out.items, args[0])
	case cur.kind == vList && attr == "insert" && len(args) == 2 && args[0].kind == vInt:
		i := int(args[0].i)
		if i < 0 {
			i += len(out.items)
		}
		i = max(0, min(i, len(out.items)))
		out.items = append(out.items[:i], append([]Value{args[1]}, out.items[i:]...)...)
	case cur.kind == vList && attr == "extend" && len(args) == 1 && (args[0].kind == vList || args[0].kind == vTuple):
		out.items = append(out.items, args[0].items...)
	case cur.kind == vList && attr == "remove" && len(args) == 1:
		for i, it := range out.items {
			if constEqual(it, args[0]) {
				out.items = append(out.items[:i], out.items[i+1:]...)
				break
			}
		}
	case cur.kind == vDict && attr == "update" && len(args) == 1 && args[0].kind == vDict:
		out = dictMerge(out, args[0])
	default:
		return
	}
	if len(out.items) > maxItems {
		return
	}
	fr.bind(name, out, stmt, obj)
}

// current is the value a name holds when all its bindings agree.
func (fr *frame) current(name string) (Value, bool) {
	bs := fr.env[name]
	if len(bs) == 0 {
		return Value{}, false
	}
	last := bs[len(bs)-1]
	if last.unset {
		return Value{}, false
	}
	for _, b := range bs[:len(bs)-1] {
		if b.unset || !constEqual(b.val, last.val) {
			return unknown(), true
		}
	}
	return last.val, true
}
