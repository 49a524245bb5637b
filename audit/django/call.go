package django

import (
	"path"
	"strconv"
	"strings"
)

// callArgs evaluates positional and keyword arguments.
func (fr *frame) callArgs(call *node) ([]Value, map[string]Value) {
	args := call.child("arguments")
	var pos []Value
	kw := map[string]Value{}
	if args == nil {
		return pos, kw
	}
	for _, a := range args.namedChildren() {
		switch a.kind {
		case "keyword_argument":
			if name := a.child("name"); name != nil {
				kw[fr.f.text(name)] = fr.eval(a.child("value"))
			}
		case "list_splat", "dictionary_splat":
			pos = append(pos, unknown())
		default:
			pos = append(pos, fr.eval(a))
		}
	}
	return pos, kw
}

func argOr(pos []Value, i int, kw map[string]Value, name string) (Value, bool) {
	if v, ok := kw[name]; ok {
		return v, true
	}
	if i < len(pos) {
		return pos[i], true
	}
	return Value{}, false
}

func (fr *frame) evalCall(n *node) Value {
	fn := unparen(n.child("function"))
	if fn == nil {
		return unknown()
	}
	q := fr.qualName(fn)
	pos, kw := fr.callArgs(n)
	switch q {
	case "os.environ.get", "os.getenv", "os.environ.setdefault", "getenv":
		name, ok := argOr(pos, 0, kw, "key")
		if !ok || name.kind != vStr {
			return unknown()
		}
		d, ok := argOr(pos, 1, kw, "default")
		if !ok {
			if q == "os.environ.setdefault" {
				return unknown()
			}
			d = Value{kind: vNone}
		}
		return Value{kind: vEnv, env: &envRef{Var: name.s, Default: &d, Func: q}}
	case "decouple.config":
		return decoupleConfig(pos, kw, fr.castName(n))
	case "environ.Env", "environ.environ.Env":
		r := Value{kind: vEnvReader}
		for k, v := range kw {
			if v.kind == vTuple && len(v.items) == 2 {
				r.items = append(r.items, strVal(k))
				r.vals = append(r.vals, v.items[1])
			}
		}
		return r
	case "bool", "int", "str", "float", "list", "tuple":
		if len(pos) == 0 {
			return unknown()
		}
		return liftEnv1(pos[0], func(v Value) Value { return convert(q, v) })
	case "pathlib.Path", "Path", "pathlib.PurePath", "os.path.abspath", "os.path.realpath", "os.path.normpath":
		if len(pos) == 0 {
			return strVal(".")
		}
		return liftEnv1(pos[0], func(v Value) Value {
			if v.kind == vStr {
				return strVal(path.Clean(v.s))
			}
			return unknown()
		})
	case "os.path.dirname":
		if len(pos) == 1 && pos[0].kind == vStr {
			return strVal(path.Dir(pos[0].s))
		}
		return unknown()
	case "os.path.join":
		if len(pos) == 0 {
			return unknown()
		}
		acc := pos[0]
		for _, p := range pos[1:] {
			acc = binop(acc, "/", p)
		}
		return acc
	}
	if h, ok := fr.helperAt(fn); ok {
		return fr.callHelper(h, pos, kw)
	}
	if v, ok := knownLibraryHelper(q, pos); ok {
		return v
	}
	if v, ok := envLibraryCall(q, pos, kw); ok {
		return v
	}
	if fn.kind == "identifier" {
		// env("X", default=...) with a django-environ reader
		if r, ok := fr.envReader(fn); ok {
			return envReaderCall(r, "", pos, kw)
		}
		return unknown()
	}
	if fn.kind != "attribute" {
		return unknown()
	}
	obj := unparen(fn.child("object"))
	method := fr.f.text(fn.child("attribute"))
	if r, ok := fr.envReader(obj); ok {
		return envReaderCall(r, method, pos, kw)
	}
	recv := fr.eval(obj)
	return liftEnv1(recv, func(v Value) Value { return callMethod(v, method, pos) })
}

// envReader reports whether n is a django-environ Env instance; an unbound name `env`
// counts, because settings often get it by a star import we could not resolve.
func (fr *frame) envReader(n *node) (Value, bool) {
	if n == nil || n.kind != "identifier" {
		return Value{}, false
	}
	name := fr.f.text(n)
	bs := fr.env[name]
	if len(bs) == 0 {
		return Value{kind: vEnvReader}, name == "env"
	}
	v := bs[len(bs)-1].val
	return v, v.kind == vEnvReader
}

// envReaderCall evaluates env.METHOD(...), or env(...) itself when method is "".
func envReaderCall(r Value, method string, pos []Value, kw map[string]Value) Value {
	called := method == ""
	if called {
		method = "str"
	}
	name, ok := argOr(pos, 0, kw, "var")
	if !ok || name.kind != vStr {
		return unknown()
	}
	switch method {
	case "str", "bool", "int", "float", "list", "tuple", "dict", "json", "url", "db", "db_url", "cache", "cache_url", "path", "email", "email_url", "search_url":
	default:
		return unknown()
	}
	ref := &envRef{Var: name.s, Func: "env." + method}
	if called {
		ref.Func = "env"
	}
	if d, ok := argOr(pos, envDefaultIndex(r, method, called), kw, "default"); ok {
		// django-environ returns the default as given, without casting it.
		ref.Default = &d
	} else if d, ok := r.dictGet(name.s); ok {
		ref.Default = &d
	}
	return Value{kind: vEnv, env: ref}
}

// castName is the qualified name of the cast= argument of a decouple config() call.
func (fr *frame) castName(call *node) string {
	args := call.child("arguments")
	for i, a := range args.namedChildren() {
		if a.kind == "keyword_argument" && fr.f.text(a.child("name")) == "cast" {
			v := unparen(a.child("value"))
			if v != nil && v.kind == "call" {
				return fr.qualName(v.child("function"))
			}
			return fr.qualName(v)
		}
		if i == 2 && a.kind != "keyword_argument" {
			return fr.qualName(a)
		}
	}
	return ""
}

func decoupleConfig(pos []Value, kw map[string]Value, cast string) Value {
	name, ok := argOr(pos, 0, kw, "option")
	if !ok || name.kind != vStr {
		return unknown()
	}
	ref := &envRef{Var: name.s, Func: "decouple.config"}
	if d, ok := argOr(pos, 1, kw, "default"); ok {
		// decouple applies cast to the default too.
		switch cast {
		case "":
		case "bool":
			d = decoupleBool(d)
		case "decouple.Csv", "Csv":
			if d.kind == vStr {
				var items []Value
				for _, p := range strings.Split(d.s, ",") {
					if p = strings.TrimSpace(p); p != "" {
						items = append(items, strVal(p))
					}
				}
				d = listVal(items)
			}
		default:
			d = convert(cast, d)
		}
		ref.Default = &d
	}
	return Value{kind: vEnv, env: ref}
}

// convert applies a builtin cast (or decouple's boolean cast) to a constant.
func convert(fn string, v Value) Value {
	switch fn {
	case "bool":
		if v.kind == vStr {
			// Python's bool() of any non-empty string is True, "False" included: report
			// what Python does, which is the bug when someone writes bool(os.environ[...]).
			return boolVal(v.s != "")
		}
		if t, ok := v.truth(); ok {
			return boolVal(t)
		}
	case "int":
		switch v.kind {
		case vInt:
			return v
		case vBool:
			if v.b {
				return intVal(1)
			}
			return intVal(0)
		case vStr:
			if i, err := strconv.ParseInt(strings.TrimSpace(v.s), 10, 64); err == nil {
				return intVal(i)
			}
		}
	case "str":
		switch v.kind {
		case vStr:
			return v
		case vInt, vBool, vNone, vFloat:
			return strVal(v.describe())
		}
	case "float":
		if x, ok := number(v); ok {
			return Value{kind: vFloat, f: x}
		}
	case "list", "tuple":
		if v.kind == vList || v.kind == vTuple {
			k := vList
			if fn == "tuple" {
				k = vTuple
			}
			return Value{kind: k, items: v.items}
		}
	}
	return unknown()
}

// decoupleBool is python-decouple's cast=bool: strings are read as words.
func decoupleBool(v Value) Value {
	if v.kind == vStr {
		if b, ok := pyBoolString(v.s); ok {
			return boolVal(b)
		}
		return unknown()
	}
	if t, ok := v.truth(); ok {
		return boolVal(t)
	}
	return unknown()
}

func callMethod(v Value, method string, args []Value) Value {
	switch v.kind {
	case vStr:
		switch method {
		case "lower", "casefold":
			return strVal(strings.ToLower(v.s))
		case "upper":
			return strVal(strings.ToUpper(v.s))
		case "strip", "lstrip", "rstrip":
			if len(args) > 0 {
				return unknown()
			}
			switch method {
			case "strip":
				return strVal(strings.TrimSpace(v.s))
			case "lstrip":
				return strVal(strings.TrimLeft(v.s, " \t\n\r"))
			}
			return strVal(strings.TrimRight(v.s, " \t\n\r"))
		case "split":
			var parts []string
			switch {
			case len(args) == 0:
				parts = strings.Fields(v.s)
			case args[0].kind == vStr && args[0].s != "":
				parts = strings.Split(v.s, args[0].s)
			default:
				return unknown()
			}
			if len(parts) > maxItems {
				return unknown()
			}
			return listVal(strItems(parts...))
		case "startswith", "endswith":
			if len(args) == 1 && args[0].kind == vStr {
				if method == "startswith" {
					return boolVal(strings.HasPrefix(v.s, args[0].s))
				}
				return boolVal(strings.HasSuffix(v.s, args[0].s))
			}
		case "join":
			if len(args) == 1 && (args[0].kind == vList || args[0].kind == vTuple) {
				parts := make([]string, 0, len(args[0].items))
				for _, it := range args[0].items {
					if it.kind != vStr {
						return unknown()
					}
					parts = append(parts, it.s)
				}
				s := strings.Join(parts, v.s)
				if len(s) > maxStrLen {
					return unknown()
				}
				return strVal(s)
			}
		case "resolve", "absolute", "expanduser":
			return v
		case "joinpath":
			acc := v
			for _, a := range args {
				acc = binop(acc, "/", a)
			}
			return acc
		}
	case vList, vTuple:
		if method == "copy" {
			return v
		}
	case vDict:
		switch method {
		case "get":
			if len(args) >= 1 {
				if got, ok := v.dictGet(args[0].s); ok && args[0].kind == vStr {
					return got
				}
				if len(args) == 2 {
					return args[1]
				}
				return Value{kind: vNone}
			}
		case "copy":
			return v
		}
	}
	return unknown()
}
