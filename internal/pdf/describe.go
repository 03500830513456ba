package pdf

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"sort"
	"strconv"

	"github.com/pctracker/pctracker/internal/errs"
)

// Description is what a published PDF says about itself, for readers,
// catalogues and assistive technologies (PDF/UA asks for the title and
// the language; the licence lets the file be reused without its page).
type Description struct {
	Title      string
	Lang       string // BCP 47, as in the HTML's lang
	Licence    string // e.g. "CC BY 4.0"
	LicenceURL string
}

// roleMap maps the PDF 2.0 structure types Chromium writes (a <strong>
// is Strong, an <em> Em, an <aside> Aside) to PDF 1.7 ones: Chromium
// labels the file PDF 1.4, where they are not standard types, so readers
// that keep to 1.x (poppler: "StructElem object is wrong type") drop the
// elements and their text from the structure. The pairs are those of
// ISO 32000-2, annex L.
var roleMap = [][2]string{
	{"Aside", "Sect"}, {"DocumentFragment", "Part"}, {"Em", "Span"}, {"FENote", "Note"},
	{"Strong", "Span"}, {"Sub", "Span"}, {"Title", "P"},
}

// Describe appends to doc, as an incremental update (ISO 32000-1, 7.5.6:
// the printed bytes stay as they are, new versions of two objects follow
// them), an XMP metadata stream with d's title, language and licence, a
// RoleMap in the structure tree root, and the catalogue's /Lang when
// Chromium left it out. It reads only what it rewrites: the trailer, the
// cross-reference tables and two dictionaries, as Chromium (Skia) writes
// them; a file in any other shape is refused rather than guessed at.
func Describe(doc []byte, d Description) ([]byte, error) {
	f, err := readTail(doc)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "describe PDF")
	}
	catalog, err := f.dict(f.root)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "describe PDF: catalogue")
	}
	if bytes.Contains(catalog, []byte("/Metadata")) {
		return nil, errs.E(errs.Internal, "describe PDF: the catalogue already has metadata")
	}
	m := reRef("StructTreeRoot").FindSubmatch(catalog)
	if m == nil {
		return nil, errs.E(errs.Internal, "describe PDF: not tagged (no StructTreeRoot)")
	}
	treeNum, _ := strconv.Atoi(string(m[1]))
	tree, err := f.dict(treeNum)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "describe PDF: structure tree root")
	}
	if bytes.Contains(tree, []byte("/RoleMap")) {
		return nil, errs.E(errs.Internal, "describe PDF: the structure tree already has a RoleMap")
	}

	metaNum := f.size
	var add bytes.Buffer
	add.WriteString("/Metadata " + strconv.Itoa(metaNum) + " 0 R")
	if !bytes.Contains(catalog, []byte("/Lang")) && d.Lang != "" {
		add.WriteString("\n/Lang " + pdfString(d.Lang))
	}
	catalog = appendKeys(catalog, add.String())
	add.Reset()
	add.WriteString("/RoleMap <<")
	for _, p := range roleMap {
		add.WriteString("/" + p[0] + " /" + p[1] + " ")
	}
	add.WriteString(">>")
	tree = appendKeys(tree, add.String())

	xmp := xmpPacket(d)
	out := bytes.NewBuffer(make([]byte, 0, len(doc)+len(xmp)+2048))
	out.Write(doc)
	if !bytes.HasSuffix(doc, []byte("\n")) {
		out.WriteByte('\n')
	}
	offsets := map[int]int{}
	write := func(num int, body []byte) {
		offsets[num] = out.Len()
		fmt.Fprintf(out, "%d 0 obj\n", num)
		out.Write(body)
		out.WriteString("\nendobj\n")
	}
	write(f.root, catalog)
	write(treeNum, tree)
	// The metadata stays uncompressed, so that tools that do not read the
	// PDF's structure still find it (ISO 16684-1 recommends it).
	write(metaNum, append([]byte(fmt.Sprintf("<</Type /Metadata /Subtype /XML /Length %d>>\nstream\n", len(xmp))),
		append(xmp, "\nendstream"...)...))

	xref := out.Len()
	nums := make([]int, 0, len(offsets))
	for n := range offsets {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	out.WriteString("xref\n")
	for _, n := range nums { // one subsection per object: short and plain
		fmt.Fprintf(out, "%d 1\n%010d 00000 n \n", n, offsets[n])
	}
	fmt.Fprintf(out, "trailer\n<</Size %d\n/Root %d 0 R\n", metaNum+1, f.root)
	if f.info != "" {
		out.WriteString("/Info " + f.info + "\n")
	}
	fmt.Fprintf(out, "/Prev %d>>\nstartxref\n%d\n%%%%EOF\n", f.startxref, xref)
	return out.Bytes(), nil
}

// file is what Describe knows of a PDF: where its objects are and what its
// last trailer says.
type file struct {
	doc       []byte
	startxref int
	root      int
	info      string // "n g R", or empty
	size      int
	offsets   map[int]int // object number -> offset, newest update first
}

var (
	reStartxref = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	reSubsect   = regexp.MustCompile(`^(\d+) (\d+)\s*$`)
	reEntry     = regexp.MustCompile(`^(\d{10}) (\d{5}) ([nf])\s*$`)
)

func reRef(key string) *regexp.Regexp {
	return regexp.MustCompile(`/` + key + `\s+(\d+)\s+(\d+)\s+R`)
}

// readTail reads the cross-reference tables, following /Prev back to the
// first, and the last trailer.
func readTail(doc []byte) (*file, error) {
	// The last kilobyte holds startxref: no need to scan megabytes.
	m := reStartxref.FindSubmatch(doc[max(0, len(doc)-1024):])
	if m == nil {
		return nil, fmt.Errorf("no startxref at the end")
	}
	start, _ := strconv.Atoi(string(m[1]))
	f := &file{doc: doc, startxref: start, offsets: map[int]int{}}
	for at, n := start, 0; ; n++ {
		if n > 100 {
			return nil, fmt.Errorf("more than 100 updates")
		}
		trailer, err := f.readXref(at)
		if err != nil {
			return nil, err
		}
		if at == start {
			r := reRef("Root").FindSubmatch(trailer)
			s := regexp.MustCompile(`/Size\s+(\d+)`).FindSubmatch(trailer)
			if r == nil || s == nil {
				return nil, fmt.Errorf("the trailer has no /Root or /Size")
			}
			f.root, _ = strconv.Atoi(string(r[1]))
			f.size, _ = strconv.Atoi(string(s[1]))
			if i := reRef("Info").FindSubmatch(trailer); i != nil {
				f.info = string(i[1]) + " " + string(i[2]) + " R"
			}
		}
		p := regexp.MustCompile(`/Prev\s+(\d+)`).FindSubmatch(trailer)
		if p == nil {
			return f, nil
		}
		at, _ = strconv.Atoi(string(p[1]))
	}
}

// readXref reads the classic cross-reference table at offset at (a
// cross-reference stream, PDF 1.5, is refused) and returns its trailer.
func (f *file) readXref(at int) ([]byte, error) {
	if at < 0 || at >= len(f.doc) || !bytes.HasPrefix(f.doc[at:], []byte("xref")) {
		return nil, fmt.Errorf("no cross-reference table at %d", at)
	}
	end := bytes.Index(f.doc[at:], []byte("trailer"))
	if end < 0 {
		return nil, fmt.Errorf("no trailer after the cross-reference table at %d", at)
	}
	lines := bytes.FieldsFunc(f.doc[at+len("xref"):at+end], func(r rune) bool { return r == '\n' || r == '\r' })
	first, i := 0, 0
	for _, line := range lines {
		if m := reSubsect.FindSubmatch(line); m != nil {
			first, _ = strconv.Atoi(string(m[1]))
			i = 0
			continue
		}
		m := reEntry.FindSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("bad cross-reference line %q", line)
		}
		if _, seen := f.offsets[first+i]; !seen && string(m[3]) == "n" {
			f.offsets[first+i], _ = strconv.Atoi(string(m[1]))
		}
		i++
	}
	trailer := f.doc[at+end:]
	if s := bytes.Index(trailer, []byte("startxref")); s >= 0 {
		trailer = trailer[:s]
	}
	return trailer, nil
}

// dict returns the dictionary that is object num, without "obj" and
// "endobj"; an object that is not a plain dictionary (a stream) is refused.
func (f *file) dict(num int) ([]byte, error) {
	at, ok := f.offsets[num]
	if !ok || at >= len(f.doc) {
		return nil, fmt.Errorf("object %d is not in the cross-reference table", num)
	}
	head := regexp.MustCompile(`^\s*(\d+)\s+(\d+)\s+obj\b`).FindSubmatch(f.doc[at:])
	if head == nil || string(head[1]) != strconv.Itoa(num) {
		return nil, fmt.Errorf("object %d is not at offset %d", num, at)
	}
	body := f.doc[at+len(head[0]):]
	end := bytes.Index(body, []byte("endobj"))
	if end < 0 {
		return nil, fmt.Errorf("object %d has no endobj", num)
	}
	body = bytes.TrimSpace(body[:end])
	if !bytes.HasPrefix(body, []byte("<<")) || !bytes.HasSuffix(body, []byte(">>")) || bytes.Contains(body, []byte("stream")) {
		return nil, fmt.Errorf("object %d is not a dictionary", num)
	}
	return bytes.Clone(body), nil
}

// appendKeys adds keys (PDF source) at the end of dictionary d.
func appendKeys(d []byte, keys string) []byte {
	return append(d[:len(d)-2:len(d)-2], "\n"+keys+">>"...)
}

// pdfString writes s as a PDF literal string; non-ASCII text is written
// as UTF-16BE with its byte order mark, as ISO 32000-1, 7.9.2.2 asks.
func pdfString(s string) string {
	ascii := true
	for _, r := range s {
		if r > 126 || r < 32 {
			ascii = false
		}
	}
	var b bytes.Buffer
	if !ascii {
		b.WriteString("<FEFF")
		for _, r := range s {
			if r > 0xFFFF {
				r -= 0x10000
				fmt.Fprintf(&b, "%04X%04X", 0xD800+(r>>10), 0xDC00+(r&0x3FF))
				continue
			}
			fmt.Fprintf(&b, "%04X", r)
		}
		b.WriteString(">")
		return b.String()
	}
	b.WriteByte('(')
	for _, c := range []byte(s) {
		if c == '(' || c == ')' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte(')')
	return b.String()
}

// xmpPacket is the XMP (ISO 16684-1) that says d: Dublin Core title,
// language and rights, XMP rights and the Creative Commons licence.
func xmpPacket(d Description) []byte {
	esc := func(s string) string {
		var b bytes.Buffer
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	alt := func(s string) string {
		return `<rdf:Alt><rdf:li xml:lang="x-default">` + esc(s) + `</rdf:li></rdf:Alt>`
	}
	rights := d.Licence
	if d.LicenceURL != "" {
		rights += " (" + d.LicenceURL + ")"
	}
	var b bytes.Buffer
	b.WriteString("<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n" +
		`<x:xmpmeta xmlns:x="adobe:ns:meta/">` + "\n" +
		`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` + "\n" +
		`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"` +
		` xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/" xmlns:cc="http://creativecommons.org/ns#">` + "\n")
	b.WriteString("<dc:format>application/pdf</dc:format>\n")
	b.WriteString("<dc:title>" + alt(d.Title) + "</dc:title>\n")
	if d.Lang != "" {
		b.WriteString("<dc:language><rdf:Bag><rdf:li>" + esc(d.Lang) + "</rdf:li></rdf:Bag></dc:language>\n")
	}
	if d.Licence != "" {
		b.WriteString("<dc:rights>" + alt(rights) + "</dc:rights>\n")
		b.WriteString("<xmpRights:Marked>True</xmpRights:Marked>\n")
		b.WriteString("<xmpRights:UsageTerms>" + alt(rights) + "</xmpRights:UsageTerms>\n")
	}
	if d.LicenceURL != "" {
		b.WriteString("<xmpRights:WebStatement>" + esc(d.LicenceURL) + "</xmpRights:WebStatement>\n")
		b.WriteString(`<cc:license rdf:resource="` + esc(d.LicenceURL) + `"/>` + "\n")
	}
	b.WriteString("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n")
	// Room for editors to grow the packet in place (ISO 16684-1, 7.3.3).
	b.WriteString(string(bytes.Repeat([]byte(" "), 99)) + "\n")
	b.WriteString(`<?xpacket end="w"?>`)
	return b.Bytes()
}
