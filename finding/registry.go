package finding

import (
	"fmt"
	"regexp"
	"slices"
	"sync"
)

// Rule is one entry of the catalogue: the contract users filter, suppress and gate CI on. A
// rule is declared as one value next to the check that reports it and registered with
// Register from that package's init, so a grep for its ID lands on its definition.
type Rule struct {
	ID       string   `json:"id"`
	Family   string   `json:"family"`
	Severity Severity `json:"severity"`
	CWE      []string `json:"cwe"`
	OWASP    string   `json:"owasp,omitempty"`
	Title    string   `json:"title"`
	Summary  string   `json:"summary"`
	// ReadRank is above zero for a CORS rule whose finding means an untrusted page can read
	// the endpoint's responses; when several hold, the lowest rank is the one named.
	ReadRank int `json:"-"`
	// Advice is the rule's own one-line fix, put before the stack-specific fix text.
	Advice string `json:"-"`
}

// Families in the order the catalogue lists them.
var Families = []string{"cors", "mtls", "exposure", "django", "nginx", "source"}

var (
	regMu    sync.RWMutex
	registry = map[string]Rule{}
	order    []string
	ruleID   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)+$`)
)

// Register adds rules to the catalogue. Rule IDs are a public contract: an ID never changes
// meaning and is never renamed. A duplicate or malformed rule is a programming error, caught
// at start-up.
func Register(rules ...Rule) {
	regMu.Lock()
	defer regMu.Unlock()
	for _, r := range rules {
		if !ruleID.MatchString(r.ID) || r.Title == "" || !slices.Contains(Families, r.Family) {
			panic(fmt.Sprintf("finding: malformed rule %+v", r))
		}
		if _, dup := registry[r.ID]; dup {
			panic("finding: duplicate rule " + r.ID)
		}
		if r.CWE == nil {
			r.CWE = []string{}
		}
		registry[r.ID] = r
		order = append(order, r.ID)
	}
}

// Lookup returns the rule with the given ID.
func Lookup(id string) (Rule, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	r, ok := registry[id]
	return r, ok
}

// Rules returns every registered rule, family by family (in the order of Families) and, within
// a family, in the order they were registered. Only the rules of packages linked into the
// program are known: import github.com/crossgate/crossgate/rules for all of them.
func Rules() []Rule {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]Rule, 0, len(order))
	for _, fam := range Families {
		for _, id := range order {
			if r := registry[id]; r.Family == fam {
				out = append(out, r)
			}
		}
	}
	return out
}
