package django

/*
#include <stddef.h>
// Declared by tree-sitter's api.h and linked from go-tree-sitter's C code.
void ts_set_allocator(void *(*)(size_t), void *(*)(size_t, size_t), void *(*)(void *, size_t), void (*)(void *));
static void crossgate_libc_allocator(void) { ts_set_allocator(NULL, NULL, NULL, NULL); }
*/
import "C"

import "sync"

var allocatorOnce sync.Once

// useLibcAllocator points tree-sitter back at malloc/free. go-tree-sitter installs
// allocation hooks that call from C into Go and back for every allocation, only to reach
// C's malloc anyway; that round trip was a third of the time spent parsing. Both paths end
// in the same libc heap, so memory allocated before the switch is still freed correctly.
func useLibcAllocator() { allocatorOnce.Do(func() { C.crossgate_libc_allocator() }) }
