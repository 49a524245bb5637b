package django

import (
	"fmt"
	"strings"
)

// Conditions: a setting assigned under an if or a try that the evaluator cannot decide keeps
// every value it may have, each with the condition that leads to it.

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
