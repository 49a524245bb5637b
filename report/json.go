package report

import (
	_ "embed"
	"encoding/json"
	"io"
)

// Schema is the JSON Schema (draft 2020-12) of WriteJSON's output: the contract of rules.md.
//
//go:embed schema.json
var Schema []byte

// WriteJSON writes r as one indented JSON object whose findings array holds every finding.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
