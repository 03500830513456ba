package ui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/request"
)

type auditView struct {
	Page
	Lines    []auditLine
	Total    int
	Actor    string
	Verb     string
	Object   string
	Families []auditFamily
	Filtered bool
	listPage
}

// auditFamily is one choice of the "what" filter: a verb prefix and the
// catalogue key of its label.
type auditFamily struct{ Value, Key string }

type auditLine struct {
	At, Clock, ISO string
	Sentence       []segment
	Note           string // a reviewer's comment, quoted under the sentence
	Verb           string
	Object         string
	Details        string
}

// segment is a piece of a sentence: plain words, or a named part, linked
// when its record has a page. html/template escapes both.
type segment struct {
	Text   string
	Href   string
	Part   bool
	Record bool // names a person or a record: stands out even without a link
}

const auditPageSize = 100

// auditFamilies are the families of the log, for the filter. A family
// holds its verbs and anything written about its objects: "report." finds
// compilations and publications, and whatever else is recorded on a
// report.
func auditFamilies() []auditFamily {
	return []auditFamily{{"action.", "audit_family_action"}, {"report.", "audit_family_report"},
		{"cycle.", "audit_family_cycle"}, {"stakeholder.", "audit_family_stakeholder"},
		{"user.", "audit_family_user"}, {"token.", "audit_family_token"}}
}

func (h *Handler) auditLog(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	v := auditView{Page: newPage(c, "audit"), Actor: strings.TrimSpace(c.QueryParam("actor")), Families: auditFamilies()}
	for _, f := range v.Families {
		if c.QueryParam("verb") == f.Value {
			v.Verb = f.Value
		}
	}
	f := audit.Filter{Actor: v.Actor, Verb: v.Verb, Limit: auditPageSize}
	if obj := strings.TrimSpace(c.QueryParam("object")); obj != "" {
		// "action 12" or "action": a type and, perhaps, an id
		typ, id, _ := strings.Cut(obj, " ")
		f.ObjectType, f.ObjectID, v.Object = typ, strings.TrimSpace(id), obj
	}
	link := func(p int) string {
		q := url.Values{"actor": {v.Actor}, "verb": {v.Verb}, "object": {v.Object}, "page": {strconv.Itoa(p)}}
		return "/admin/audit?" + q.Encode()
	}
	page, err := readPage(c, link)
	if err != nil {
		return err
	}
	f.Offset = (page - 1) * auditPageSize
	lines, total, err := h.Audit.List(c.Request().Context(), by.IsSecretariat(), f)
	if err != nil {
		return err
	}
	v.Total, v.Filtered = total, v.Actor != "" || v.Verb != "" || v.Object != ""
	for _, l := range lines {
		details, _ := json.MarshalIndent(l.Details, "", "  ")
		v.Lines = append(v.Lines, auditLine{At: formatDate(v.Lang, l.At), Clock: l.At.UTC().Format("15:04") + " UTC",
			ISO:      l.At.UTC().Format("2006-01-02T15:04:05Z"),
			Sentence: h.tell(v.Lang, l), Note: l.Sentence.Note, Verb: l.Verb,
			Object: strings.TrimSpace(l.ObjectType + " " + l.ObjectID), Details: string(details)})
	}
	if v.listPage, err = paging(page, auditPageSize, total, link); err != nil {
		return err
	}
	return h.renderer.render(c, http.StatusOK, "audit", v.Lang, v)
}

// Marks around a part's name in a translated sentence. They come from
// the Unicode private use area, which no catalogue text uses, so the
// sentence splits back into words and parts wherever the language put
// them; the parts' own text (a title) never passes through the split.
const partOpen, partClose = "\ue000", "\ue001"

// tell writes an entry's sentence in lang: the catalogue's words for its
// key, with each part named and linked.
func (h *Handler) tell(lang string, l audit.Line) []segment {
	tr, s := h.renderer.tr[lang], l.Sentence
	key := "audit_s_" + strings.ReplaceAll(s.Key, ".", "_")
	if tr(key) == key { // a sentence missing from the catalogue still reads
		key, s.Slots = "audit_s_other_bare", map[string]audit.Slot{"Actor": s.Slots["Actor"],
			"Verb": {Kind: audit.Text, Text: strings.NewReplacer(".", " ", "_", " ").Replace(l.Verb)}}
	}
	marks := map[string]any{}
	for name := range s.Slots {
		marks[name] = partOpen + name + partClose
	}
	text := tr(key, marks)
	var out []segment
	for text != "" {
		before, rest, found := strings.Cut(text, partOpen)
		if before != "" {
			out = append(out, segment{Text: before})
		}
		if !found {
			break
		}
		name, after, _ := strings.Cut(rest, partClose)
		out = append(out, part(tr, lang, s.Slots[name]))
		text = after
	}
	return out
}

// part writes one slot of a sentence and links it to its record's page.
func part(tr locale.Translate, lang string, s audit.Slot) segment {
	id := strconv.FormatInt(s.ID, 10)
	seg := segment{Text: s.Text, Part: true, Record: s.Kind == audit.Person || s.Kind == audit.Organisation ||
		s.Kind == audit.ActionRef || s.Kind == audit.ReportRef || s.Kind == audit.CycleRef}
	switch s.Kind {
	case audit.Person:
		switch {
		case s.System:
			// the program's own work: "the scheduler", "the command line"
			if key := "audit_system_" + s.Text; tr(key) != key {
				seg.Text = tr(key)
			}
		case s.OrgID != 0 && !s.Gone:
			// a supporter: their organisation's page lists its people
			seg.Href = "/admin/organisations/" + strconv.FormatInt(s.OrgID, 10)
		}
	case audit.Organisation:
		if !s.Gone {
			seg.Href = "/admin/organisations/" + id
		}
	case audit.ActionRef:
		if s.Text == "" {
			seg.Text = tr("audit_ref_action_bare", map[string]any{"ID": id})
		} else {
			seg.Text = tr("audit_ref_action", map[string]any{"ID": id, "Title": s.Text})
		}
		if !s.Gone {
			seg.Href = "/actions/" + id
		}
	case audit.ReportRef:
		seg.Text = tr("audit_ref_report", map[string]any{"ID": id})
		if !s.Gone {
			seg.Href = "/reports/" + id
		}
	case audit.CycleRef:
		if s.ID != 0 {
			seg.Text, seg.Href = id, "/admin/cycles/"+id
		}
	case audit.Number:
		seg.Text = locale.Number(lang, s.N)
	case audit.Date:
		seg.Text = formatDate(lang, s.Time)
	case audit.Role:
		if key := "audit_role_" + s.Text; tr(key) != key {
			seg.Text = tr(key)
		}
	}
	return seg
}
