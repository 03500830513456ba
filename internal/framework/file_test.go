package framework_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/migrations"
)

var twelve = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}

// The initial file reads whole, with its keys, confidence, flags and
// notes, and writing it then reading it again gives the same data.
func TestInitialCrosswalkRoundTrip(t *testing.T) {
	cw, err := framework.Parse(migrations.Crosswalk(), twelve)
	if err != nil {
		t.Fatal(err)
	}
	if len(cw.Frameworks) != 7 || cw.Provisions() != 48 {
		t.Fatalf("%d frameworks, %d provisions; want 7 and 48", len(cw.Frameworks), cw.Provisions())
	}
	pm := cw.Frameworks[0]
	if pm.Key != "pall-mall-states" || !pm.FRUnofficial || pm.Issued == nil || pm.Issued.Format("2006-01-02") != "2025-04-04" ||
		!strings.Contains(pm.Note, "UNVERIFIED / PARTIAL") || !strings.HasPrefix(pm.Source, "https://www.gov.uk/") {
		t.Errorf("first framework: %+v", pm)
	}
	p := pm.Provisions[2]
	if p.Key != "2.a.i" || !reflect.DeepEqual(p.Recommendations, []int{1, 4}) || p.Confidence != framework.Medium ||
		!strings.Contains(p.Note, "clear: 1") || p.Title.FR == "" {
		t.Errorf("provision 2.a.i: %+v", p)
	}
	if eu := cw.Frameworks[5]; eu.Key != "eu-dual-use-2021-821" || eu.FRUnofficial {
		t.Errorf("EU regulation: %s unofficial=%v", eu.Key, eu.FRUnofficial)
	}
	out, err := framework.Encode(cw)
	if err != nil {
		t.Fatal(err)
	}
	again, err := framework.Parse(out, twelve)
	if err != nil {
		t.Fatalf("the exported file does not read back: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(cw, again) {
		for i := range cw.Frameworks {
			if !reflect.DeepEqual(cw.Frameworks[i], again.Frameworks[i]) {
				t.Errorf("framework %d differs:\n%.600s\n%.600s", i, fmt.Sprintf("%+v", cw.Frameworks[i]), fmt.Sprintf("%+v", again.Frameworks[i]))
			}
		}
	}
	if unmatched := framework.Unmatched(cw.Frameworks, twelve); !reflect.DeepEqual(unmatched, []int{8}) {
		t.Errorf("recommendations with no counterpart: %v, want [8]", unmatched)
	}
}

// A file with mistakes is refused whole, each mistake named at its line.
func TestParseRefusesWithLines(t *testing.T) {
	for _, c := range []struct {
		name, file string
		want       []string
	}{
		{"syntax", "frameworks:\n  - key: a\n   title: x\n", []string{"line 1: did not find expected"}},
		{"empty", "", []string{"empty"}},
		{"no list", "other: 1\n", []string{`line 1: unknown field "other"`}},
		{"bad provision", `frameworks:
  - key: fw
    title: {en: "A", fr: "B"}
    issued: 2025-13-01
    source: ftp://example.org/x
    provisions:
      - key: "1"
        title: {en: "T", fr: "T"}
        recommendations: [1, 13]
        confidence: low
      - key: "1"
        title: {en: "", fr: "T"}
        recommendations: [x]
        colour: red
`, []string{`line 4: issued:`, `line 5: framework "fw": source: must be a web address`,
			`line 9: framework "fw", provision "1": recommendations: there is no recommendation 13`,
			`line 10: framework "fw", provision "1": confidence: must be high or medium`,
			`line 11: framework "fw": provision "1" is already at line 7`,
			`line 11: framework "fw", provision "1" has no confidence`,
			`line 12: framework "fw", provision "1": title.en: is required`,
			`line 13: recommendations must be numbers, not "x"`,
			`line 14: unknown field "colour" in a provision`}},
		{"duplicate framework", "frameworks:\n  - key: a\n    title: {en: A, fr: A}\n    provisions: []\n  - key: a\n    title: {en: A, fr: A}\n    provisions: []\n",
			[]string{`line 5: framework "a" is already at line 2`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cw, err := framework.Parse([]byte(c.file), twelve)
			if !errs.Is(err, errs.Invalid) || len(cw.Frameworks) != 0 {
				t.Fatalf("got %v, %d frameworks", err, len(cw.Frameworks))
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("no %q in:\n%v", w, err)
				}
			}
		})
	}
}
