package django

import "sync"

// maxParallelParseBytes bounds the source being parsed at once, over all goroutines: the
// audit parses on every core, and each parse costs some 300 bytes per byte of source, so
// this keeps the parsers' peak near 160 MB whatever the number of cores.
const maxParallelParseBytes = 512 << 10

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
