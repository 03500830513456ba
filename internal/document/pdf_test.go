package document_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/document"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/pdf"
	"github.com/pctracker/pctracker/internal/recommendation"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/web"
)

// sample is a small report, compiled from inputs made by hand.
func sample(t *testing.T) report.Compiled {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	in := report.Inputs{
		Cycle:    report.Period{Year: 2027, OpensAt: day("2027-06-01"), Deadline: day("2027-10-01"), ReportAt: day("2027-10-21"), ForumDate: day("2027-11-11")},
		CutoffAt: day("2027-10-21"), CompiledAt: day("2027-10-21"),
		Recommendations: []report.Recommendation{
			{Number: 1, Slug: "use-guidelines", Title: recommendation.Text{EN: "Develop clear acceptable use guidelines", FR: "Élaborer des lignes directrices claires"}, Addressees: []stakeholder.Kind{"state", "public_authority"}},
			{Number: 9, Slug: "tech-accord-principles", Title: recommendation.Text{EN: "Respect the Tech Accord principles", FR: "Respecter les principes du Tech Accord"}, Addressees: []stakeholder.Kind{"company"}},
		},
		Organisations: []report.Organisation{{ID: 1, Name: "République française", Kind: "state", Country: "FR", Active: true},
			{ID: 2, Name: "Acme Security", Kind: "company", Country: "US", Active: true}},
	}
	// The crosswalk: one framework, a provision the action counts for and
	// a gap; recommendation 9 has no counterpart.
	issued := day("2025-04-04")
	in.Crosswalk = &report.Crosswalk{Frameworks: []report.Framework{{Key: "pall-mall-states", FRUnofficial: true, Issued: &issued,
		Title:  recommendation.Text{EN: "Pall Mall Process Code of Practice for States", FR: "Code de bonnes pratiques du processus de Pall Mall"},
		Source: "https://example.org/pall-mall",
		Provisions: []report.Provision{
			{Key: "pillar:precision", Title: recommendation.Text{EN: "Precision", FR: "Précision"}, Recommendations: []int{1}, Confidence: "medium"},
			{Key: "2.a", Title: recommendation.Text{EN: "Domestic frameworks", FR: "Cadres nationaux"}, Recommendations: []int{}, Confidence: "high"},
		}}}}
	actions := []report.Action{{ID: 10, OrganisationID: 1, Public: true, Title: "Décret sur l'usage des logiciels d'intrusion",
		Stage: "adopted", MeasureType: "legal_framework", Scope: "national", Recommendations: []int{1}, AcceptedAt: day("2027-09-01"),
		Evidence:   []report.Evidence{{Kind: "law", URL: "https://example.org/decret", Title: "Décret n° 2027-1"}},
		Provisions: []report.ProvisionLink{{Framework: "pall-mall-states", Provision: "pillar:precision", Kind: "derived"}}}}
	c, err := report.Compile(in, report.Slice(actions))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The PDF is printed by Chromium: a tagged A4 document whose text can be
// selected (accents included) and whose pages are numbered.
func TestPDF(t *testing.T) {
	printer := pdf.Find(testutil.Chromium(t))
	if printer == nil {
		t.Fatal("no printer for the Chromium found")
	}
	cat, err := locale.Load(web.I18n())
	if err != nil {
		t.Fatal(err)
	}
	r, err := document.NewRenderer(web.Templates(), cat, printer, "report.chromium")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := r.Render(context.Background(), sample(t), report.PDF, "fr")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(doc, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.20q", doc)
	}
	if !bytes.Contains(doc, []byte("/StructTreeRoot")) {
		t.Error("the PDF is not tagged")
	}
	// A4 is 595 x 842 points.
	if !regexp.MustCompile(`/MediaBox \[0 0 59[45](\.\d+)? 84[12](\.\d+)?\]`).Match(doc) {
		t.Error("the PDF is not A4")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is required under CI (apt-get install poppler-utils)")
		}
		t.Log("pdftotext not installed: the text of the PDF is not checked")
		return
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = bytes.NewReader(doc)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"Rapport d'étape de l'Appel de Paris 2027", "Décret sur l'usage des logiciels d'intrusion",
		"les autres cadres", "(traduction non officielle)", "pillar:precision", "(lacune)"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	// Every page ends with its number: "n / pages" on a line of its own.
	pages := strings.Count(text, "\f")
	for n := 1; n <= pages; n++ {
		if !regexp.MustCompile(fmt.Sprintf(`(?m)^%d ?/ ?%d$`, n, pages)).MatchString(text) {
			t.Errorf("page %d of %d has no page number", n, pages)
		}
	}
	if pages < 2 {
		t.Errorf("%d pages", pages)
	}

	// PDF/UA-minded: the title, the language and the licence in the XMP
	// and the Info dictionary, and a structure poppler reads whole. The
	// sample's <strong>s are printed as PDF 2.0 Strong elements, which a
	// 1.4 file must map to standard types.
	info, _ := poppler(t, doc, "pdfinfo")
	if !regexp.MustCompile(`(?m)^Title: +Rapport d'étape de l'Appel de Paris 2027$`).MatchString(info) ||
		!regexp.MustCompile(`(?m)^Metadata Stream: +yes$`).MatchString(info) || !regexp.MustCompile(`(?m)^Tagged: +yes$`).MatchString(info) {
		t.Errorf("pdfinfo:\n%.600s", info)
	}
	tree, stderr := poppler(t, doc, "pdfinfo", "-struct")
	if strings.Contains(stderr, "wrong type") || strings.Contains(stderr, "rror") {
		t.Errorf("poppler reads the structure with errors (%d \"wrong type\"):\n%.600s", strings.Count(stderr, "wrong type"), stderr)
	}
	if n := strings.Count(tree, "Span (inline)"); n < 7 {
		t.Errorf("%d Spans in the structure: the <strong>s are not in it", n)
	}
	_, stderr = poppler(t, doc, "pdftotext")
	if stderr != "" {
		t.Errorf("pdftotext: %s", stderr)
	}
	meta, _ := poppler(t, doc, "pdfinfo", "-meta")
	for _, want := range []string{`<rdf:li xml:lang="x-default">Rapport d&#39;étape de l&#39;Appel de Paris 2027</rdf:li>`,
		"<dc:language><rdf:Bag><rdf:li>fr</rdf:li></rdf:Bag></dc:language>", "CC BY 4.0",
		`<cc:license rdf:resource="https://creativecommons.org/licenses/by/4.0/"/>`,
		"<xmpRights:UsageTerms>", "<dc:rights>"} {
		if !strings.Contains(meta, want) {
			t.Errorf("the XMP lacks %s:\n%s", want, meta)
		}
	}
}

// poppler runs one of poppler's tools on doc, written to a file (pdfinfo
// seeks), and returns its output and its complaints.
func poppler(t *testing.T, doc []byte, tool string, args ...string) (stdout, stderr string) {
	t.Helper()
	name := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(name, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	if tool == "pdftotext" {
		args = []string{name, "-"}
	} else {
		args = append(args, name)
	}
	cmd := exec.Command(tool, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, args, err, errOut.String())
	}
	return out.String(), errOut.String()
}

// The HTML report passes axe-core's WCAG 2.2 A and AA rules, in both
// languages.
func TestHTMLAccessible(t *testing.T) {
	ctx := testutil.Browser(t)
	r := newRenderer(t)
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			doc, err := r.Render(context.Background(), sample(t), report.HTML, lang)
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				_, _ = w.Write(doc)
			}))
			defer ts.Close()
			if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL)); err != nil {
				t.Fatal(err)
			}
			testutil.CheckAccessibility(t, ctx, "report "+lang)
			testutil.Screenshot(t, ctx, "report-"+lang)
		})
	}
}
