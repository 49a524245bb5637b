package django

import "testing"

func TestSyntaxErrorLine(t *testing.T) {
	for src, want := range map[string]int{
		"DEBUG = True\nSECRET_KEY = 'x'\n":            0,
		"DEBUG = True\nSECRET_KEY = (\nALLOWED = 1\n": 2,
		"DEBUG = True\n\n\ndef f(:\n    pass\n":       4,
	} {
		got, err := SyntaxErrorLine([]byte(src))
		if err != nil || got != want {
			t.Errorf("%q: line %d (%v), want %d", src, got, err, want)
		}
	}
}
