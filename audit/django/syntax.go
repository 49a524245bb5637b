package django

import (
	"errors"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// SyntaxErrorLine returns the 1-based line of the first part of src that is not valid
// Python (an error or a missing token), or 0 when all of it parses. The analysers carry on
// past such a spot (tree-sitter recovers), so a caller uses this to say that a file's
// analysis is partial. It is meant for the few files that matter (those with findings),
// not for every file: it walks the tree through the general binding.
func SyntaxErrorLine(src []byte) (int, error) {
	if len(src) > maxSourceBytes {
		return 0, errors.New("file too large to parse")
	}
	p := sitter.NewParser()
	defer p.Close()
	if err := p.SetLanguage(pyLanguage); err != nil {
		return 0, err
	}
	tree := p.Parse(src, nil)
	if tree == nil {
		return 0, errors.New("tree-sitter could not parse the file")
	}
	defer tree.Close()
	root := tree.RootNode()
	if !root.HasError() {
		return 0, nil
	}
	var find func(n *sitter.Node) int
	find = func(n *sitter.Node) int {
		if n.IsError() || n.IsMissing() {
			return int(n.StartPosition().Row) + 1
		}
		if !n.HasError() {
			return 0
		}
		for i := uint(0); i < n.ChildCount(); i++ {
			if c := n.Child(i); c != nil {
				if l := find(c); l != 0 {
					return l
				}
			}
		}
		return 0
	}
	if l := find(root); l != 0 {
		return l, nil
	}
	return int(root.StartPosition().Row) + 1, nil
}
