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
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/request"
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
	ReadOnly string      // why the action can no longer be edited, when saving was refused
	Options  editorOptions
}

// errorItem is one line of the error summary at the top of a form.
type errorItem struct {
	LabelKey string
	Row      int // the evidence row, from 1, or 0
	Anchor   string
	MsgKey   string // the catalogue's message for this field, in the page's language
	Message  string // the service's own words (English), for logs and tests
	Field    string // a field the form does not show, said by fieldError
}

// messageKey names the catalogue's words for a field's error: the field's
// own, or those of a rule of the domain that it names by its message.
func messageKey(field, msg string) string {
	if field == "description" && msg == action.TooDeep {
		return "err_description_depth"
	}
	return "err_" + field
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
			out = append(out, errorItem{LabelKey: o.label, Anchor: o.anchor, MsgKey: messageKey(o.key, msg), Message: msg})
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
			out = append(out, errorItem{LabelKey: "form_errors_heading", Anchor: "f-title", Message: k + ": " + msg, Field: k})
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
	Counts          map[int]recCounts // what each recommendation counts for in other frameworks
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
	var numbers []int
	for _, r := range recs {
		o.Recommendations = append(o.Recommendations, checkItem{Number: r.Number, Title: r.Title.In(lang)})
		numbers = append(numbers, r.Number)
	}
	if o.Counts, err = h.previewCounts(c.Request().Context(), numbers, lang); err != nil {
		return editorOptions{}, err
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
	f.Evidence = evidenceRowsOf(c)
	return f
}

// evidenceRowsOf reads the evidence rows of a form, as the editor and the
// challenge forms write them. An empty row is no link; a row whose remove
// box is ticked is dropped.
func evidenceRowsOf(c echo.Context) []evidenceRow {
	var rows []evidenceRow
	for i := 0; i < action.MaxEvidence+editorRows; i++ {
		k := strconv.Itoa(i)
		row := evidenceRow{Kind: c.FormValue("evidence_kind_" + k), URL: strings.TrimSpace(c.FormValue("evidence_url_" + k)),
			Title: strings.TrimSpace(c.FormValue("evidence_title_" + k))}
		if c.FormValue("evidence_remove_"+k) != "" || (row.URL == "" && row.Title == "") {
			continue
		}
		rows = append(rows, row)
	}
	return rows
}

// evidenceOf turns evidence rows into the links a service takes.
func evidenceOf(rows []evidenceRow) []action.Evidence {
	var ev []action.Evidence
	for _, e := range rows {
		ev = append(ev, action.Evidence{Kind: action.EvidenceKind(e.Kind), URL: e.URL, Title: e.Title})
	}
	return ev
}

// withEmptyRows adds, below the filled rows, empty ones to add links
// without JavaScript.
func withEmptyRows(rows []evidenceRow) []evidenceRow {
	for i := 0; i < editorRows && len(rows) < action.MaxEvidence; i++ {
		rows = append(rows, evidenceRow{})
	}
	return rows
}

// input turns the form into the service's input; dates it cannot read are
// field errors.
func (f actionForm) input() (action.Input, errs.FieldErrors) {
	bad := errs.FieldErrors{}
	in := action.Input{Title: f.Title, Description: f.Description, Recommendations: f.Recommendations,
		Stage: action.Stage(f.Stage), MeasureType: action.MeasureType(f.Measure), Scope: action.Scope(f.Scope),
		Visibility: action.Visibility(f.Visibility)}
	bad.OptionalDay("starts_on", f.StartsOn, &in.StartDate)
	bad.OptionalDay("ends_on", f.EndsOn, &in.EndDate)
	in.Evidence = evidenceOf(f.Evidence)
	return in, bad
}

// readOnlyKey names why by cannot edit a, for the notice.
func readOnlyKey(by user.Actor, a action.Action) string {
	if !by.Supports(a.StakeholderID) {
		return "flash_err_readonly_secretariat"
	}
	return "flash_err_readonly_" + string(a.State)
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
	v.Form.Evidence = withEmptyRows(v.Form.Evidence)
	return h.renderer.render(c, status, "action_edit", v.Lang, v)
}

func (h *Handler) newAction(c echo.Context) error {
	by, err := request.Caller(c)
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
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	year, err := formCycle(c)
	if err != nil {
		return err
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
	by, err := request.Caller(c)
	if err != nil {
		return user.Actor{}, 0, err
	}
	id, err := request.ID(c, "id", "action")
	return by, id, err
}

// formCycle reads the year of the cycle a page's form posts in its field
// "cycle", which the page wrote: one that is no number names no cycle.
func formCycle(c echo.Context) (int, error) {
	year, err := strconv.Atoi(c.FormValue("cycle"))
	if err != nil {
		return 0, errs.E(errs.NotFound, "no such cycle")
	}
	return year, nil
}

func (h *Handler) editAction(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	a, p, err := h.actionAndPermissions(c, by, id)
	if err != nil {
		return err
	}
	if !p.Edit {
		return h.notPossible(c, a, readOnlyKey(by, a))
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
	_, err = h.Actions.Update(ctx, by, id, version, func(cur *action.Input) { *cur = in }) // the form holds every field
	switch {
	case errs.Is(err, errs.Invalid):
		v.Errors = errs.FieldsOf(err)
		return h.renderEditor(c, http.StatusUnprocessableEntity, v)
	case errs.Is(err, errs.Conflict) && errs.FieldsOf(err)["state"] != "":
		// It left the drafts meanwhile (submitted, withdrawn): nothing is
		// saved, and the person's text stays on screen with the reason.
		current, gerr := h.Actions.Get(ctx, by, id)
		if gerr != nil {
			return err
		}
		v.ReadOnly = readOnlyKey(by, current)
		return h.renderEditor(c, http.StatusConflict, v)
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
	Flash       *Flash
	A           action.Action
	Description template.HTML
	Recs        []checkItem
	// P is what the person may do with the action: the page shows these
	// controls and no other.
	P action.Permissions
	// FocalPoints names who submits, for a member who may not.
	FocalPoints   string
	Origin        *action.Action // the action of an earlier cycle this one continues
	ReviewComment string         // the secretariat's latest request, while it stands
	Reply         string         // the organisation's reply, when it sent the action again with one
	Replied       string         // the request it replies to
	AllRecs       []checkItem
	Stages        []action.Stage
	// A refused review comes back with what the reviewer typed.
	ReviewErrors map[string]string
	ReviewDraft  string
	ReviewStage  action.Stage
	ReviewOpen   bool // corrections were typed: show them
	// A refused submission comes back with the reply typed and why.
	SubmitError string
	ReplyDraft  string
	// The level of an accepted action; a refused level comes back with
	// the note typed and why.
	Assured         action.Assured
	Assurances      []action.Assurance
	AssuranceErrors map[string]string
	AssuranceDraft  action.Assurance
	AssuranceNote   string
	// The challenges of the action its reader is a party to, or all of
	// them for the secretariat.
	Challenges []challenge.Challenge
	// The provisions of other frameworks it counts for.
	Crosswalk *crosswalkView
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
	// public; else, to everyone alike, not found or not public. (Sending a
	// visitor to sign in would say that a draft is there.)
	if errs.Is(err, errs.Unauthorized) || errs.Is(err, errs.NotFound) || errs.Is(err, errs.Forbidden) {
		if id, perr := request.ID(c, "id", "action"); perr == nil {
			a, earlier, perr := h.Actions.PublicGet(c.Request().Context(), id)
			if perr != nil && !errs.Is(perr, errs.NotFound) {
				return perr
			}
			if perr == nil {
				v := publicActionView{Page: newPage(c, "actions"), A: a, Description: h.Markdown.HTML(a.Description), Earlier: earlier}
				if v.Evidence, perr = h.evidenceLines(c, a); perr != nil {
					return perr
				}
				if v.Assured, perr = h.Actions.AssuranceOf(c.Request().Context(), a); perr != nil {
					return perr
				}
				if v.Challenges, v.ClaimReviews, perr = h.publicChallenges(c, a); perr != nil {
					return perr
				}
				links, perr := h.Frameworks.PublicLinks(c.Request().Context(), []int64{a.ID})
				if perr != nil {
					return perr
				}
				v.CountsFor = countsForRows(links[a.ID], a.CycleYear, v.Lang, h.renderer.tr[v.Lang])
				if by.UserID != 0 {
					if v.MayChallenge, v.Pending, perr = h.challengeOffer(c.Request().Context(), by, a); perr != nil {
						return perr
					}
				}
				return h.renderer.render(c, http.StatusOK, "public_action", v.Lang, v)
			}
		}
		return h.notPublic(c, by.UserID == 0)
	}
	return err
}

// notPublic answers a link to an action that is not there for the
// visitor: not found or not public, the same to everyone; a visitor not
// signed in is told that signing in shows their organisation's own.
func (h *Handler) notPublic(c echo.Context, visitor bool) error {
	v := errorView{Page: newPage(c, "actions"), Status: http.StatusNotFound, HeadingKey: "action_not_public_title",
		TextKey: "action_not_public_text"}
	if visitor {
		v.DetailKey = "action_not_public_signin"
	}
	return h.renderer.render(c, http.StatusNotFound, "error", v.Lang, v)
}

// publicActionView is an action as anyone sees it, with its public history.
type publicActionView struct {
	Page
	A           action.Action
	Description template.HTML
	Evidence    []evidenceLine
	Earlier     []action.Action // the earlier cycles' actions it continues, latest first
	Assured     action.Assured
	// A reviewer organisation's person may challenge it (MayChallenge),
	// unless the organisation's challenge of it still stands (Pending).
	MayChallenge bool
	Pending      *challenge.Challenge
	// Its published challenges, oldest first, and each as structured data.
	Challenges   []publicChallenge
	ClaimReviews []claimReview
	CountsFor    []countsFor // the framework provisions it counts for
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
	if v.P, err = h.Actions.Permissions(ctx, by, a); err != nil {
		return actionView{}, err
	}
	if a.State == action.Accepted || a.State == action.Withdrawn {
		if v.Challenges, _, err = h.Challenges.List(ctx, by, challenge.Filter{ActionID: a.ID, Limit: 100}); err != nil {
			return actionView{}, err
		}
	}
	if a.State == action.Accepted {
		if v.Assured, err = h.Actions.AssuranceOf(ctx, a); err != nil {
			return actionView{}, err
		}
		v.Assurances, v.AssuranceDraft = action.Assurances, v.Assured.Level
	}
	if v.P.FocalPointSubmits {
		if v.FocalPoints, err = h.focalPointNames(c, a.StakeholderID); err != nil {
			return actionView{}, err
		}
	}
	if a.CarriedFrom != nil {
		if o, err := h.Actions.Get(ctx, by, *a.CarriedFrom); err == nil {
			v.Origin = &o
		}
	}
	if a.State == action.ChangesRequested {
		for _, e := range events {
			if e.Decision == action.DecisionChangesRequested {
				v.ReviewComment = e.Comment // the latest request
			}
		}
	}
	// Sent again with a reply: the reviewer reads the request and the
	// answer to it side by side.
	if a.State == action.Submitted && len(events) > 0 {
		if last := events[len(events)-1]; last.Comment != "" && last.Decision == action.DecisionSubmitted {
			v.Reply = last.Comment
			for _, e := range events {
				if e.Decision == action.DecisionChangesRequested {
					v.Replied = e.Comment
				}
			}
		}
	}
	if v.Crosswalk, err = h.crosswalkOf(ctx, by, a, v.Lang); err != nil {
		return actionView{}, err
	}
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

// focalPointNames names who submits an organisation's report, for its
// members: "Ana Silva" or "Ana Silva, Karl Berg".
func (h *Handler) focalPointNames(c echo.Context, stakeholderID int64) (string, error) {
	people, _, err := h.Users.List(c.Request().Context(), user.Filter{StakeholderID: stakeholderID, Role: user.Supporter, Limit: 500})
	if err != nil {
		return "", err
	}
	var names []string
	for _, u := range people {
		if u.OrgRole == user.FocalPoint && !u.Disabled {
			names = append(names, u.Name)
		}
	}
	return strings.Join(names, ", "), nil
}

// submitAction sends an action to the secretariat, or again after changes
// were requested, with the focal point's reply if any. Refused, the page
// comes back with the reply kept and the reason beside it. From the
// workspace list ("back=workspace"), it returns to that list.
func (h *Handler) submitAction(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	reply := c.FormValue("comment")
	before, p, err := h.actionAndPermissions(c, by, id)
	if err != nil {
		return err
	}
	a, err := h.Actions.Move(c.Request().Context(), by, id, version, action.Submitted, reply)
	if errs.Is(err, errs.Conflict) || errs.Is(err, errs.Invalid) {
		v, verr := h.actionPage(c, by, id)
		if verr != nil {
			return verr
		}
		v.ReplyDraft = reply
		switch fields := errs.FieldsOf(err); {
		case fields["comment"] != "" && errs.Is(err, errs.Conflict):
			v.SubmitError = "err_reply_needed"
		case fields["comment"] != "":
			v.SubmitError = "err_reply_too_long"
		case fields["version"] != "":
			v.SubmitError = "err_submit_stale"
		case fields["cycle"] != "":
			v.SubmitError = "err_submit_closed"
		default:
			v.SubmitError = "err_submit_state"
		}
		status := http.StatusConflict
		if errs.Is(err, errs.Invalid) {
			status = http.StatusUnprocessableEntity
		}
		return h.renderer.render(c, status, "action", v.Lang, v)
	}
	if err != nil {
		return err
	}
	flash := "flash_submitted"
	if p.Reconfirm && before.Version == version {
		flash = "flash_reconfirmed"
	}
	h.setFlash(c, flash, 0)
	if c.FormValue("back") == "workspace" {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/workspace?cycle=%d#actions-heading", a.CycleYear))
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/actions/%d", id))
}

// reopenAction makes a withdrawn action a draft again.
func (h *Handler) reopenAction(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	if _, err := h.Actions.Move(c.Request().Context(), by, id, version, action.Draft, ""); err != nil {
		return err
	}
	h.setFlash(c, "flash_reopened", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/actions/%d", id))
}

// withdrawAction asks first (the form's confirm=yes says it was asked),
// then withdraws.
func (h *Handler) withdrawAction(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	a, p, err := h.actionAndPermissions(c, by, id)
	if err != nil {
		return err
	}
	ask := confirmAction(c, a, "withdraw", "confirm_withdraw_title", "withdraw_action",
		[]string{"confirm_withdraw_effect_state", "confirm_withdraw_effect_public", "confirm_withdraw_effect_reopen"})
	ask.Hidden = []hiddenField{{"version", strconv.Itoa(a.Version)}}
	if act, err := h.askFirst(c, a, p.Withdraw, "flash_err_cannot_withdraw", ask); !act || err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	if _, err := h.Actions.Move(ctx, by, id, version, action.Withdrawn, ""); err != nil {
		return h.refused(c, err, "flash_err_cannot_withdraw")
	}
	h.setFlash(c, "flash_withdrawn", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/actions/%d", id))
}

// actionAndPermissions reads an action and what by may do with it.
func (h *Handler) actionAndPermissions(c echo.Context, by user.Actor, id int64) (action.Action, action.Permissions, error) {
	ctx := c.Request().Context()
	a, err := h.Actions.Get(ctx, by, id)
	if err != nil {
		return a, action.Permissions{}, err
	}
	p, err := h.Actions.Permissions(ctx, by, a)
	return a, p, err
}

// confirmAction is the page that asks before step, a destructive step on a
// (its address under the action's, as "withdraw"): it names the action and
// the step's effects, and cancels back to the action.
func confirmAction(c echo.Context, a action.Action, step, titleKey, buttonKey string, effects []string) confirmView {
	return confirmView{Page: newPage(c, "workspace"), TitleKey: titleKey, ButtonKey: buttonKey,
		Items: []confirmItem{actionItemOf(a)}, Effects: effects,
		Action: fmt.Sprintf("/actions/%d/%s", a.ID, step), Cancel: fmt.Sprintf("/actions/%d", a.ID), Danger: true}
}

// askFirst answers a destructive step's page before it acts: a person who
// may not take the step is sent back to the action with the reason (why)
// when they only asked; a post they may not make goes on, for the service
// to refuse with its own reason; otherwise the confirmation is shown until
// it comes back confirmed. It reports whether to act.
func (h *Handler) askFirst(c echo.Context, a action.Action, allowed bool, why string, ask confirmView) (act bool, err error) {
	switch {
	case !allowed && c.Request().Method == http.MethodGet:
		return false, h.notPossible(c, a, why)
	case !allowed:
		return true, nil
	case !confirmed(c):
		return false, h.renderer.render(c, http.StatusOK, "confirm", ask.Lang, ask)
	}
	return true, nil
}

// notPossible sends the person back to the action page with a notice that
// says why what they asked cannot be done with it now.
func (h *Handler) notPossible(c echo.Context, a action.Action, key string) error {
	h.setFlash(c, key, 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/actions/%d", a.ID))
}

func (h *Handler) deleteAction(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	a, p, err := h.actionAndPermissions(c, by, id)
	if err != nil {
		return err
	}
	ask := confirmAction(c, a, "delete", "confirm_delete_title", "delete_draft",
		[]string{"confirm_delete_effect_gone", "confirm_delete_effect_audit", "confirm_cannot_undo"})
	if act, err := h.askFirst(c, a, p.Delete, "flash_err_cannot_delete", ask); !act || err != nil {
		return err
	}
	if err := h.Actions.Delete(ctx, by, id); err != nil {
		return h.refused(c, err, "flash_err_cannot_delete")
	}
	h.setFlash(c, "flash_deleted", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/workspace?cycle=%d", a.CycleYear))
}

type historyView struct {
	Page
	A       action.Action
	Origin  *action.Action // what a carried action was carried from
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
	Link     *linkChange // a change of the provisions it counts for, instead of a version
	Datetime string      // when, for the machine: RFC 3339
	when     time.Time
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
	if a.CarriedFrom != nil {
		if o, err := h.Actions.Get(ctx, by, *a.CarriedFrom); err == nil {
			v.Origin = &o
		}
	}
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
		e := historyEntry{At: formatDateTime(v.Lang, ver.ChangedAt), Version: ver.Version, By: nameOf(ver.ChangedBy), when: ver.ChangedAt,
			Datetime: ver.ChangedAt.UTC().Format(time.RFC3339)}
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
	if v.Entries, err = h.withLinkChanges(ctx, by, a, v.Lang, v.Entries, nameOf); err != nil {
		return err
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
	// Evidence is compared link by link: a link kept is not shown as
	// removed and added again, whatever its place in the list.
	link := func(e action.Evidence) string { return e.Title + " <" + e.URL + ">" }
	only := func(es, other []action.Evidence) string {
		var s []string
		for _, e := range es {
			if !slices.Contains(other, e) {
				s = append(s, link(e))
			}
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
	add("field_evidence", "", only(before.Evidence, after.Evidence), only(after.Evidence, before.Evidence))
	return out
}
