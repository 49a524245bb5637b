package django

import (
	"fmt"
	"path/filepath"
)

// SyntaxError says that a settings module, or a module it imports, is not valid Python.
// Django could not import it, and what crossgate read of it stops being reliable at Line:
// the audit of that module is partial, so it must not pass a CI gate. Audit and AuditFile
// return it (joined, one per module) together with the findings of what could be parsed.
type SyntaxError struct {
	Module string // dotted settings module
	File   string // the file that does not parse, relative to the project root
	Line   int
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("settings module %s: %s:%d is not valid Python (Django cannot import it); crossgate audited only what it could parse", e.Module, filepath.ToSlash(e.File), e.Line)
}

// brokenSettings returns the first file of a settings module (the module, then the modules it
// imports, as the evaluator read them) that is not valid Python, or nil.
func (ev *evaluator) brokenSettings(file, mod, root string) *SyntaxError {
	seen := map[string]bool{}
	queue := []string{file}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		if f := ev.parsed[p]; f != nil {
			if line, err := SyntaxErrorLine(f.src); err == nil && line > 0 {
				rel, err := filepath.Rel(root, p)
				if err != nil {
					rel = p
				}
				return &SyntaxError{Module: mod, File: rel, Line: line}
			}
		}
		queue = append(queue, ev.imported[p]...)
	}
	return nil
}
