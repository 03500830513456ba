package ui

import (
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/report"
)

// openDataView is the page for people who reuse the public data: what is
// published, where to download it, the feeds, the API, the licence and how
// to cite it.
type openDataView struct {
	Page
	LicenceName, LicenceURL string
	Address                 string // this page's permanent address, for the citation
	Today                   string // the access date of the citation, in the page's language
}

func (h *Handler) openData(c echo.Context) error {
	v := openDataView{Page: newPage(c, "opendata"), LicenceName: report.LicenceName, LicenceURL: report.LicenceURL,
		Address: strings.TrimRight(h.BaseURL, "/") + "/open-data"}
	v.Today = formatDate(v.Lang, h.now())
	return h.renderer.render(c, http.StatusOK, "opendata", v.Lang, v)
}

// apiReferenceView is the OpenAPI document as a page.
type apiReferenceView struct {
	Page
	*apiReference
}

func (h *Handler) apiReference(c echo.Context) error {
	v := apiReferenceView{Page: newPage(c, "opendata"), apiReference: h.reference}
	return h.renderer.render(c, http.StatusOK, "api_reference", v.Lang, v)
}

// DownloadQuery is the query of the open-data downloads that hold the
// same actions as the list: its filters, without its page and language.
// Empty when there are none.
func (v publicActionsView) DownloadQuery() string {
	q := url.Values{}
	for k, vals := range v.Query {
		if k == "page" || k == "lang" {
			continue
		}
		for _, s := range vals {
			if s != "" {
				q.Add(k, s)
			}
		}
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// apiReference is what the API reference page shows of the OpenAPI
// document, read once at start: its operations grouped under their tags,
// in the document's tag order.
type apiReference struct {
	Title, Version string
	Intro          template.HTML
	Sections       []apiSection
}

type apiSection struct {
	Name, ID    string
	Description template.HTML
	Operations  []apiOperation
}

type apiOperation struct {
	ID, Method, Path, Summary string
	Description               template.HTML
	Public                    bool // no sign-in or token needed
	Parameters                []apiParameter
	Body                      string // the request body's schema and media type; "" for none
	Answers                   []apiAnswer
}

type apiParameter struct {
	Name, In, Type string
	Description    template.HTML
	Required       bool
}

type apiAnswer struct {
	Status, Schema string
	Description    template.HTML
}

// The parts of an OpenAPI 3.0 document the page shows.
type (
	oaDocument struct {
		Info struct {
			Title, Version, Description string
		}
		Tags []struct {
			Name, Description string
		}
		Security []map[string][]string
		Paths    map[string]map[string]json.RawMessage
	}
	oaOperation struct {
		OperationID string `json:"operationId"`
		Summary     string
		Description string
		Tags        []string
		Security    *[]map[string][]string
		Parameters  []struct {
			Name, In, Description string
			Required              bool
			Schema                *oaSchema
		}
		RequestBody *struct {
			Required bool
			Content  map[string]struct{ Schema *oaSchema }
		} `json:"requestBody"`
		Responses map[string]struct {
			Description string
			Content     map[string]struct{ Schema *oaSchema }
		}
	}
	oaSchema struct {
		Ref        string `json:"$ref"`
		Type       string
		Format     string
		Enum       []any
		Items      *oaSchema
		AllOf      []*oaSchema `json:"allOf"`
		Properties map[string]*oaSchema
	}
)

// newAPIReference reads the OpenAPI document into the reference page's
// model, rendering its descriptions (CommonMark) with md. A document that
// cannot be read stops the start, as a broken template does.
func newAPIReference(doc []byte, md Markdown) (*apiReference, error) {
	ref := &apiReference{}
	if len(doc) == 0 {
		return ref, nil
	}
	var d oaDocument
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("read the OpenAPI document: %w", err)
	}
	render := func(s string) template.HTML {
		if s == "" {
			return ""
		}
		if md == nil {
			return template.HTML("<p>" + template.HTMLEscapeString(s) + "</p>")
		}
		return md.HTML(s)
	}
	ref.Title, ref.Version, ref.Intro = d.Info.Title, d.Info.Version, render(d.Info.Description)
	index := map[string]int{}
	for _, t := range d.Tags {
		index[t.Name] = len(ref.Sections)
		ref.Sections = append(ref.Sections, apiSection{Name: t.Name, ID: "tag-" + anchor(t.Name), Description: render(t.Description)})
	}
	for _, path := range slices.Sorted(maps.Keys(d.Paths)) {
		for _, method := range []string{"get", "post", "put", "patch", "delete"} {
			raw, ok := d.Paths[path][method]
			if !ok {
				continue
			}
			var op oaOperation
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, fmt.Errorf("read %s %s: %w", method, path, err)
			}
			// An operation's own security replaces the document's; none at all is public.
			security := d.Security
			if op.Security != nil {
				security = *op.Security
			}
			o := apiOperation{ID: op.OperationID, Method: strings.ToUpper(method), Path: path, Summary: op.Summary,
				Description: render(op.Description), Public: len(security) == 0}
			for _, p := range op.Parameters {
				o.Parameters = append(o.Parameters, apiParameter{Name: p.Name, In: p.In, Type: p.Schema.name(),
					Description: render(p.Description), Required: p.Required})
			}
			if b := op.RequestBody; b != nil {
				var parts []string
				for _, mt := range slices.Sorted(maps.Keys(b.Content)) {
					parts = append(parts, b.Content[mt].Schema.name()+" ("+mt+")")
				}
				o.Body = strings.Join(parts, ", ")
			}
			for _, status := range slices.Sorted(maps.Keys(op.Responses)) {
				r := op.Responses[status]
				a := apiAnswer{Status: status, Description: render(r.Description)}
				var parts []string
				for _, mt := range slices.Sorted(maps.Keys(r.Content)) {
					parts = append(parts, r.Content[mt].Schema.name()+" ("+mt+")")
				}
				a.Schema = strings.Join(parts, ", ")
				o.Answers = append(o.Answers, a)
			}
			tag := ""
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			i, ok := index[tag]
			if !ok { // an undeclared tag gets its own section, at the end
				index[tag] = len(ref.Sections)
				i = index[tag]
				ref.Sections = append(ref.Sections, apiSection{Name: tag, ID: "tag-" + anchor(tag)})
			}
			ref.Sections[i].Operations = append(ref.Sections[i].Operations, o)
		}
	}
	return ref, nil
}

// name says what a schema is in a few words, as code: the name of the
// schema it refers to, an array of one (Evidence[]), an object's fields,
// or a type with its format or values.
func (s *oaSchema) name() string {
	switch {
	case s == nil:
		return ""
	case s.Ref != "":
		return s.Ref[strings.LastIndex(s.Ref, "/")+1:]
	case len(s.AllOf) == 1:
		return s.AllOf[0].name()
	case s.Type == "array":
		return s.Items.name() + "[]"
	case len(s.Properties) > 0:
		return "{" + strings.Join(slices.Sorted(maps.Keys(s.Properties)), ", ") + "}"
	}
	name := s.Type
	if s.Format != "" {
		name += " (" + s.Format + ")"
	}
	if len(s.Enum) > 0 {
		vals := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			vals[i] = fmt.Sprint(v)
		}
		name += ": " + strings.Join(vals, " | ")
	}
	return name
}

// anchor makes a fragment identifier of a name: lower case, words joined
// by hyphens.
func anchor(name string) string {
	return strings.Join(strings.Fields(strings.ToLower(name)), "-")
}
