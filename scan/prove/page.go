package prove

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Modes are the fetch() credentials modes tried, in this order. same-origin is fetch()'s
// default; cross-origin it sends no cookies, and Chromium still presents the certificate.
var Modes = []string{"omit", "same-origin", "include"}

// PreflightHeader is the request header that makes a fetch() non-simple, so the browser
// sends a CORS preflight first. X-Requested-With is what front-end libraries send, and the
// default allowed-headers list of django-cors-headers names it, so a permissive
// configuration lets it through as it would for the real application.
const PreflightHeader = "X-Requested-With"

// excerptBytes is how much of what the page read the report shows. The page returns more
// (excerptRead), so that redaction sees whole values before the cut.
const (
	excerptBytes = 160
	excerptRead  = 1024
)

// pageJob is what one attacker page does: fetch Target in every mode, from its own origin or,
// when Null is set, from a sandboxed frame whose origin is opaque ("null").
type pageJob struct {
	Target    string    `json:"target"`
	Null      bool      `json:"null"`
	Header    string    `json:"header"`
	TimeoutMS int64     `json:"timeout_ms"`
	MaxBytes  int64     `json:"max_bytes"`
	Excerpt   int       `json:"excerpt"`
	Attempts  []attempt `json:"attempts"`
}

// attempt is one fetch(): a credentials mode, with or without a preflight.
type attempt struct {
	Mode      string `json:"mode"`
	Preflight bool   `json:"preflight"`
}

func newPageJob(target string, null bool, timeoutMS, maxBytes int64) pageJob {
	j := pageJob{Target: target, Null: null, Header: PreflightHeader, TimeoutMS: timeoutMS, MaxBytes: maxBytes, Excerpt: excerptRead}
	for _, m := range Modes {
		for _, pre := range []bool{false, true} {
			j.Attempts = append(j.Attempts, attempt{m, pre})
		}
	}
	return j
}

// attemptJS runs one fetch() the way an attacker page would and reports what the page could
// see. It is also the whole script of the sandboxed frame, so it must stand alone.
const attemptJS = `async function crossgateAttempt(job, i) {
  const a = job.attempts[i];
  const out = {mode: a.mode, preflight: a.preflight, read: false, status: 0, bytes: 0, excerpt: "", type: "", error: ""};
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), job.timeout_ms);
  const init = {method: "GET", mode: "cors", credentials: a.mode, cache: "no-store", redirect: "manual", signal: ctl.signal};
  if (a.preflight) { init.headers = {}; init.headers[job.header] = "crossgate"; }
  try {
    const res = await fetch(job.target, init);
    out.type = res.type;
    out.status = res.status;
    if (res.type === "opaqueredirect") { out.error = "the target answered with a redirect, which is not followed"; return out; }
    const kept = [];
    let n = 0, k = 0;
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const {done, value} = await reader.read();
        if (done) break;
        n += value.length;
        if (k < job.excerpt) { kept.push(value.subarray(0, job.excerpt - k)); k += Math.min(value.length, job.excerpt - k); }
        if (n >= job.max_bytes) { await reader.cancel(); break; }
      }
    }
    const buf = new Uint8Array(k);
    let off = 0;
    for (const c of kept) { buf.set(c, off); off += c.length; }
    out.excerpt = new TextDecoder().decode(buf);
    out.bytes = n;
    out.read = true;
  } catch (e) {
    out.error = ctl.signal.aborted ? "timeout" : String((e && e.message) || e);
  } finally {
    clearTimeout(timer);
  }
  return out;
}`

// pageJS runs the job: directly, or through a sandboxed srcdoc frame for the null origin.
// crossgateRun(i) is what the browser driver evaluates, one attempt at a time, so that the
// console's CORS message can be matched to the attempt that caused it.
const pageJS = `const crossgateJob = JSON.parse(document.getElementById("crossgate-job").textContent);
let crossgateFrame = null;
function crossgateSandbox() {
  if (crossgateFrame) return crossgateFrame;
  crossgateFrame = new Promise((resolve) => {
    const f = document.createElement("iframe");
    f.setAttribute("sandbox", "allow-scripts");
    const src = crossgateAttempt.toString() +
      "\nwindow.addEventListener('message', async (ev) => { const r = await crossgateAttempt(ev.data.job, ev.data.i); parent.postMessage({id: ev.data.id, r: r}, '*'); });" +
      "\nparent.postMessage({ready: true}, '*');";
    window.addEventListener("message", function ready(ev) {
      if (ev.source === f.contentWindow && ev.data && ev.data.ready) { window.removeEventListener("message", ready); resolve(f); }
    });
    f.srcdoc = "<script>" + src.replace(/<\//g, "<\\/") + "<\/script>";
    document.body.appendChild(f);
  });
  return crossgateFrame;
}
let crossgateSeq = 0;
async function crossgateRun(i) {
  if (!crossgateJob.null) return crossgateAttempt(crossgateJob, i);
  const f = await crossgateSandbox();
  const id = ++crossgateSeq;
  return new Promise((resolve) => {
    window.addEventListener("message", function got(ev) {
      if (ev.source === f.contentWindow && ev.data && ev.data.id === id) { window.removeEventListener("message", got); resolve(ev.data.r); }
    });
    f.contentWindow.postMessage({id: id, i: i, job: crossgateJob}, "*");
  });
}`

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>crossgate proof</title></head>
<body><p>crossgate: a page on another origin trying to read {{.Target}}</p>
<script id="crossgate-job" type="application/json">{{.JobJSON}}</script>
<script>{{.Script}}</script>
</body></html>
`))

// PageHTML is the attacker page for one job. The job is embedded as JSON, with <, > and &
// escaped by encoding/json, so no target URL can end the script element.
func pageHTML(j pageJob) ([]byte, error) {
	js, err := json.Marshal(j)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = pageTemplate.Execute(&b, struct {
		Target  string
		JobJSON template.JS
		Script  template.JS
	}{j.Target, template.JS(js), template.JS(attemptJS + "\n" + pageJS)})
	return b.Bytes(), err
}

// attemptResult is what crossgateRun returns for one attempt.
type attemptResult struct {
	Mode      string `json:"mode"`
	Preflight bool   `json:"preflight"`
	Read      bool   `json:"read"`
	Status    int    `json:"status"`
	Bytes     int64  `json:"bytes"`
	Excerpt   string `json:"excerpt"`
	Type      string `json:"type"`
	Error     string `json:"error"`
}

// parseAttempt checks what the page returned: the page runs in a browser that talked to the
// target, so its answer is validated like any other input.
func parseAttempt(raw []byte, want attempt) (attemptResult, error) {
	var r attemptResult
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, fmt.Errorf("the attacker page returned no result: %v", err)
	}
	if r.Mode != want.Mode || r.Preflight != want.Preflight {
		return r, fmt.Errorf("the attacker page answered for mode %q preflight %v, not %q preflight %v", r.Mode, r.Preflight, want.Mode, want.Preflight)
	}
	if r.Status < 0 || r.Status > 999 || r.Bytes < 0 {
		return r, fmt.Errorf("the attacker page returned status %d, %d bytes", r.Status, r.Bytes)
	}
	// A "cors" response is the only kind a page reads; anything else means the browser
	// withheld it, whatever the page's script thinks.
	if r.Read && r.Type != "cors" && r.Type != "basic" {
		r.Read = false
		r.Error = "the browser gave the page an opaque response (" + r.Type + ")"
	}
	if len(r.Excerpt) > 4*excerptRead {
		r.Excerpt = r.Excerpt[:4*excerptRead]
	}
	r.Error = cleanText(r.Error, 300)
	return r, nil
}

// cleanText keeps printable text for a terminal and cuts it to max bytes on a rune boundary.
func cleanText(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return ' '
		case unicode.IsPrint(r):
			return r
		}
		return '.'
	}, s)
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
