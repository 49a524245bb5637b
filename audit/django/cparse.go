package django

/*
#include <stdint.h>
#include <stdlib.h>
#include <stdbool.h>

// The few declarations of tree-sitter's public C API (tree_sitter/api.h, 0.25) that the
// walk below needs; the definitions are linked from go-tree-sitter and the Python grammar.
typedef struct TSParser TSParser;
typedef struct TSTree TSTree;
typedef struct TSLanguage TSLanguage;
typedef struct { uint32_t row; uint32_t column; } TSPoint;
typedef struct { uint32_t context[4]; const void *id; const TSTree *tree; } TSNode;
typedef struct { const void *tree; const void *id; uint32_t context[3]; } TSTreeCursor;
TSParser *ts_parser_new(void);
void ts_parser_set_timeout_micros(TSParser *, uint64_t);
void ts_parser_reset(TSParser *);
void ts_parser_delete(TSParser *);
bool ts_parser_set_language(TSParser *, const TSLanguage *);
TSTree *ts_parser_parse_string(TSParser *, const TSTree *, const char *, uint32_t);
void ts_tree_delete(TSTree *);
TSNode ts_tree_root_node(const TSTree *);
TSTreeCursor ts_tree_cursor_new(TSNode);
void ts_tree_cursor_delete(TSTreeCursor *);
TSNode ts_tree_cursor_current_node(const TSTreeCursor *);
uint16_t ts_tree_cursor_current_field_id(const TSTreeCursor *);
bool ts_tree_cursor_goto_first_child(TSTreeCursor *);
bool ts_tree_cursor_goto_next_sibling(TSTreeCursor *);
bool ts_tree_cursor_goto_parent(TSTreeCursor *);
uint16_t ts_node_symbol(TSNode);
uint32_t ts_node_start_byte(TSNode);
uint32_t ts_node_end_byte(TSNode);
TSPoint ts_node_start_point(TSNode);
const TSLanguage *tree_sitter_python(void);

typedef struct {
	uint32_t start, end, row, col, parent;
	uint16_t kind, field;
} cg_rec;

static TSParser *cg_new_parser(void) {
	TSParser *p = ts_parser_new();
	if (p && !ts_parser_set_language(p, tree_sitter_python())) {
		ts_parser_delete(p);
		return NULL;
	}
	return p;
}

static int cg_push(cg_rec **recs, uint32_t *n, uint32_t *cap, uint32_t max, TSTreeCursor *c, uint32_t parent) {
	if (*n >= max) return 0;
	if (*n == *cap) {
		uint32_t nc = *cap * 2;
		cg_rec *r = realloc(*recs, (size_t)nc * sizeof(cg_rec));
		if (!r) return 0;
		*recs = r;
		*cap = nc;
	}
	TSNode node = ts_tree_cursor_current_node(c);
	TSPoint sp = ts_node_start_point(node);
	cg_rec *r = &(*recs)[*n];
	r->start = ts_node_start_byte(node);
	r->end = ts_node_end_byte(node);
	r->row = sp.row;
	r->col = sp.column;
	r->parent = parent;
	r->kind = ts_node_symbol(node);
	r->field = ts_tree_cursor_current_field_id(c);
	(*n)++;
	return 1;
}

// cg_parse parses src and flattens the tree into records in depth-first order, each
// naming its parent: one call from Go per file instead of several per node.
// Returns the record count, -1 when parsing failed, -2 when the tree exceeds max nodes.
static int64_t cg_parse(TSParser *p, const char *src, uint32_t len, cg_rec **out, uint32_t max) {
	*out = NULL;
	TSTree *t = ts_parser_parse_string(p, NULL, src, len);
	if (!t) { ts_parser_reset(p); return -3; } // timed out: the next parse starts afresh
	uint32_t n = 0, cap = 1024;
	cg_rec *recs = malloc((size_t)cap * sizeof(cg_rec));
	if (!recs) { ts_tree_delete(t); return -1; }
	TSTreeCursor c = ts_tree_cursor_new(ts_tree_root_node(t));
	int64_t status = 0;
	if (!cg_push(&recs, &n, &cap, max, &c, UINT32_MAX)) status = -2;
	uint32_t cur = 0;
	while (status == 0) {
		if (ts_tree_cursor_goto_first_child(&c)) {
			if (!cg_push(&recs, &n, &cap, max, &c, cur)) { status = -2; break; }
			cur = n - 1;
			continue;
		}
		for (;;) {
			if (ts_tree_cursor_goto_next_sibling(&c)) {
				if (!cg_push(&recs, &n, &cap, max, &c, recs[cur].parent)) status = -2;
				cur = n - 1;
				break;
			}
			if (!ts_tree_cursor_goto_parent(&c)) { status = 1; break; }
			cur = recs[cur].parent;
		}
	}
	ts_tree_cursor_delete(&c);
	ts_tree_delete(t);
	if (status == -2) { free(recs); return -2; }
	*out = recs;
	return n;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"

	// the tree-sitter runtime and the Python grammar the C code above links against
	_ "github.com/tree-sitter/go-tree-sitter"
	_ "github.com/tree-sitter/tree-sitter-python/bindings/go"
)

// parsers is a small pool of C parsers; a parser is not safe for concurrent use.
var parsers = make(chan *C.TSParser, 8)

func getParser() (*C.TSParser, error) {
	select {
	case p := <-parsers:
		return p, nil
	default:
	}
	p := C.cg_new_parser()
	if p == nil {
		return nil, errors.New("cannot load the tree-sitter Python grammar")
	}
	C.ts_parser_set_timeout_micros(p, C.uint64_t(parseTimeout.Microseconds()))
	return p, nil
}

func putParser(p *C.TSParser) {
	select {
	case parsers <- p:
	default:
		C.ts_parser_delete(p)
	}
}

// parseTree parses src into a Go tree of nodes.
func parseTree(src []byte) (*node, error) {
	useLibcAllocator()
	parseMemory.acquire(int64(len(src)))
	defer parseMemory.release(int64(len(src)))
	p, err := getParser()
	if err != nil {
		return nil, err
	}
	defer putParser(p)
	var cbuf *C.char
	if len(src) > 0 {
		cbuf = (*C.char)(C.CBytes(src))
		defer C.free(unsafe.Pointer(cbuf))
	}
	var recs *C.cg_rec
	n := C.cg_parse(p, cbuf, C.uint32_t(len(src)), &recs, C.uint32_t(maxNodes))
	switch {
	case n == -2:
		return nil, &BudgetError{Reason: fmt.Sprintf("its syntax tree has more than %d nodes", maxNodes)}
	case n == -3:
		return nil, &BudgetError{Reason: fmt.Sprintf("parsing took longer than %s", parseTimeout)}
	case n <= 0:
		return nil, errors.New("tree-sitter could not parse the file")
	}
	defer C.free(unsafe.Pointer(recs))
	rs := unsafe.Slice(recs, int(n))
	nodes := make([]node, len(rs))
	counts := make([]int32, len(rs))
	depth := make([]uint16, len(rs))
	for i := range rs {
		r := &rs[i]
		nd := &nodes[i]
		nd.start, nd.end, nd.row, nd.col = uint32(r.start), uint32(r.end), uint32(r.row), uint32(r.col)
		if k := int(r.kind); k < len(kindNames) {
			nd.kind, nd.named = kindNames[k], kindNamed[k]
		} else if k == 0xFFFF {
			// ts_builtin_sym_error: the grammar's own table has no entry for it.
			nd.kind, nd.named = "ERROR", true
		}
		if f := int(r.field); f > 0 && f < len(fieldNames) {
			nd.field = fieldNames[f]
		}
		if par := uint32(r.parent); par != ^uint32(0) && int(par) < i {
			nd.parent = &nodes[par]
			counts[par]++
			if depth[i] = depth[par] + 1; depth[i] > maxTreeDepth {
				return nil, &BudgetError{Reason: fmt.Sprintf("nested deeper than %d levels", maxTreeDepth)}
			}
		}
	}
	// one backing array for every children slice
	kids := make([]*node, 0, len(rs))
	for i := range nodes {
		if c := counts[i]; c > 0 {
			nodes[i].children = kids[len(kids) : len(kids) : len(kids)+int(c)]
			kids = kids[:len(kids)+int(c)]
		}
	}
	for i := 1; i < len(nodes); i++ {
		if par := nodes[i].parent; par != nil {
			par.children = append(par.children, &nodes[i])
		}
	}
	return &nodes[0], nil
}
