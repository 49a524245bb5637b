package exposure

// The prefilter is one Aho-Corasick automaton over every detector keyword,
// compiled to a dense DFA over a small byte alphabet and matched
// case-insensitively. A detector runs only where one of its keywords
// occurred, which keeps the cost of an input close to one table lookup per
// byte when nothing interesting is in it (the approach of gitleaks and
// trufflehog, see knowledge/data-exposure-anchors.md §4 and §7).

type keywordSet struct {
	class  [256]uint8 // byte -> alphabet class; 0 = byte in no keyword
	nclass int
	// delta[state*nclass + class] = next*nclass<<1 | 1 if next has output:
	// pre-multiplied so the hot loop has no multiply and no second lookup.
	delta   []int32
	out     [][]int // state -> keyword indexes that end here
	kwLen   []int
	kwOwner [][]int // keyword index -> detector indexes
}

func buildKeywordSet(keywords []string, owners [][]int) *keywordSet {
	ks := &keywordSet{kwOwner: owners}
	// Alphabet: every lower-cased byte that occurs in a keyword; upper-case
	// letters share their lower-case class.
	for _, kw := range keywords {
		for i := 0; i < len(kw); i++ {
			c := lower(kw[i])
			if ks.class[c] == 0 {
				ks.nclass++
				ks.class[c] = uint8(ks.nclass)
			}
		}
	}
	ks.nclass++
	for c := 'A'; c <= 'Z'; c++ {
		ks.class[c] = ks.class[c+32]
	}
	nc := ks.nclass
	// Trie.
	gotoT := [][]int32{make([]int32, nc)}
	out := [][]int{nil}
	for i := range gotoT[0] {
		gotoT[0][i] = -1
	}
	for ki, kw := range keywords {
		s := int32(0)
		for i := 0; i < len(kw); i++ {
			c := ks.class[lower(kw[i])]
			if gotoT[s][c] < 0 {
				row := make([]int32, nc)
				for j := range row {
					row[j] = -1
				}
				gotoT = append(gotoT, row)
				out = append(out, nil)
				gotoT[s][c] = int32(len(gotoT) - 1)
			}
			s = gotoT[s][c]
		}
		out[s] = append(out[s], ki)
		ks.kwLen = append(ks.kwLen, len(kw))
	}
	// BFS to compute failure links and fill the DFA.
	n := len(gotoT)
	fail := make([]int32, n)
	ks.delta = make([]int32, n*nc)
	queue := make([]int32, 0, n)
	for c := 0; c < nc; c++ {
		if t := gotoT[0][c]; t > 0 {
			fail[t] = 0
			ks.delta[c] = t
			queue = append(queue, t)
		} else {
			ks.delta[c] = 0
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		out[s] = append(out[s], out[fail[s]]...)
		for c := 0; c < nc; c++ {
			t := gotoT[s][c]
			if t > 0 {
				fail[t] = ks.delta[int(fail[s])*nc+c]
				ks.delta[int(s)*nc+c] = t
				queue = append(queue, t)
			} else {
				ks.delta[int(s)*nc+c] = ks.delta[int(fail[s])*nc+c]
			}
		}
	}
	ks.out = out
	for i, t := range ks.delta {
		v := t * int32(nc) << 1
		if len(out[t]) > 0 {
			v |= 1
		}
		ks.delta[i] = v
	}
	return ks
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 32
	}
	return c
}

// walk calls fn(keyword, start, end) for every keyword occurrence.
func (ks *keywordSet) walk(data []byte, fn func(kw, start, end int)) {
	s := int32(0)
	nc := int32(ks.nclass)
	delta := ks.delta
	class := &ks.class
	for i, c := range data {
		v := delta[s+int32(class[c])]
		s = v >> 1
		if v&1 != 0 {
			for _, kw := range ks.out[s/nc] {
				fn(kw, i+1-ks.kwLen[kw], i+1)
			}
		}
	}
}
