package similar

import "testing"

func TestJaccardOfShingles(t *testing.T) {
	a := Shingles([]string{"the", "user", "profile", "of", "alice"})
	b := Shingles([]string{"the", "user", "profile", "of", "bob"})
	if got := Jaccard(a, a); got != 1 {
		t.Fatalf("self similarity %v", got)
	}
	// {the user profile, user profile of, profile of alice} vs {..., profile of bob}: 2 of 4.
	if got := Jaccard(a, b); got != 0.5 {
		t.Fatalf("Jaccard = %v, want 0.5", got)
	}
	if got := Jaccard(Shingles(nil), Shingles(nil)); got != 0 {
		t.Fatalf("empty sets: %v", got)
	}
	if got := len(Shingles([]string{"ok"})); got != 1 {
		t.Fatalf("short body shingles: %d", got)
	}
}
