package exposure

import "testing"

func TestDbgCounts(t *testing.T) {
	data := loadBenchCorpus(benchSize)[:16<<20]
	cnt := map[string]int{}
	ex := map[string]string{}
	for _, m := range Scan(data) {
		cnt[m.Detector]++
		ex[m.Detector] = m.Key + " => " + m.Value
	}
	t.Log(cnt)
	for k, v := range ex {
		t.Log(k, v)
	}
}
