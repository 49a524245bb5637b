package django

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	sitter "github.com/tree-sitter/go-tree-sitter"
	python "github.com/tree-sitter/tree-sitter-python/bindings/go"
)

// MaxSourceBytes is the largest Python file analysed.
const MaxSourceBytes = 256 << 10

// The parse budget of one file. Parsing costs about 300 bytes of memory per byte of source
// (tree-sitter's tree, then the Go copy of it) and, for a flat literal, seconds per MiB: a
// settings module or a middleware is kilobytes, and anything far bigger is generated code.
// A file over budget is not analysed as Python (its secrets are still scanned), and the
// report says so.
const (
	maxSourceBytes = MaxSourceBytes
	maxNodes       = 128 << 10
	// maxTreeDepth is far above what CPython accepts (its parser stops at 200 nested
	// parentheses) and keeps the recursive evaluator's stack small.
	maxTreeDepth = 400
	// parseTimeout bounds tree-sitter's work on one file.
	parseTimeout = 5 * time.Second
)

// BudgetError says a file was not analysed as Python because it exceeds the parse budget.
type BudgetError struct {
	Path   string
	Reason string
}

func (e *BudgetError) Error() string { return e.Path + ": not analysed as Python: " + e.Reason }

// node is a Go copy of a tree-sitter node. The whole tree is copied once so that the
// evaluator and the rules walk plain Go values instead of crossing cgo for every question.
type node struct {
	kind     string
	field    string // field name in the parent ("left", "right", "function"...), or ""
	named    bool
	start    uint32 // byte offsets into the source
	end      uint32
	row      uint32 // 0-based line
	col      uint32 // 0-based byte column
	parent   *node
	children []*node
}

// pyFile is one parsed Python file.
type pyFile struct {
	path string
	src  []byte
	root *node
}

var pyLanguage = sitter.NewLanguage(python.Language())

// Kind and field names by id, so that copying a tree does not allocate a Go string per
// node through cgo.
var kindNames, fieldNames, kindNamed = func() ([]string, []string, []bool) {
	n := pyLanguage.NodeKindCount()
	kinds := make([]string, n)
	named := make([]bool, n)
	for i := uint32(0); i < n; i++ {
		kinds[i] = pyLanguage.NodeKindForId(uint16(i))
		named[i] = pyLanguage.NodeKindIsNamed(uint16(i))
	}
	fc := pyLanguage.FieldCount()
	fields := make([]string, fc+1)
	for i := uint32(1); i <= fc; i++ {
		fields[i] = pyLanguage.FieldNameForId(uint16(i))
	}
	return kinds, fields, named
}()

// parsePython parses src. Syntax errors do not fail: tree-sitter recovers, and a settings
// file with one broken line still says a lot; ERROR nodes are simply not understood.
func parsePython(path string, src []byte) (*pyFile, error) {
	if len(src) > maxSourceBytes {
		return nil, &BudgetError{Path: path, Reason: "larger than 256 KiB"}
	}
	if bracketDepth(src) > maxTreeDepth/4 {
		return nil, &BudgetError{Path: path, Reason: fmt.Sprintf("brackets nested deeper than %d levels", maxTreeDepth/4)}
	}
	root, err := parseTree(src)
	var be *BudgetError
	if errors.As(err, &be) {
		be.Path = path
		return nil, be
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &pyFile{path: path, src: src, root: root}, nil
}

func (f *pyFile) text(n *node) string {
	if n == nil || int(n.end) > len(f.src) || n.start > n.end {
		return ""
	}
	return string(f.src[n.start:n.end])
}

// line and column are 1-based; the column counts characters, not bytes.
func (f *pyFile) pos(n *node) (line, col int) {
	if n == nil {
		return 1, 1
	}
	lineStart := int(n.start) - int(n.col)
	if lineStart < 0 || int(n.start) > len(f.src) {
		return int(n.row) + 1, int(n.col) + 1
	}
	return int(n.row) + 1, utf8.RuneCount(f.src[lineStart:n.start]) + 1
}

// snippet is the source of n for evidence: whole lines, capped so that a huge literal does
// not flood the report.
func (f *pyFile) snippet(n *node) string {
	if n == nil {
		return ""
	}
	s := f.text(n)
	const max = 400
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func (n *node) child(field string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.children {
		if c.field == field {
			return c
		}
	}
	return nil
}

func (n *node) namedChildren() []*node {
	if n == nil {
		return nil
	}
	out := make([]*node, 0, len(n.children))
	for _, c := range n.children {
		if c.named && c.kind != "comment" {
			out = append(out, c)
		}
	}
	return out
}

// walk visits n and its descendants depth first; fn returns false to skip a subtree.
func walk(n *node, fn func(*node) bool) {
	if n == nil {
		return
	}
	stack := []*node{n}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !fn(cur) {
			continue
		}
		for i := len(cur.children) - 1; i >= 0; i-- {
			stack = append(stack, cur.children[i])
		}
	}
}

// unparen strips parentheses around an expression.
func unparen(n *node) *node {
	for n != nil && n.kind == "parenthesized_expression" {
		inner := n.namedChildren()
		if len(inner) != 1 {
			return n
		}
		n = inner[0]
	}
	return n
}

// comparisonParts splits a comparison_operator node into its operands and its operators
// (`a < b <= c` has three operands and two operators).
func comparisonParts(n *node) (operands []*node, ops []string) {
	for _, c := range n.children {
		switch {
		case c.named && c.kind != "comment":
			operands = append(operands, c)
		case !c.named && c.field == "operators":
			// the grammar aliases `not in` and `is not` to single tokens
			ops = append(ops, strings.Join(strings.Fields(c.kind), " "))
		}
	}
	return operands, ops
}
