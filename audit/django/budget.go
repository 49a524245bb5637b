package django

import "sync"

// maxParallelParseBytes bounds the source being parsed at once, over all goroutines: the
// audit parses on every core, and each parse costs some 300 bytes per byte of source, so
// this keeps the parsers' peak near 80 MB whatever the number of cores.
const maxParallelParseBytes = 256 << 10

var parseMemory = newWeighted(maxParallelParseBytes)

// weighted is a counting semaphore whose units are bytes.
type weighted struct {
	mu   sync.Mutex
	cond *sync.Cond
	free int64
	size int64
}

func newWeighted(n int64) *weighted {
	w := &weighted{free: n, size: n}
	w.cond = sync.NewCond(&w.mu)
	return w
}

func (w *weighted) acquire(n int64) {
	n = min(n, w.size) // a file at the limit runs alone
	w.mu.Lock()
	for w.free < n {
		w.cond.Wait()
	}
	w.free -= n
	w.mu.Unlock()
}

func (w *weighted) release(n int64) {
	n = min(n, w.size)
	w.mu.Lock()
	w.free += n
	w.mu.Unlock()
	w.cond.Broadcast()
}

// bracketDepth is the deepest nesting of (, [ and { in src outside strings and comments, a
// lexical look that runs before tree-sitter: deep nesting is what costs the parser most
// (200 KB of nested brackets took 170 MB), so it is refused before the parse.
func bracketDepth(src []byte) int {
	depth, deepest := 0, 0
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case '"', '\'':
			q := []byte{c}
			if i+2 < len(src) && src[i+1] == c && src[i+2] == c {
				q = []byte{c, c, c}
			}
			i += len(q)
			for i < len(src) {
				if src[i] == '\\' {
					i += 2
					continue
				}
				if len(q) == 1 && src[i] == '\n' {
					break // an unterminated string ends at the line
				}
				if src[i] == c && (len(q) == 1 || i+2 < len(src) && src[i+1] == c && src[i+2] == c) {
					i += len(q) - 1
					break
				}
				i++
			}
		case '(', '[', '{':
			if depth++; depth > deepest {
				deepest = depth
			}
		case ')', ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return deepest
}
