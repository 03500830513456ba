package pdf

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// build writes a PDF 1.4 the way Skia does: numbered objects, one classic
// cross-reference table, a trailer with /Root and /Info.
func build(objects ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := []int{}
	for i, o := range objects {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d\n/Root 5 0 R\n/Info 1 0 R>>\nstartxref\n%d\n%%%%EOF", len(objects)+1, xref)
	return b.Bytes()
}

// tagged is a one-page tagged PDF whose structure holds a PDF 2.0 Strong.
func tagged() []byte {
	content := "/P <</MCID 0>> BDC BT /F1 12 Tf 72 720 Td (Bold words) Tj ET EMC"
	return build(
		"<</Title (Report)>>",
		"<</Type /Pages /Kids [3 0 R] /Count 1>>",
		"<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /StructParents 0"+
			" /Resources <</Font <</F1 <</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>>>>>>>",
		fmt.Sprintf("<</Length %d>>\nstream\n%s\nendstream", len(content), content),
		"<</Type /Catalog\n/Pages 2 0 R\n/MarkInfo <</Marked true>>\n/StructTreeRoot 6 0 R>>",
		"<</Type /StructTreeRoot\n/K 7 0 R\n/ParentTree <</Nums [0 [8 0 R]]>>\n/ParentTreeNextKey 1>>",
		"<</Type /StructElem /S /Document /P 6 0 R /K [8 0 R]>>",
		"<</Type /StructElem /S /Strong /P 7 0 R /Pg 3 0 R /K 0>>",
	)
}

var described = Description{Title: "Rapport d'étape <2027>", Lang: "fr", Licence: "CC BY 4.0",
	LicenceURL: "https://creativecommons.org/licenses/by/4.0/"}

func TestDescribe(t *testing.T) {
	in := tagged()
	out, err := Describe(in, described)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, in) {
		t.Fatal("the printed bytes are not kept as they are")
	}
	tail := string(out[len(in):])
	for _, want := range []string{
		"5 0 obj\n<</Type /Catalog\n/Pages 2 0 R\n/MarkInfo <</Marked true>>\n/StructTreeRoot 6 0 R\n/Metadata 9 0 R\n/Lang (fr)>>\nendobj",
		"/RoleMap <</Aside /Sect /DocumentFragment /Part /Em /Span /FENote /Note /Strong /Span /Sub /Span /Title /P >>>>",
		"9 0 obj\n<</Type /Metadata /Subtype /XML /Length ",
		"<rdf:li xml:lang=\"x-default\">Rapport d&#39;étape &lt;2027&gt;</rdf:li>",
		"<dc:language><rdf:Bag><rdf:li>fr</rdf:li></rdf:Bag></dc:language>",
		`<cc:license rdf:resource="https://creativecommons.org/licenses/by/4.0/"/>`,
		"trailer\n<</Size 10\n/Root 5 0 R\n/Info 1 0 R\n/Prev ",
	} {
		if !strings.Contains(tail, want) {
			t.Errorf("the update lacks %q:\n%s", want, tail)
		}
	}
	// Every offset in the new table points at its object, and startxref
	// at the table.
	f, err := readTail(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{5, 6, 9} {
		if !bytes.HasPrefix(out[f.offsets[n]:], []byte(fmt.Sprintf("%d 0 obj", n))) {
			t.Errorf("object %d is not at its offset %d", n, f.offsets[n])
		}
	}
	if f.offsets[8] != bytes.Index(in, []byte("8 0 obj")) {
		t.Error("the objects left alone are not found through /Prev")
	}
	m := regexp.MustCompile(`/Length (\d+)>>\nstream\n`).FindAllStringSubmatchIndex(tail, -1)
	last := m[len(m)-1]
	var length int
	fmt.Sscan(tail[last[2]:last[3]], &length)
	if !strings.HasPrefix(tail[last[1]+length:], "\nendstream") {
		t.Error("the metadata's /Length is wrong")
	}

	// A second description is refused, as is a file Describe cannot read.
	if _, err := Describe(out, described); err == nil || !strings.Contains(err.Error(), "already has metadata") {
		t.Errorf("described twice: %v", err)
	}
	untagged := bytes.Replace(in, []byte("/StructTreeRoot 6 0 R"), []byte("/Outlines  6 0 R"), 1)
	if _, err := Describe(untagged, described); err == nil {
		t.Error("an untagged PDF is described")
	}
	stream := bytes.Replace(in, []byte("\nxref\n0 9"), []byte("\nxrefs\n0 9"), 1)
	if _, err := Describe(stream, described); err == nil {
		t.Error("a PDF without a classic cross-reference table is described")
	}
	if _, err := Describe(in[:len(in)-20], described); err == nil {
		t.Error("a truncated PDF is described")
	}

	// poppler reads the update: title, XMP and the Strong, mapped.
	if _, err := exec.LookPath("pdfinfo"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdfinfo is required under CI (apt-get install poppler-utils)")
		}
		t.Skip("pdfinfo is not installed")
	}
	name := filepath.Join(t.TempDir(), "out.pdf")
	for _, c := range []struct {
		doc      []byte
		mapped   bool
		metadata string
	}{{in, false, "no"}, {out, true, "yes"}} {
		if err := os.WriteFile(name, c.doc, 0o600); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd := exec.Command("pdfinfo", "-struct", name)
		cmd.Stderr = &stderr
		tree, err := cmd.Output()
		if err != nil {
			t.Fatal(err, stderr.String())
		}
		if wrong := strings.Contains(stderr.String(), "wrong type (Strong)"); wrong == c.mapped {
			t.Errorf("mapped %v: poppler says %q", c.mapped, stderr.String())
		}
		if c.mapped && !strings.Contains(string(tree), "Span") {
			t.Errorf("the Strong is not read as a Span:\n%s", tree)
		}
		info, err := exec.Command("pdfinfo", name).Output()
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`(?m)^Metadata Stream: +`+c.metadata+`$`).Match(info) || !bytes.Contains(info, []byte("Title:           Report")) {
			t.Errorf("pdfinfo:\n%s", info)
		}
	}
}

func TestPDFString(t *testing.T) {
	for in, want := range map[string]string{"fr": "(fr)", `a(b)\`: `(a\(b\)\\)`, "é": "<FEFF00E9>", "😀": "<FEFFD83DDE00>"} {
		if got := pdfString(in); got != want {
			t.Errorf("%q: %s, want %s", in, got, want)
		}
	}
}
