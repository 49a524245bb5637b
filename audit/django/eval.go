package django

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
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

func (s scope) clone() scope {
	m := make(scope, len(s))
	for k, v := range s {
		m[k] = v
	}
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
	src, err := os.ReadFile(p)
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

func (fr *frame) execStmt(st *node) {
	switch st.kind {
	case "expression_statement":
		for _, c := range st.namedChildren() {
			switch c.kind {
			case "assignment":
				fr.execAssign(c, st)
			case "augmented_assignment":
				fr.execAugAssign(c, st)
			case "call":
				fr.execMutation(c, st)
			}
		}
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

// fork runs body on a copy of the names, under extra conditions, and returns the copy.
func (fr *frame) fork(body []*node, extra ...string) scope {
	// cloning the names is work too: charge it, so that thousands of branches over
	// thousands of names stay bounded
	fr.ev.steps += len(fr.env)/8 + 1
	sub := &frame{ev: fr.ev, f: fr.f, mod: fr.mod, env: fr.env.clone(), conds: append(append([]string(nil), fr.conds...), extra...), depth: fr.depth}
	sub.exec(body)
	return sub.env
}

// execTry treats a try with except handlers as a branch: either the body ran to the end
// or a handler ran. `try: from .local import * except ImportError: pass` thus makes what
// local.py sets conditional, and a literal fallback in the handler is still seen.
func (fr *frame) execTry(st *node) {
	var body, elseBody, finallyBody []*node
	type handler struct {
		line int
		body []*node
	}
	var handlers []handler
	for _, c := range st.children {
		switch c.kind {
		case "block":
			body = c.namedChildren()
		case "except_clause", "except_group_clause":
			handlers = append(handlers, handler{int(c.row) + 1, blockOf(c)})
		case "else_clause":
			elseBody = blockOf(c)
		case "finally_clause":
			finallyBody = blockOf(c)
		}
	}
	full := append(append([]*node(nil), body...), elseBody...)
	if len(handlers) == 0 {
		fr.exec(full)
		fr.exec(finallyBody)
		return
	}
	line := int(st.row) + 1
	outs := []scope{fr.fork(full, fmt.Sprintf("the try block at line %d succeeds", line))}
	for _, h := range handlers {
		outs = append(outs, fr.fork(h.body, fmt.Sprintf("the try block at line %d fails (except at line %d)", line, h.line)))
	}
	fr.env = mergeScopes(outs, strings.Join(append(append([]string(nil), fr.conds...), fmt.Sprintf("the try block at line %d fails", line)), " and "))
	fr.exec(finallyBody)
}

func (fr *frame) execIf(n *node) {
	type branch struct {
		cond *node
		body []*node
	}
	var branches []branch
	var elseBody []*node
	hasElse := false
	branches = append(branches, branch{n.child("condition"), blockOf(n.child("consequence"))})
	for _, c := range n.children {
		switch c.kind {
		case "elif_clause":
			branches = append(branches, branch{c.child("condition"), blockOf(c.child("consequence"))})
		case "else_clause":
			hasElse = true
			elseBody = blockOf(c.child("body"))
		}
	}
	var outs []scope
	var negs []string
	covered := false
	run := func(body []*node, extra []string) {
		outs = append(outs, fr.fork(body, extra...))
	}
	for _, br := range branches {
		if br.cond == nil {
			continue
		}
		cv := fr.eval(br.cond)
		t, ok := Value{}.truth()
		if cv.isConst() {
			t, ok = cv.truth()
		}
		if ok && !t {
			continue
		}
		if ok && t {
			run(br.body, negs)
			covered = true
			break
		}
		// conditions are kept as readable text: code in backticks, joined with "and"
		text := "`" + strings.Join(strings.Fields(fr.f.text(br.cond)), " ") + "`"
		run(br.body, append(append([]string(nil), negs...), text))
		negs = append(negs, negate(text))
	}
	if !covered {
		if hasElse {
			run(elseBody, negs)
		} else {
			outs = append(outs, fr.env)
		}
	}
	if len(outs) == 1 {
		fr.env = outs[0]
		return
	}
	fr.env = mergeScopes(outs, strings.Join(append(append([]string(nil), fr.conds...), negs...), " and "))
}

// negate writes "not `x`", or "`x`" for "`not x`".
func negate(text string) string {
	if strings.HasPrefix(text, "`not ") {
		return "`" + strings.TrimPrefix(text, "`not ")
	}
	return "not " + text
}

// mergeScopes joins the names of every path through an if statement: a name whose
// bindings differ between paths keeps them all; a path that never assigns it adds an
// "unset" binding so that rules about missing settings still see that path.
func mergeScopes(outs []scope, otherwise string) scope {
	merged := scope{}
	names := map[string]bool{}
	for _, o := range outs {
		for k := range o {
			names[k] = true
		}
	}
	for name := range names {
		first, same := outs[0][name], true
		for _, o := range outs[1:] {
			if !sameBindings(first, o[name]) {
				same = false
				break
			}
		}
		if same {
			merged[name] = first
			continue
		}
		var all []*binding
		seen := map[*binding]bool{}
		for _, o := range outs {
			bs := o[name]
			if len(bs) == 0 {
				all = append(all, &binding{unset: true, cond: otherwise})
				continue
			}
			for _, b := range bs {
				if !seen[b] {
					seen[b] = true
					all = append(all, b)
				}
			}
		}
		merged[name] = all
	}
	return merged
}

func sameBindings(a, b []*binding) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Known names from packages we do not read from disk.
var knownModuleValues = map[string]Value{
	"corsheaders.defaults.default_headers": {kind: vTuple, items: strItems("accept", "accept-encoding", "authorization", "content-type", "dnt", "origin", "user-agent", "x-csrftoken", "x-requested-with")},
	"corsheaders.defaults.default_methods": {kind: vTuple, items: strItems("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT")},
}

func strItems(ss ...string) []Value {
	out := make([]Value, len(ss))
	for i, s := range ss {
		out[i] = strVal(s)
	}
	return out
}

func (fr *frame) execImportFrom(st *node) {
	modNode := st.child("module_name")
	if modNode == nil {
		return
	}
	level := 0
	dotted := fr.f.text(modNode)
	if modNode.kind == "relative_import" {
		dotted = ""
		for _, c := range modNode.children {
			switch c.kind {
			case "import_prefix":
				level = strings.Count(fr.f.text(c), ".")
			case "dotted_name":
				dotted = fr.f.text(c)
			}
		}
	}
	wildcard := false
	for _, c := range st.children {
		if c.kind == "wildcard_import" {
			wildcard = true
		}
	}
	file := fr.ev.resolveModule(fr.f.path, level, dotted)
	qual := dotted
	if level > 0 {
		qual = strings.Repeat(".", level) + dotted
	}
	if wildcard {
		if file == "" {
			return
		}
		fr.ev.imported[fr.f.path] = append(fr.ev.imported[fr.f.path], file)
		sub, _, err := fr.ev.evalFile(file, moduleNameFor(fr.ev.root, file))
		if err != nil {
			fr.ev.notes = append(fr.ev.notes, "cannot read star-imported module "+file+": "+err.Error())
			return
		}
		cond := fr.condText()
		for name, bs := range sub {
			if strings.HasPrefix(name, "_") {
				continue
			}
			if cond != "" {
				bs = withCond(bs, cond)
			}
			fr.env[name] = bs
		}
		return
	}
	var sub scope
	if file != "" {
		var err error
		fr.ev.imported[fr.f.path] = append(fr.ev.imported[fr.f.path], file)
		sub, _, err = fr.ev.evalFile(file, moduleNameFor(fr.ev.root, file))
		if err != nil {
			sub = nil
		}
	}
	for _, c := range st.children {
		if c.field != "name" {
			continue
		}
		nameN, aliasN := c, c
		if c.kind == "aliased_import" {
			nameN, aliasN = c.child("name"), c.child("alias")
		}
		if nameN == nil || aliasN == nil {
			continue
		}
		name, as := fr.f.text(nameN), fr.f.text(aliasN)
		if bs, ok := sub[name]; ok {
			fr.env[as] = withCond(bs, fr.condText())
			continue
		}
		if v, ok := knownModuleValues[qual+"."+name]; ok {
			fr.bindQuiet(as, v)
			continue
		}
		fr.bindQuiet(as, Value{kind: vModule, s: qual + "." + name})
	}
}

func withCond(bs []*binding, cond string) []*binding {
	if cond == "" {
		return bs
	}
	out := make([]*binding, len(bs))
	for i, b := range bs {
		nb := *b
		if nb.cond == "" {
			nb.cond = cond
		} else {
			nb.cond = cond + " and " + nb.cond
		}
		out[i] = &nb
	}
	return out
}

// resolveModule finds the file of a Python module: relative imports from the importing
// file's directory, absolute ones from the project root, then from the top of the
// importing file's package tree.
func (ev *evaluator) resolveModule(from string, level int, dotted string) string {
	var parts []string
	if dotted != "" {
		parts = strings.Split(dotted, ".")
	}
	try := func(dir string) string {
		if len(parts) == 0 {
			p := filepath.Join(dir, "__init__.py")
			if isFile(p) {
				return p
			}
			return ""
		}
		base := filepath.Join(append([]string{dir}, parts...)...)
		if isFile(base + ".py") {
			return base + ".py"
		}
		if isFile(filepath.Join(base, "__init__.py")) {
			return filepath.Join(base, "__init__.py")
		}
		return ""
	}
	if level > 0 {
		dir := filepath.Dir(from)
		for i := 1; i < level; i++ {
			dir = filepath.Dir(dir)
		}
		return try(dir)
	}
	if len(parts) == 0 {
		return ""
	}
	if ev.root != "" {
		if p := try(ev.root); p != "" {
			return p
		}
	}
	if top := packageTop(filepath.Dir(from)); top != "" {
		return try(top)
	}
	return ""
}

// packageTop is the directory above the outermost package holding dir.
func packageTop(dir string) string {
	top := dir
	for i := 0; i < 32 && isFile(filepath.Join(top, "__init__.py")); i++ {
		top = filepath.Dir(top)
	}
	return top
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// moduleNameFor is the dotted module name of file relative to root.
func moduleNameFor(root, file string) string {
	if root == "" {
		root = packageTop(filepath.Dir(file))
	}
	rel, err := filepath.Rel(root, file)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = filepath.Base(file)
	}
	rel = strings.TrimSuffix(filepath.ToSlash(rel), ".py")
	rel = strings.TrimSuffix(rel, "/__init__")
	return strings.ReplaceAll(rel, "/", ".")
}

// ---- expressions ----

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
