package ui

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// actionForm is what the editor shows: the person's own text, kept as typed
// so that nothing is lost when the form comes back with errors.
type actionForm struct {
	Title           string
	Description     string
	Recommendations []int
	Stage           string
	Measure         string
	Scope           string
	StartsOn        string
	EndsOn          string
	Visibility      string
	Evidence        []evidenceRow
}

type evidenceRow struct {
	Kind, URL, Title string
}

type editorView struct {
	Page
	New      bool
	ID       int64
	Year     int
	Version  int
	Form     actionForm
	Errors   map[string]string
	Summary  []errorItem // the errors in form order, each linked to its field
	Conflict int         // the version someone else saved, when saving was refused
	Options  editorOptions
}

// errorItem is one line of the error summary at the top of a form.
type errorItem struct {
	LabelKey string
	Row      int // the evidence row, from 1, or 0
	Anchor   string
	MsgKey   string // the catalogue's message for this field, in the page's language
	Message  string // the service's own words, for a field the form does not show
}

// summary orders field errors as the form shows its fields and names each
// by its label, linked to the field, so that a screen reader user can go
// straight to it.
func summary(fields map[string]string) []errorItem {
	order := []struct{ key, label, anchor string }{
		{"title", "field_title", "f-title"}, {"description", "field_description", "f-description"},
		{"recommendations", "field_recommendations", "f-recommendations"}, {"stage", "field_stage", "f-stage"},
		{"measure_type", "field_measure", "f-measure"}, {"scope", "field_scope", "f-scope"},
		{"starts_on", "field_starts_on", "f-starts_on"}, {"ends_on", "field_ends_on", "f-ends_on"},
		{"end_date", "field_ends_on", "f-ends_on"}, {"visibility", "field_visibility", "f-visibility"},
		{"evidence", "field_evidence", "f-evidence"},
	}
	var out []errorItem
	for _, o := range order {
		if msg, ok := fields[o.key]; ok {
			out = append(out, errorItem{LabelKey: o.label, Anchor: o.anchor, MsgKey: "err_" + o.key, Message: msg})
		}
	}
	for i := 0; i < action.MaxEvidence+editorRows; i++ {
		for _, part := range []struct{ name, label, anchor string }{{"kind", "evidence_kind", "ek"}, {"url", "evidence_url", "eu"}, {"title", "evidence_title", "et"}} {
			if msg, ok := fields[fmt.Sprintf("evidence.%d.%s", i, part.name)]; ok {
				out = append(out, errorItem{LabelKey: part.label, Row: i + 1, Anchor: fmt.Sprintf("%s%d", part.anchor, i),
					MsgKey: "err_evidence_" + part.name, Message: msg})
			}
		}
	}
	if len(out) == 0 {
		for k, msg := range fields { // a field the form does not show
			out = append(out, errorItem{LabelKey: "form_errors_heading", Anchor: "f-title", Message: k + ": " + msg})
		}
	}
	return out
}

type editorOptions struct {
	Recommendations []checkItem
	Stages          []action.Stage
	Measures        []measureGroup
	Scopes          []action.Scope
	Visibilities    []action.Visibility
	EvidenceKinds   []action.EvidenceKind
}

type measureGroup struct {
	Group action.MeasureGroup
	Types []action.MeasureType
}

// editorRows is how many empty evidence rows the editor offers.
const editorRows = 2

func (h *Handler) options(c echo.Context, lang string) (editorOptions, error) {
	recs, err := h.Recommendations.List(c.Request().Context())
	if err != nil {
		return editorOptions{}, err
	}
	o := editorOptions{Stages: action.Stages, Scopes: action.Scopes,
		Visibilities: []action.Visibility{action.Public, action.SecretariatOnly}, EvidenceKinds: action.EvidenceKinds}
	for _, r := range recs {
		o.Recommendations = append(o.Recommendations, checkItem{Number: r.Number, Title: r.Title.In(lang)})
	}
	for _, m := range action.MeasureTypes {
		if n := len(o.Measures); n == 0 || o.Measures[n-1].Group != m.Group {
			o.Measures = append(o.Measures, measureGroup{Group: m.Group})
		}
		o.Measures[len(o.Measures)-1].Types = append(o.Measures[len(o.Measures)-1].Types, m.Type)
	}
	return o, nil
}

// formOf reads the editor's fields. An empty evidence row is no link; a row
// whose remove box is ticked is dropped.
func formOf(c echo.Context) actionForm {
	f := actionForm{Title: c.FormValue("title"), Description: c.FormValue("description"), Stage: c.FormValue("stage"),
		Measure: c.FormValue("measure"), Scope: c.FormValue("scope"), StartsOn: strings.TrimSpace(c.FormValue("starts_on")),
		EndsOn: strings.TrimSpace(c.FormValue("ends_on")), Visibility: c.FormValue("visibility")}
	params, _ := c.FormParams()
	for _, r := range params["recommendations"] {
		if n, err := strconv.Atoi(r); err == nil {
			f.Recommendations = append(f.Recommendations, n)
		}
	}
	for i := 0; i < action.MaxEvidence+editorRows; i++ {
		k := strconv.Itoa(i)
		row := evidenceRow{Kind: c.FormValue("evidence_kind_" + k), URL: strings.TrimSpace(c.FormValue("evidence_url_" + k)),
			Title: strings.TrimSpace(c.FormValue("evidence_title_" + k))}
		if c.FormValue("evidence_remove_"+k) != "" || (row.URL == "" && row.Title == "") {
			continue
		}
		f.Evidence = append(f.Evidence, row)
	}
	return f
}

// input turns the form into the service's input; dates it cannot read are
// field errors.
func (f actionForm) input() (action.Input, errs.FieldErrors) {
	bad := errs.FieldErrors{}
	in := action.Input{Title: f.Title, Description: f.Description, Recommendations: f.Recommendations,
		Stage: action.Stage(f.Stage), MeasureType: action.MeasureType(f.Measure), Scope: action.Scope(f.Scope),
		Visibility: action.Visibility(f.Visibility)}
	for _, d := range []struct {
		name, value string
		dst         **time.Time
	}{{"starts_on", f.StartsOn, &in.StartDate}, {"ends_on", f.EndsOn, &in.EndDate}} {
		if d.value == "" {
			continue
		}
		t, err := date.Parse(d.value)
		if err != nil {
			bad.Add(d.name, err.Error())
			continue
		}
		*d.dst = &t
	}
	for _, e := range f.Evidence {
		in.Evidence = append(in.Evidence, action.Evidence{Kind: action.EvidenceKind(e.Kind), URL: e.URL, Title: e.Title})
	}
	return in, bad
}

func formFrom(a action.Action) actionForm {
	f := actionForm{Title: a.Title, Description: a.Description, Recommendations: a.Recommendations, Stage: string(a.Stage),
		Measure: string(a.MeasureType), Scope: string(a.Scope), Visibility: string(a.Visibility)}
	if a.StartDate != nil {
		f.StartsOn = a.StartDate.Format(time.DateOnly)
	}
	if a.EndDate != nil {
		f.EndsOn = a.EndDate.Format(time.DateOnly)
	}
	for _, e := range a.Evidence {
		f.Evidence = append(f.Evidence, evidenceRow{Kind: string(e.Kind), URL: e.URL, Title: e.Title})
	}
	return f
}

// renderEditor shows the editor with the person's text and, below every
// filled row, empty evidence rows to add links without JavaScript.
func (h *Handler) renderEditor(c echo.Context, status int, v editorView) error {
	opts, err := h.options(c, v.Lang)
	if err != nil {
		return err
	}
	v.Options = opts
	v.Summary = summary(v.Errors)
	for i := 0; i < editorRows && len(v.Form.Evidence) < action.MaxEvidence; i++ {
		v.Form.Evidence = append(v.Form.Evidence, evidenceRow{})
	}
	return h.renderer.render(c, status, "action_edit", v.Lang, v)
}

func (h *Handler) newAction(c echo.Context) error {
	by, err := actor(c)
	if err != nil {
		return err
	}
	cy, err := h.cycleOf(c)
	if err != nil {
		return err
	}
	if by.Role != user.Supporter {
		return errs.E(errs.Forbidden, "actions are written by their organisation")
	}
	v := editorView{Page: newPage(c, "workspace"), New: true, Year: cy.Year,
		Form: actionForm{Visibility: string(action.Public)}}
	return h.renderEditor(c, http.StatusOK, v)
}

func (h *Handler) createAction(c echo.Context) error {
	by, err := actor(c)
	if err != nil {
		return err
	}
	year, err := strconv.Atoi(c.FormValue("cycle"))
	if err != nil {
		return errs.E(errs.NotFound, "no such cycle")
	}
	form := formOf(c)
	v := editorView{Page: newPage(c, "workspace"), New: true, Year: year, Form: form}
	if c.FormValue("op") == "add_evidence" {
		return h.renderEditor(c, http.StatusOK, v)
	}
	in, bad := form.input()
	if len(bad) > 0 {
		v.Errors = bad
		return h.renderEditor(c, http.StatusUnprocessableEntity, v)
	}
	a, err := h.Actions.CreateIn(c.Request().Context(), by, year, in)
	if errs.Is(err, errs.Invalid) {
		v.Errors = errs.FieldsOf(err)
		return h.renderEditor(c, http.StatusUnprocessableEntity, v)
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "flash_created", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/actions/%d", a.ID))
}

// actorAndID returns the signed-in caller and the action id of the path.
func actorAndID(c echo.Context) (user.Actor, int64, error) {
	by, err := actor(c)
	if err != nil {
		return user.Actor{}, 0, err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return user.Actor{}, 0, errs.E(errs.NotFound, "no such action")
	}
	return by, id, nil
}

func (h *Handler) editAction(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	a, err := h.Actions.Get(c.Request().Context(), by, id)
	if err != nil {
		return err
	}
	v := editorView{Page: newPage(c, "workspace"), ID: a.ID, Year: a.CycleYear, Version: a.Version, Form: formFrom(a)}
	return h.renderEditor(c, http.StatusOK, v)
}

func (h *Handler) saveAction(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	year, _ := strconv.Atoi(c.FormValue("cycle"))
	form := formOf(c)
	v := editorView{Page: newPage(c, "workspace"), ID: id, Year: year, Version: version, Form: form}
	if c.FormValue("op") == "add_evidence" {
		return h.renderEditor(c, http.StatusOK, v)
	}
	in, bad := form.input()
	if len(bad) > 0 {
		v.Errors = bad
		return h.renderEditor(c, http.StatusUnprocessableEntity, v)
	}
	ctx := c.Request().Context()
	_, err = h.Actions.Update(ctx, by, id, version, in)
	switch {
	case errs.Is(err, errs.Invalid):
		v.Errors = errs.FieldsOf(err)
		return h.renderEditor(c, http.StatusUnprocessableEntity, v)
	case errs.Is(err, errs.Conflict) && errs.FieldsOf(err)["version"] != "":
		// Someone saved first: keep this person's text, and take the new
		// version so that saving again is a deliberate choice.
		current, gerr := h.Actions.Get(ctx, by, id)
		if gerr != nil {
			return err
		}
		v.Conflict, v.Version = current.Version, current.Version
		return h.renderEditor(c, http.StatusConflict, v)
	case err != nil:
		return err
	}
	h.setFlash(c, "flash_saved", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/actions/%d", id))
}

type actionView struct {
	Page
	Flash         *Flash
	A             action.Action
	Description   template.HTML
	Recs          []checkItem
	Editable      bool
	CanSubmit     bool
	CanWithdraw   bool
	CanDelete     bool
	CanReconfirm  bool
	ReviewComment string
	CanReview     bool // the secretariat, on a submitted action
	AllRecs       []checkItem
	Stages        []action.Stage
	// A refused review comes back with what the reviewer typed.
	ReviewErrors map[string]string
	ReviewDraft  string
	ReviewStage  action.Stage
	ReviewOpen   bool // corrections were typed: show them
}

func (h *Handler) showAction(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err == nil {
		v, perr := h.actionPage(c, by, id)
		if perr == nil {
			return h.renderer.render(c, http.StatusOK, "action", v.Lang, v)
		}
		err = perr
	}
	// Not the visitor's to work on: the public page, if the action is
	// public; else the answer stands (sign in, or not found).
	if errs.Is(err, errs.Unauthorized) || errs.Is(err, errs.NotFound) {
		if id, perr := strconv.ParseInt(c.Param("id"), 10, 64); perr == nil && id > 0 {
			if a, earlier, perr := h.Actions.PublicGet(c.Request().Context(), id); perr == nil {
				v := publicActionView{Page: newPage(c, "actions"), A: a, Description: h.Markdown.HTML(a.Description), Earlier: earlier}
				return h.renderer.render(c, http.StatusOK, "public_action", v.Lang, v)
			}
		}
	}
	return err
}

// publicActionView is an action as anyone sees it, with its public history.
type publicActionView struct {
	Page
	A           action.Action
	Description template.HTML
	Earlier     []action.Action // the earlier cycles' actions it continues, latest first
}

// actionPage gathers what the action page shows to by.
func (h *Handler) actionPage(c echo.Context, by user.Actor, id int64) (actionView, error) {
	ctx := c.Request().Context()
	a, err := h.Actions.Get(ctx, by, id)
	if err != nil {
		return actionView{}, err
	}
	_, events, err := h.Actions.History(ctx, by, id)
	if err != nil {
		return actionView{}, err
	}
	v := actionView{Page: newPage(c, "workspace"), Flash: h.takeFlash(c), A: a, Description: h.Markdown.HTML(a.Description),
		ReviewStage: a.Stage}
	own := by.Supports(a.StakeholderID)
	v.Editable = own && a.State.Editable()
	v.CanSubmit = v.Editable && by.IsFocalPoint()
	v.CanReconfirm = v.CanSubmit && a.CarriedFrom != nil && a.Version == 1
	v.CanWithdraw = own && (a.State == action.Submitted || a.State == action.ChangesRequested)
	v.CanDelete = own && a.State == action.Draft && a.SubmittedAt == nil
	if a.State == action.ChangesRequested {
		for _, e := range events {
			if e.Decision == action.DecisionChangesRequested {
				v.ReviewComment = e.Comment // the latest request
			}
		}
	}
	v.CanReview = by.IsSecretariat() && a.State == action.Submitted
	v.Stages = action.Stages
	recs, err := h.Recommendations.List(ctx)
	if err != nil {
		return actionView{}, err
	}
	for _, r := range recs {
		item := checkItem{Number: r.Number, Title: r.Title.In(v.Lang), Has: slices.Contains(a.Recommendations, r.Number)}
		if item.Has {
			v.Recs = append(v.Recs, item)
		}
		v.AllRecs = append(v.AllRecs, item)
	}
	return v, nil
}

// moveAction answers the workflow buttons of the action page.
func (h *Handler) moveAction(to action.State, flash string) echo.HandlerFunc {
	return func(c echo.Context) error {
		by, id, err := actorAndID(c)
		if err != nil {
			return err
		}
		version, _ := strconv.Atoi(c.FormValue("version"))
		if _, err := h.Actions.Move(c.Request().Context(), by, id, version, to, c.FormValue("comment")); err != nil {
			return err
		}
		h.setFlash(c, flash, 0)
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/actions/%d", id))
	}
}

func (h *Handler) deleteAction(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	a, err := h.Actions.Get(ctx, by, id)
	if err != nil {
		return err
	}
	if err := h.Actions.Delete(ctx, by, id); err != nil {
		return err
	}
	h.setFlash(c, "flash_deleted", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/workspace?cycle=%d", a.CycleYear))
}

type historyView struct {
	Page
	A       action.Action
	Entries []historyEntry
}

type historyEntry struct {
	At       string
	Version  int
	By       string // who saved it: a name, "secretariat" (a key), or ""
	Created  bool
	Changes  []fieldChange
	Decision action.Decision
	Comment  string
}

type fieldChange struct {
	FieldKey      string
	Prefix        string // catalogue prefix of coded values ("stage_"), or ""
	Before, After string
}

func (h *Handler) actionHistory(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	a, err := h.Actions.Get(ctx, by, id)
	if err != nil {
		return err
	}
	versions, events, err := h.Actions.History(ctx, by, id)
	if err != nil {
		return err
	}
	v := historyView{Page: newPage(c, "workspace"), A: a}
	names := map[int64]string{}
	nameOf := func(id int64) string {
		if id == 0 {
			return ""
		}
		if n, ok := names[id]; ok {
			return n
		}
		n := ""
		if u, err := h.Users.Get(ctx, id); err == nil {
			n = u.Name
			if u.Role == user.Secretariat && !by.IsSecretariat() {
				n = "secretariat" // the organisation sees the office, not the person
			}
		}
		names[id] = n
		return n
	}
	// Newest first; a workflow step's review event, with its decision and
	// comment, names the version it produced.
	for i := len(versions) - 1; i >= 0; i-- {
		ver := versions[i]
		e := historyEntry{At: formatDateTime(v.Lang, ver.ChangedAt), Version: ver.Version, By: nameOf(ver.ChangedBy)}
		if i == 0 {
			e.Created = true
		} else {
			e.Changes = diff(versions[i-1].Snapshot, ver.Snapshot, v.Lang)
		}
		for _, ev := range events {
			if ev.Version == ver.Version {
				e.Decision, e.Comment = ev.Decision, ev.Comment
			}
		}
		v.Entries = append(v.Entries, e)
	}
	return h.renderer.render(c, http.StatusOK, "action_history", v.Lang, v)
}

// diff lists the fields that differ between two versions, side by side.
func diff(before, after action.Action, lang string) []fieldChange {
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return formatDate(lang, *t)
	}
	nums := func(ns []int) string {
		s := make([]string, len(ns))
		for i, n := range ns {
			s[i] = strconv.Itoa(n)
		}
		return strings.Join(s, ", ")
	}
	links := func(es []action.Evidence) string {
		s := make([]string, len(es))
		for i, e := range es {
			s[i] = e.Title + " <" + e.URL + ">"
		}
		return strings.Join(s, "\n")
	}
	var out []fieldChange
	add := func(key, prefix, b, a string) {
		if b != a {
			out = append(out, fieldChange{FieldKey: key, Prefix: prefix, Before: b, After: a})
		}
	}
	add("field_title", "", before.Title, after.Title)
	add("field_description", "", before.Description, after.Description)
	add("field_recommendations", "", nums(before.Recommendations), nums(after.Recommendations))
	add("field_stage", "stage_", string(before.Stage), string(after.Stage))
	add("field_measure", "measure_", string(before.MeasureType), string(after.MeasureType))
	add("field_scope", "scope_", string(before.Scope), string(after.Scope))
	add("field_starts_on", "", day(before.StartDate), day(after.StartDate))
	add("field_ends_on", "", day(before.EndDate), day(after.EndDate))
	add("field_visibility", "visibility_", string(before.Visibility), string(after.Visibility))
	add("field_evidence", "", links(before.Evidence), links(after.Evidence))
	return out
}
