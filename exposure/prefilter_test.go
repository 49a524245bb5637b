package exposure

import (
	"reflect"
	"testing"
)

func TestKeywordSet(t *testing.T) {
	kws := []string{"he", "she", "his", "hers", "pass", "password", "@"}
	ks := buildKeywordSet(kws, make([][]int, len(kws)))
	var got []string
	in := []byte("uSHErs PassWord a@b")
	ks.walk(in, func(kw, s, e int) {
		if string(in[s:e]) == "" || len(kws[kw]) != e-s {
			t.Errorf("bad span for %q: %d..%d", kws[kw], s, e)
		}
		got = append(got, kws[kw]+"@"+itoa(s))
	})
	want := []string{"she@1", "he@2", "hers@2", "pass@7", "password@7", "@@17"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestEveryDetectorHasPositives(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range append(loadCorpus(t), readJSONL(t, handwrittenPath)...) {
		for _, e := range c.Expect {
			seen[e.Detector] = true
		}
	}
	for _, id := range Detectors() {
		if !seen[id] {
			t.Errorf("detector %s has no true positive in the corpus", id)
		}
	}
	if n := len(Detectors()); n < 35 {
		t.Errorf("only %d detectors", n)
	}
}
