// Package similar compares response bodies by their word 3-shingles (Jaccard index), the
// measure both the mTLS bypass checks (is this the protected content?) and the soft-404
// learning (is this the server's not-found page?) rest on. Bodies compares two answers of one
// endpoint with the words that change between any two answers masked (the mTLS and CORS
// checks); the soft-404 learning tokenises its own way, with the requested path removed.
package similar

// Set is a set of shingles.
type Set map[string]struct{}

// Shingles returns the 3-word sequences of words; fewer than three words are taken one by one.
func Shingles(words []string) Set {
	set := Set{}
	if len(words) < 3 {
		for _, w := range words {
			set[w] = struct{}{}
		}
		return set
	}
	for i := 0; i+3 <= len(words); i++ {
		set[words[i]+"\x00"+words[i+1]+"\x00"+words[i+2]] = struct{}{}
	}
	return set
}

// Jaccard is |a ∩ b| / |a ∪ b|; callers decide what two empty sets mean.
func Jaccard(a, b Set) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	inter := 0
	for k := range a {
		if _, ok := b[k]; ok {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}
