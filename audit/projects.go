package audit

import (
	"path/filepath"
	"slices"
	"strings"
)

// Which project a file belongs to, when one audited path holds several (a monorepo of
// services, a folder of checkouts): facts about one project's code (the identity headers
// its middleware reads, client-certificate authentication) are matched to the configs of
// that project only.
//
// A file belongs to the Django projects nearest to it in the tree: those whose root shares
// the longest leading directory path with the file. A file inside a project's root belongs
// to that project (the innermost one when they nest); an nginx/ folder beside backend/ is
// that backend's; a file equally near to several projects (a shared library, a config at the
// top of a monorepo) belongs to all of them. With no project found, everything is one.

// nearestProjects returns the indexes in roots (absolute project roots) of the projects
// nearest to the file p, or nil when there are none.
func nearestProjects(p string, roots []string) []int {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil
	}
	best, out := -1, []int(nil)
	for i, r := range roots {
		n := commonDepth(abs, r)
		switch {
		case n > best:
			best, out = n, []int{i}
		case n == best:
			out = append(out, i)
		}
	}
	return out
}

// commonDepth counts the leading path elements a and b share.
func commonDepth(a, b string) int {
	as := strings.Split(filepath.ToSlash(a), "/")
	bs := strings.Split(filepath.ToSlash(b), "/")
	n := 0
	for n < len(as) && n < len(bs) && as[n] == bs[n] {
		n++
	}
	return n
}

// sameProject reports whether files a and b belong to a common project.
func sameProject(a, b string, roots []string) bool {
	if len(roots) == 0 {
		return true
	}
	pa, pb := nearestProjects(a, roots), nearestProjects(b, roots)
	return slices.ContainsFunc(pa, func(i int) bool { return slices.Contains(pb, i) })
}
