package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// action.yml, as GitHub reads a composite action.
type actionFile struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Author      string `yaml:"author"`
	Branding    struct {
		Icon  string `yaml:"icon"`
		Color string `yaml:"color"`
	} `yaml:"branding"`
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Required    bool   `yaml:"required"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	Name  string            `yaml:"name"`
	ID    string            `yaml:"id"`
	If    string            `yaml:"if"`
	Uses  string            `yaml:"uses"`
	Shell string            `yaml:"shell"`
	Run   string            `yaml:"run"`
	Env   map[string]string `yaml:"env"`
	With  map[string]string `yaml:"with"`
}

func loadAction(t *testing.T) (*actionFile, string) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.UnmarshalWithOptions(b, &a, yaml.Strict()); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return &a, root
}

func (a *actionFile) step(t *testing.T, name string) actionStep {
	t.Helper()
	for _, s := range a.Runs.Steps {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("action.yml has no step %q", name)
	return actionStep{}
}

var expr = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

func TestActionStructure(t *testing.T) {
	a, _ := loadAction(t)
	if a.Name == "" || a.Description == "" || a.Runs.Using != "composite" {
		t.Fatalf("name %q, description %q, using %q", a.Name, a.Description, a.Runs.Using)
	}
	var inputs []string
	for name, in := range a.Inputs {
		inputs = append(inputs, name)
		if in.Description == "" || in.Required {
			t.Errorf("input %s: needs a description and a default (required: %v)", name, in.Required)
		}
	}
	slices.Sort(inputs)
	want := []string{"audit-args", "audit-paths", "fail-on", "go-version", "sarif-location", "scan-args", "scan-targets-file", "upload-sarif", "version"}
	if !slices.Equal(inputs, want) {
		t.Errorf("inputs %v, want %v", inputs, want)
	}
	if a.Inputs["fail-on"].Default != "high" || a.Inputs["audit-paths"].Default != "." || a.Inputs["upload-sarif"].Default != "true" {
		t.Error("defaults of fail-on, audit-paths or upload-sarif changed")
	}
	ids := map[string]bool{}
	uploads := 0
	for _, s := range a.Runs.Steps {
		if s.ID != "" {
			ids[s.ID] = true
		}
		switch {
		case s.Uses != "" && s.Run != "":
			t.Errorf("step %q both uses and runs", s.Name)
		case s.Run != "":
			if s.Shell != "bash" {
				t.Errorf("step %q: a composite run step needs shell: bash", s.Name)
			}
			// Inputs in the script text would let a value inject shell code.
			if strings.Contains(s.Run, "${{") {
				t.Errorf("step %q interpolates an expression into its script; pass it through env", s.Name)
			}
		case strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@"):
			uploads++
			if !regexp.MustCompile(`^\$\{\{ steps\.(audit|scan)\.outputs\.sarif \}\}$`).MatchString(s.With["sarif_file"]) || s.With["category"] == "" || !strings.Contains(s.If, "always()") {
				t.Errorf("upload step %q: sarif_file %q, category %q, if %q", s.Name, s.With["sarif_file"], s.With["category"], s.If)
			}
		case strings.HasPrefix(s.Uses, "actions/setup-go@"):
		default:
			t.Errorf("step %q uses %q, which this test does not know", s.Name, s.Uses)
		}
		if s.Uses != "" && !regexp.MustCompile(`@v\d+$`).MatchString(s.Uses) {
			t.Errorf("step %q: pin the action to a major version: %s", s.Name, s.Uses)
		}
	}
	if uploads != 2 {
		t.Errorf("%d SARIF uploads, want one for the audit and one for the scan", uploads)
	}
	// Every expression names a declared input, an existing step, or a known context.
	var text []string
	for _, s := range a.Runs.Steps {
		text = append(text, s.If)
		for _, v := range s.Env {
			text = append(text, v)
		}
		for _, v := range s.With {
			text = append(text, v)
		}
	}
	for _, o := range a.Outputs {
		text = append(text, o.Value)
	}
	for _, m := range expr.FindAllStringSubmatch(strings.Join(text, "\n"), -1) {
		for _, ref := range regexp.MustCompile(`(inputs|steps)\.([a-z-]+)`).FindAllStringSubmatch(m[1], -1) {
			if ref[1] == "inputs" && !slices.Contains(inputs, ref[2]) {
				t.Errorf("%q names an undeclared input", m[0])
			}
			if ref[1] == "steps" && !ids[ref[2]] {
				t.Errorf("%q names no step", m[0])
			}
		}
	}
	for _, s := range []string{"crossgate audit", "crossgate scan"} {
		if st := a.step(t, s); st.If == "" || st.ID == "" {
			t.Errorf("step %q must be skippable and have an id", s)
		}
	}
}

// runner plays the part of GitHub's runner for the action's shell steps: it evaluates the
// ${{ }} expressions of env, runs the script with bash, and collects GITHUB_OUTPUT and
// GITHUB_PATH.
type runner struct {
	t       *testing.T
	a       *actionFile
	root    string
	inputs  map[string]string
	outputs map[string]map[string]string
	path    []string
	tmp     string
}

func (r *runner) eval(s string) string {
	return expr.ReplaceAllStringFunc(s, func(m string) string {
		e := expr.FindStringSubmatch(m)[1]
		switch {
		case strings.HasPrefix(e, "inputs."):
			name := strings.TrimPrefix(e, "inputs.")
			if v, ok := r.inputs[name]; ok {
				return v
			}
			return r.a.Inputs[name].Default
		case e == "github.action_path":
			return r.root
		case strings.HasPrefix(e, "steps."):
			parts := strings.Split(e, ".") // steps.ID.outputs.KEY
			return r.outputs[parts[1]][parts[3]]
		}
		r.t.Fatalf("expression %s not understood by this test", m)
		return ""
	})
}

func (r *runner) run(name string) int {
	t := r.t
	t.Helper()
	s := r.a.step(t, name)
	outFile, pathFile := filepath.Join(r.tmp, "output"), filepath.Join(r.tmp, "path")
	os.WriteFile(outFile, nil, 0o644)
	os.WriteFile(pathFile, nil, 0o644)
	cmd := exec.Command("bash", "-e", "-c", s.Run)
	cmd.Dir = r.root // a workflow runs in the repository checkout
	cmd.Env = append(os.Environ(), "RUNNER_TEMP="+r.tmp, "GITHUB_OUTPUT="+outFile, "GITHUB_PATH="+pathFile,
		"PATH="+strings.Join(append(slices.Clone(r.path), os.Getenv("PATH")), string(os.PathListSeparator)))
	for k, v := range s.Env {
		cmd.Env = append(cmd.Env, k+"="+r.eval(v))
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	code := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("step %q: %v", name, err)
		}
		code = ee.ExitCode()
	}
	t.Logf("step %q exit %d:\n%s", name, code, out.String())
	if s.ID != "" {
		r.outputs[s.ID] = map[string]string{}
		b, _ := os.ReadFile(outFile)
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				r.outputs[s.ID][k] = v
			}
		}
	}
	b, _ := os.ReadFile(pathFile)
	for _, p := range strings.Fields(string(b)) {
		r.path = append([]string{p}, r.path...)
	}
	return code
}

// TestActionRunsLocally runs the action's own shell steps, as the runner would, against the
// repository's fixtures: it builds crossgate from this checkout, audits the seed-like
// project and scans a loopback API listed in a targets file, then checks the SARIF files
// and the final gate.
func TestActionRunsLocally(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the crossgate binary")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	a, root := loadAction(t)
	urls, flags := seedServers(t, 1)
	targets := filepath.Join(t.TempDir(), "crossgate-targets.txt")
	os.WriteFile(targets, []byte(urls[0]+"\n"), 0o644)
	newRunner := func(inputs map[string]string) *runner {
		return &runner{t: t, a: a, root: root, inputs: inputs, outputs: map[string]map[string]string{}, tmp: t.TempDir()}
	}

	r := newRunner(map[string]string{
		"audit-paths": "audit/testdata/seedlike", "scan-targets-file": targets,
		"scan-args": strings.Join(flags, " "), "fail-on": "high",
	})
	if code := r.run("Install crossgate"); code != 0 || len(r.path) != 1 {
		t.Fatalf("install: exit %d, PATH additions %v", code, r.path)
	}
	if code := r.run("crossgate audit"); code != 0 || r.outputs["audit"]["exit-code"] != "1" {
		t.Fatalf("audit step: exit %d, outputs %v", code, r.outputs["audit"])
	}
	if code := r.run("crossgate scan"); code != 0 || r.outputs["scan"]["exit-code"] != "1" {
		t.Fatalf("scan step: exit %d, outputs %v", code, r.outputs["scan"])
	}
	for _, id := range []string{"audit", "scan"} {
		b, err := os.ReadFile(r.outputs[id]["sarif"])
		var log struct {
			Runs []struct {
				Results []struct {
					Locations []struct {
						Physical struct {
							Artifact struct{ URI string } `json:"artifactLocation"`
						} `json:"physicalLocation"`
					} `json:"locations"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err != nil || json.Unmarshal(b, &log) != nil || len(log.Runs) != 1 || len(log.Runs[0].Results) == 0 {
			t.Fatalf("%s SARIF %s: %v", id, r.outputs[id]["sarif"], err)
		}
		for _, res := range log.Runs[0].Results {
			if len(res.Locations) == 0 || strings.Contains(res.Locations[0].Physical.Artifact.URI, "://") {
				t.Errorf("%s result without a file location: %+v", id, res.Locations)
			}
		}
	}
	if code := r.run("Fail on findings"); code != 1 {
		t.Errorf("gate: exit %d, want 1 for findings at or above high", code)
	}

	// A clean project, no scan: every step passes.
	r2 := newRunner(map[string]string{"audit-paths": "audit/testdata/clean"})
	r2.path = r.path
	if code := r2.run("crossgate audit"); code != 0 || r2.outputs["audit"]["exit-code"] != "0" {
		t.Fatalf("clean audit: exit %d, outputs %v", code, r2.outputs["audit"])
	}
	if code := r2.run("Fail on findings"); code != 0 {
		t.Errorf("gate on a clean project: exit %d", code)
	}
	// A usage error stops at its step, with no SARIF to upload.
	r3 := newRunner(map[string]string{"audit-paths": "no/such/dir"})
	r3.path = r.path
	if code := r3.run("crossgate audit"); code != 2 || r3.outputs["audit"]["sarif"] != "" {
		t.Errorf("bad path: exit %d, outputs %v", code, r3.outputs["audit"])
	}
}
