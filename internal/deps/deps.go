// Package deps pins modules that packages under construction will import, so that
// parallel work does not race on go.mod. Removed once every module is imported for real.
package deps

import (
	_ "github.com/BobuSumisu/aho-corasick"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
	_ "github.com/tree-sitter/go-tree-sitter"
	_ "github.com/tree-sitter/tree-sitter-python/bindings/go"
	_ "software.sslmate.com/src/go-pkcs12"
)
