package django

// Settings helpers. Real settings wrap the environment in small functions of their own
// (`def envbool(name, default): return os.getenv(name, default) == "True"`, env_int,
// get_secret, strtobool), defined in the settings module or a sibling it imports. The
// evaluator follows such a helper's body when it is small and straight-line enough, on
// the path where the variable is unset: that path is the one a forgotten variable takes
// in production, and it is what "DEBUG defaults to True" means. A helper it cannot follow
// (a loop, a file read, a condition on something other than the environment, too big,
// too deep) evaluates to unknown, as any other call does.

// Bounds on helper evaluation.
const (
	maxHelperNodes = 400 // syntax nodes in a helper's definition
	maxHelperDepth = 4   // helpers calling helpers
)

// helperDef is a function defined in a settings module or a module it imports.
type helperDef struct {
	name string
	def  *node // function_definition
	file *pyFile
}

// defineHelper is the value a `def` statement binds: a helper we may follow, or unknown
// for a class or a function too large to be a settings helper.
func (fr *frame) defineHelper(st *node) Value {
	name := st.child("name")
	if st.kind != "function_definition" || name == nil || countNodes(st, maxHelperNodes+1) > maxHelperNodes {
		return unknown()
	}
	return Value{kind: vFunc, fn: &helperDef{name: fr.f.text(name), def: st, file: fr.f}}
}

func countNodes(n *node, limit int) int {
	count := 0
	walk(n, func(*node) bool {
		count++
		return count < limit
	})
	return count
}

// helperAt returns the helper a call's function names, if it names one.
func (fr *frame) helperAt(fn *node) (*helperDef, bool) {
	if fn == nil || fn.kind != "identifier" {
		return nil, false
	}
	bs := fr.env[fr.f.text(fn)]
	if len(bs) == 0 {
		return nil, false
	}
	v := bs[len(bs)-1].val
	return v.fn, v.kind == vFunc && v.fn != nil
}

// helperRun is the state of one helper call on the variable-unset path.
type helperRun struct {
	fr *frame
	// dep is the environment lookup a branch was decided on: a constant the helper
	// returns on that branch is still that variable's default, not a literal.
	dep *envRef
}

// errGiveUp marks a statement the helper evaluation does not model.
type helperOutcome uint8

const (
	fallThrough helperOutcome = iota
	returned
	gaveUp
)

// callHelper evaluates a helper call: parameters bound to the arguments (or their
// defaults), the body run on the path where every environment variable is unset.
func (fr *frame) callHelper(h *helperDef, pos []Value, kw map[string]Value) Value {
	if fr.ev.helperDepth >= maxHelperDepth {
		return unknown()
	}
	fr.ev.helperDepth++
	defer func() { fr.ev.helperDepth-- }()

	// A helper reads the names of its own module: the caller's, as they are now, when it
	// is defined here; the imported module's final names when it comes from a sibling.
	globals := fr.env
	if h.file != fr.f {
		globals = fr.ev.results[h.file.path]
	}
	sub := &frame{ev: fr.ev, f: h.file, mod: fr.mod, env: globals.clone(), depth: fr.depth}
	if !sub.bindParams(h.def.child("parameters"), pos, kw) {
		return unknown()
	}
	run := &helperRun{fr: sub}
	v, out := run.block(blockOf(h.def.child("body")))
	switch out {
	case gaveUp:
		return unknown()
	case fallThrough:
		v = Value{kind: vNone}
	}
	if run.dep != nil && v.kind != vEnv && v.kind != vUnknown {
		d := v
		return Value{kind: vEnv, env: &envRef{Var: run.dep.Var, Default: &d, Func: h.name + "()"}}
	}
	return v
}

// bindParams binds each parameter to its argument, keyword or positional, or to its
// default. *args and **kwargs get unknown; false means the call does not fit.
func (fr *frame) bindParams(params *node, pos []Value, kw map[string]Value) bool {
	i := 0
	for _, p := range params.namedChildren() {
		var name string
		var def *node
		switch p.kind {
		case "identifier":
			name = fr.f.text(p)
		case "typed_parameter":
			if c := firstNamed(p); c != nil && c.kind == "identifier" {
				name = fr.f.text(c)
			} else {
				continue // *args: int
			}
		case "default_parameter", "typed_default_parameter":
			name, def = fr.f.text(p.child("name")), p.child("value")
		case "list_splat_pattern", "dictionary_splat_pattern":
			if c := firstNamed(p); c != nil {
				fr.bindQuiet(fr.f.text(c), unknown())
			}
			continue
		default:
			continue // "*", "/" separators
		}
		v, ok := kw[name]
		if !ok && i < len(pos) {
			v, ok = pos[i], true
		}
		i++
		if !ok {
			if def == nil {
				return false
			}
			v = fr.eval(def)
		}
		fr.bindQuiet(name, v)
	}
	return true
}

// block runs statements until one returns or cannot be modelled.
func (r *helperRun) block(stmts []*node) (Value, helperOutcome) {
	for _, st := range stmts {
		if !r.fr.ev.spend() {
			return Value{}, gaveUp
		}
		if v, out := r.stmt(st); out != fallThrough {
			return v, out
		}
	}
	return Value{}, fallThrough
}

func (r *helperRun) stmt(st *node) (Value, helperOutcome) {
	fr := r.fr
	switch st.kind {
	case "expression_statement":
		// a docstring, a call for its side effect (logging, warnings): nothing to bind
		fr.execExpression(st, false)
	case "return_statement":
		if e := firstNamed(st); e != nil {
			return fr.eval(e), returned
		}
		return Value{kind: vNone}, returned
	case "if_statement":
		return r.ifStmt(st)
	case "try_statement":
		// the body runs; a handler is for values that fail to parse, not for unset ones
		for _, c := range st.children {
			if c.kind == "block" {
				return r.block(c.namedChildren())
			}
		}
	case "pass_statement", "global_statement", "nonlocal_statement", "comment":
	default:
		// raise (a required variable), loops, with, nested definitions, imports
		return Value{}, gaveUp
	}
	return Value{}, fallThrough
}

// ifStmt takes the branch the unset path takes; a condition that does not depend on the
// environment alone ends the evaluation.
func (r *helperRun) ifStmt(st *node) (Value, helperOutcome) {
	type branch struct {
		cond *node
		body []*node
	}
	branches := []branch{{st.child("condition"), blockOf(st.child("consequence"))}}
	var elseBody []*node
	for _, c := range st.children {
		switch c.kind {
		case "elif_clause":
			branches = append(branches, branch{c.child("condition"), blockOf(c.child("consequence"))})
		case "else_clause":
			elseBody = blockOf(c.child("body"))
		}
	}
	for _, br := range branches {
		t, ok := r.decide(br.cond)
		if !ok {
			return Value{}, gaveUp
		}
		if t {
			return r.block(br.body)
		}
	}
	return r.block(elseBody)
}

// decide evaluates a condition on the unset path: a constant, or an environment lookup
// judged by its default.
func (r *helperRun) decide(cond *node) (bool, bool) {
	cond = unparen(cond)
	if cond == nil {
		return false, false
	}
	var v Value
	if cond.kind == "named_expression" { // if path := os.getenv(name + "_FILE"):
		v = r.fr.eval(cond.child("value"))
		if n := cond.child("name"); n != nil {
			r.fr.bindQuiet(r.fr.f.text(n), v)
		}
	} else {
		v = r.fr.eval(cond)
	}
	if v.kind == vEnv {
		if v.env.Default == nil {
			return false, false
		}
		if r.dep == nil {
			r.dep = v.env
		}
		v = *v.env.Default
	}
	return v.truth()
}

// knownLibraryHelper evaluates the helpers of libraries settings import for the purpose:
// distutils' strtobool (removed in Python 3.12, still copied into settings).
func knownLibraryHelper(q string, pos []Value) (Value, bool) {
	switch q {
	case "distutils.util.strtobool", "setuptools._distutils.util.strtobool", "str2bool.str2bool":
	default:
		return Value{}, false
	}
	if len(pos) != 1 {
		return unknown(), true
	}
	return liftEnv1(pos[0], func(v Value) Value {
		if v.kind != vStr {
			return unknown()
		}
		if b, ok := pyBoolString(v.s); ok {
			if b {
				return intVal(1)
			}
			return intVal(0)
		}
		return unknown()
	}), true
}
