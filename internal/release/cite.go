package release

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/report"
)

// citations writes the release's citation files and its DataCite
// metadata.
func (c Contents) citations() ([]file, error) {
	cff, err := c.CFF()
	if err != nil {
		return nil, err
	}
	csl, err := c.CSLJSON()
	if err != nil {
		return nil, err
	}
	dc, err := c.DataCite()
	if err != nil {
		return nil, err
	}
	return []file{{"CITATION.cff", cff}, {"citation.bib", []byte(c.BibTeX())}, {"citation.ris", []byte(c.RIS())},
		{"citation.csl.json", csl}, {"datacite.xml", dc}}, nil
}

// DOI is the release's DOI: the one recorded, else the one the DataCite
// metadata proposes under the configured prefix, else "".
func (c Contents) DOI() string {
	switch {
	case c.Release.DOI != "":
		return c.Release.DOI
	case c.DOIPrefix != "":
		return c.DOIPrefix + "/paris-call-data-" + c.Release.Version()
	}
	return ""
}

// recordedDOI is the DOI citations may name: only one the secretariat
// recorded (a proposed one may never be minted).
func (c Contents) recordedDOI() string { return c.Release.DOI }

func (c Contents) issued() time.Time { return c.Release.CreatedAt.UTC() }

// APA is the citation in APA style, as plain text.
func (c Contents) APA() string {
	s := fmt.Sprintf("%s. (%d). %s (Version %s) [Data set]. ", strings.TrimSuffix(c.Publisher, "."), c.issued().Year(),
		c.Title(), c.Release.Version())
	if doi := c.recordedDOI(); doi != "" {
		return s + "https://doi.org/" + doi
	}
	return s + c.URL()
}

// bibKey is the BibTeX key: stable per release.
func (c Contents) bibKey() string {
	return "pariscall_data_" + strings.ReplaceAll(c.Release.Version(), ".", "_")
}

// bibEscape keeps BibTeX's special characters literal.
func bibEscape(s string) string {
	r := strings.NewReplacer(`\`, `\textbackslash{}`, "{", `\{`, "}", `\}`, "&", `\&`, "%", `\%`, "$", `\$`, "#", `\#`, "_", `\_`,
		"~", `\textasciitilde{}`, "^", `\textasciicircum{}`)
	return r.Replace(s)
}

// BibTeX is the citation as a BibTeX @dataset entry (biblatex).
func (c Contents) BibTeX() string {
	var b strings.Builder
	fmt.Fprintf(&b, "@dataset{%s,\n", c.bibKey())
	field := func(k, v string) { fmt.Fprintf(&b, "  %-9s = {%s},\n", k, v) }
	field("author", "{"+bibEscape(c.Publisher)+"}") // an organisation: braced, never split into names
	field("title", bibEscape(c.Title()))
	field("year", fmt.Sprint(c.issued().Year()))
	field("date", c.issued().Format(time.DateOnly))
	field("version", c.Release.Version())
	field("publisher", bibEscape(c.Publisher))
	if doi := c.recordedDOI(); doi != "" {
		field("doi", bibEscape(doi))
	}
	field("url", c.URL())
	fmt.Fprintf(&b, "  %-9s = {%s}\n}\n", "note", "Licensed under "+report.LicenceName)
	return b.String()
}

// RIS is the citation in the RIS format (TY DATA).
func (c Contents) RIS() string {
	var b strings.Builder
	tag := func(k, v string) { fmt.Fprintf(&b, "%s  - %s\r\n", k, v) }
	tag("TY", "DATA")
	tag("AU", c.Publisher)
	tag("TI", c.Title())
	tag("PY", fmt.Sprint(c.issued().Year()))
	tag("DA", c.issued().Format("2006/01/02"))
	tag("PB", c.Publisher)
	tag("ET", c.Release.Version())
	if doi := c.recordedDOI(); doi != "" {
		tag("DO", doi)
	}
	tag("UR", c.URL())
	tag("AB", c.Description())
	for _, k := range Keywords {
		tag("KW", k)
	}
	tag("LA", "en")
	tag("ER", "")
	return b.String()
}

// CSLJSON is the citation as CSL-JSON (one item in an array).
func (c Contents) CSLJSON() ([]byte, error) {
	type date struct {
		Parts [][]int `json:"date-parts"`
	}
	item := map[string]any{
		"id": c.bibKey(), "type": "dataset", "title": c.Title(), "version": c.Release.Version(),
		"author":    []map[string]string{{"literal": c.Publisher}},
		"publisher": c.Publisher, "URL": c.URL(), "abstract": c.Description(), "language": "en",
		"issued":  date{[][]int{{c.issued().Year(), int(c.issued().Month()), c.issued().Day()}}},
		"license": report.LicenceURL,
	}
	if doi := c.recordedDOI(); doi != "" {
		item["DOI"] = doi
	}
	b, err := json.MarshalIndent([]any{item}, "", "  ")
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cite release %s", c.Release.Version())
	}
	return append(b, '\n'), nil
}

// cff is a CITATION.cff (version 1.2.0) document.
type cff struct {
	CFFVersion   string      `yaml:"cff-version"`
	Message      string      `yaml:"message"`
	Type         string      `yaml:"type"`
	Title        string      `yaml:"title"`
	Version      string      `yaml:"version"`
	DateReleased string      `yaml:"date-released"`
	Authors      []cffEntity `yaml:"authors"`
	Abstract     string      `yaml:"abstract"`
	Keywords     []string    `yaml:"keywords"`
	License      string      `yaml:"license"`
	URL          string      `yaml:"url"`
	DOI          string      `yaml:"doi,omitempty"`
}

type cffEntity struct {
	Name    string `yaml:"name"`
	Website string `yaml:"website,omitempty"`
}

// CFF is the citation as CITATION.cff.
func (c Contents) CFF() ([]byte, error) {
	doc := cff{CFFVersion: "1.2.0", Message: "If you use this data, please cite it as below.", Type: "dataset", Title: c.Title(),
		Version: c.Release.Version(), DateReleased: c.issued().Format(time.DateOnly),
		Authors:  []cffEntity{{Name: c.Publisher, Website: c.BaseURL}},
		Abstract: c.Description(), Keywords: Keywords, License: licence, URL: c.URL(), DOI: c.recordedDOI()}
	b, err := yaml.Marshal(doc)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cite release %s", c.Release.Version())
	}
	return b, nil
}

// dataCite is a DataCite kernel 4.5 record.
type dataCite struct {
	XMLName        xml.Name      `xml:"http://datacite.org/schema/kernel-4 resource"`
	XSI            string        `xml:"xmlns:xsi,attr"`
	SchemaLocation string        `xml:"xsi:schemaLocation,attr"`
	Identifier     dcTyped       `xml:"identifier"`
	Creators       []dcName      `xml:"creators>creator"`
	Titles         []dcLang      `xml:"titles>title"`
	Publisher      dcLang        `xml:"publisher"`
	Year           int           `xml:"publicationYear"`
	ResourceType   dcResource    `xml:"resourceType"`
	Subjects       []dcLang      `xml:"subjects>subject"`
	Contributors   []dcContrib   `xml:"contributors>contributor,omitempty"`
	Dates          []dcDate      `xml:"dates>date"`
	Language       string        `xml:"language"`
	AltIDs         []dcAltID     `xml:"alternateIdentifiers>alternateIdentifier"`
	Related        []dcRelated   `xml:"relatedIdentifiers>relatedIdentifier,omitempty"`
	Formats        []string      `xml:"formats>format"`
	Version        string        `xml:"version"`
	Rights         []dcRights    `xml:"rightsList>rights"`
	Descriptions   []dcDescribed `xml:"descriptions>description"`
}

type dcTyped struct {
	Type  string `xml:"identifierType,attr"`
	Value string `xml:",chardata"`
}

type dcLang struct {
	Lang  string `xml:"xml:lang,attr,omitempty"`
	Value string `xml:",chardata"`
}

type dcName struct {
	Name dcNameValue `xml:"creatorName"`
}

type dcNameValue struct {
	Type  string `xml:"nameType,attr"`
	Value string `xml:",chardata"`
}

type dcContrib struct {
	Type string      `xml:"contributorType,attr"`
	Name dcNameValue `xml:"contributorName"`
}

type dcResource struct {
	General string `xml:"resourceTypeGeneral,attr"`
	Value   string `xml:",chardata"`
}

type dcDate struct {
	Type  string `xml:"dateType,attr"`
	Value string `xml:",chardata"`
}

type dcAltID struct {
	Type  string `xml:"alternateIdentifierType,attr"`
	Value string `xml:",chardata"`
}

type dcRelated struct {
	IDType   string `xml:"relatedIdentifierType,attr"`
	Relation string `xml:"relationType,attr"`
	Value    string `xml:",chardata"`
}

type dcRights struct {
	Lang   string `xml:"xml:lang,attr"`
	URI    string `xml:"rightsURI,attr"`
	ID     string `xml:"rightsIdentifier,attr"`
	Scheme string `xml:"rightsIdentifierScheme,attr"`
	Value  string `xml:",chardata"`
}

type dcDescribed struct {
	Lang  string `xml:"xml:lang,attr"`
	Type  string `xml:"descriptionType,attr"`
	Value string `xml:",chardata"`
}

// DataCite is the release's metadata in the DataCite Metadata Schema 4.5,
// ready to register a DOI: the DOI recorded or proposed (see DOI), else
// the release's address as its identifier.
func (c Contents) DataCite() ([]byte, error) {
	id := dcTyped{Type: "DOI", Value: c.DOI()}
	if id.Value == "" {
		id = dcTyped{Type: "URL", Value: c.URL()}
	}
	doc := dataCite{XSI: "http://www.w3.org/2001/XMLSchema-instance",
		SchemaLocation: "http://datacite.org/schema/kernel-4 https://schema.datacite.org/meta/kernel-4.5/metadata.xsd",
		Identifier:     id,
		Creators:       []dcName{{dcNameValue{"Organizational", c.Publisher}}},
		Titles:         []dcLang{{"en", c.Title()}},
		Publisher:      dcLang{"en", c.Publisher}, Year: c.issued().Year(),
		ResourceType: dcResource{"Dataset", "Data release"},
		Dates: []dcDate{{"Issued", c.issued().Format(time.DateOnly)},
			{"Collected", c.Release.CutoffAt.UTC().Format(time.DateOnly)}},
		Language: "en", AltIDs: []dcAltID{{"URL", c.URL()}},
		Formats: []string{"application/zip", "text/csv", "application/json"},
		Version: c.Release.Version(),
		Rights: []dcRights{{"en", report.LicenceURL, "cc-by-4.0", "SPDX",
			"Creative Commons Attribution 4.0 International"}},
		Descriptions: []dcDescribed{{"en", "Abstract", c.Description()}},
	}
	for _, k := range Keywords {
		doc.Subjects = append(doc.Subjects, dcLang{"en", k})
	}
	for _, o := range c.Organisations() {
		doc.Contributors = append(doc.Contributors, dcContrib{"DataCollector", dcNameValue{"Organizational", o}})
	}
	if n := len(c.Earlier); n > 0 {
		prev := c.BaseURL + "/releases/" + c.Earlier[n-1].Version()
		doc.Related = append(doc.Related, dcRelated{"URL", "IsNewVersionOf", prev})
		if doi := c.Earlier[n-1].DOI; doi != "" {
			doc.Related[len(doc.Related)-1] = dcRelated{"DOI", "IsNewVersionOf", doi}
		}
	}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "describe release %s", c.Release.Version())
	}
	return append(append([]byte(xml.Header), b...), '\n'), nil
}
