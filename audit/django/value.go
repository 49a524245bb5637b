package django

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// valueKind is the small value model of the settings evaluator: Python constants and
// containers, an environment lookup (a variable name and the default the settings fall
// back to), a module or reader marker used to recognise calls, and Unknown for anything
// we do not evaluate. A setting assigned under an `if` is a binding with a condition.
type valueKind uint8

const (
	vUnknown valueKind = iota
	vNone
	vBool
	vInt
	vFloat
	vStr
	vList
	vTuple
	vDict
	vEnv       // the value depends on an environment variable: see env
	vModule    // a module or function imported by name, s holds its qualified name
	vEnvReader // a django-environ Env() instance, dict holds its scheme defaults
	vFunc      // a helper function defined in the settings (helpers.go), fn holds it
)

// Value is what an expression evaluates to.
type Value struct {
	kind  valueKind
	b     bool
	i     int64
	f     float64
	s     string
	items []Value // list and tuple items, dict keys
	vals  []Value // dict values
	env   *envRef
	fn    *helperDef
	// where the value was written, so that a list element can be reported at its own line
	file *pyFile
	n    *node
}

// envRef is a value read from the environment. Operations on it are applied to the
// default, so `os.environ.get("D", "1") == "1"` becomes {D, default True}.
type envRef struct {
	Var     string
	Default *Value // nil when the variable is required (no default)
	Func    string // how it is read, e.g. "os.environ.get"
}

func unknown() Value              { return Value{kind: vUnknown} }
func strVal(s string) Value       { return Value{kind: vStr, s: s} }
func boolVal(b bool) Value        { return Value{kind: vBool, b: b} }
func intVal(i int64) Value        { return Value{kind: vInt, i: i} }
func listVal(items []Value) Value { return Value{kind: vList, items: items} }

func (v Value) isConst() bool { return v.kind >= vNone && v.kind <= vDict }

// truth is Python truthiness; ok is false when it cannot be known.
func (v Value) truth() (t, ok bool) {
	switch v.kind {
	case vNone:
		return false, true
	case vBool:
		return v.b, true
	case vInt:
		return v.i != 0, true
	case vFloat:
		return v.f != 0, true
	case vStr:
		return v.s != "", true
	case vList, vTuple, vDict:
		return len(v.items) > 0, true
	}
	return false, false
}

// strs returns the string elements of a list or tuple (or a lone string).
func (v Value) strs() []Value {
	switch v.kind {
	case vStr:
		return []Value{v}
	case vList, vTuple:
		var out []Value
		for _, it := range v.items {
			if it.kind == vStr {
				out = append(out, it)
			}
		}
		return out
	}
	return nil
}

func (v Value) dictGet(key string) (Value, bool) {
	if v.kind != vDict && v.kind != vEnvReader {
		return Value{}, false
	}
	for i := len(v.items) - 1; i >= 0; i-- {
		if v.items[i].kind == vStr && v.items[i].s == key {
			return v.vals[i], true
		}
	}
	return Value{}, false
}

// describe renders a value the way Python would print it, for details.
func (v Value) describe() string {
	switch v.kind {
	case vNone:
		return "None"
	case vBool:
		if v.b {
			return "True"
		}
		return "False"
	case vInt:
		return strconv.FormatInt(v.i, 10)
	case vFloat:
		return strconv.FormatFloat(v.f, 'g', -1, 64)
	case vStr:
		return strconv.Quote(v.s)
	case vList, vTuple:
		parts := make([]string, 0, len(v.items))
		for i, it := range v.items {
			if i == 8 {
				parts = append(parts, "...")
				break
			}
			parts = append(parts, it.describe())
		}
		if v.kind == vTuple {
			return "(" + strings.Join(parts, ", ") + ")"
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case vDict:
		return "{...}"
	case vEnv:
		if v.env.Default == nil {
			return "the environment variable " + v.env.Var + " (required, no default)"
		}
		return "the environment variable " + v.env.Var + ", default " + v.env.Default.describe()
	}
	return "an expression crossgate does not evaluate"
}

// withPos records where a value was written, unless it already knows.
func (v Value) withPos(f *pyFile, n *node) Value {
	if v.n == nil {
		v.file, v.n = f, n
	}
	return v
}

// decodeString turns a Python string literal node into its value. ok is false for
// f-strings with replacement fields, whose value depends on run time.
func decodeString(f *pyFile, n *node) (string, bool) {
	if n == nil {
		return "", false
	}
	if n.kind == "concatenated_string" {
		var b strings.Builder
		for _, c := range n.namedChildren() {
			s, ok := decodeString(f, c)
			if !ok {
				return "", false
			}
			b.WriteString(s)
		}
		return b.String(), true
	}
	if n.kind != "string" {
		return "", false
	}
	var startN, endN *node
	for _, c := range n.children {
		switch c.kind {
		case "string_start":
			startN = c
		case "string_end":
			endN = c
		case "interpolation":
			return "", false
		}
	}
	if startN == nil || endN == nil || endN.start < startN.end {
		return "", false
	}
	prefix := strings.ToLower(strings.TrimRight(f.text(startN), "'\""))
	body := string(f.src[startN.end:endN.start])
	if strings.Contains(prefix, "r") {
		return body, true
	}
	return unescapePython(body), true
}

// unescapePython applies Python's escape rules for a non-raw literal. Unknown escapes keep
// their backslash, as Python does: "a\.b" is the four characters a, \, ., b.
func unescapePython(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'x', 'u', 'U':
			width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+1+width <= len(s) {
				if r, err := strconv.ParseUint(s[i+1:i+1+width], 16, 32); err == nil && utf8.ValidRune(rune(r)) {
					b.WriteRune(rune(r))
					i += width
					continue
				}
			}
			b.WriteByte('\\')
			b.WriteByte(e)
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			r, _ := strconv.ParseUint(s[i:j], 8, 32)
			b.WriteRune(rune(r))
			i = j - 1
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String()
}

func parseIntLiteral(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.ToLower(s), "_", "")
	base := 10
	switch {
	case strings.HasPrefix(s, "0x"):
		base, s = 16, s[2:]
	case strings.HasPrefix(s, "0o"):
		base, s = 8, s[2:]
	case strings.HasPrefix(s, "0b"):
		base, s = 2, s[2:]
	}
	i, err := strconv.ParseInt(s, base, 64)
	return i, err == nil
}

// pyBoolString is how django-environ and python-decouple read a boolean from a string.
func pyBoolString(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "on", "ok", "y", "yes", "1", "t":
		return true, true
	case "false", "off", "n", "no", "0", "f", "":
		return false, true
	}
	return false, false
}

func (e *envRef) String() string {
	if e.Default == nil {
		return fmt.Sprintf("the environment variable %s (no default)", e.Var)
	}
	return fmt.Sprintf("the environment variable %s, default %s", e.Var, e.Default.describe())
}
