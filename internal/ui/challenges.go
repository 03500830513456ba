package ui

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
)

// The challenges' pages. Every challenge is read through the service,
// which gives it as its reader may see it (a pseudonymous reviewer
// unnamed, nothing unpublished to outsiders); what the reader may do with
// it is challenge.Permissions, and a page shows those forms and no other.

const challengePageSize = 50

// challengeListView is the list of the challenges its reader is a party
// to: the secretariat's queue, a reviewer's challenges, a supporter's
// challenges of its actions.
type challengeListView struct {
	Page
	Flash  *Flash
	Role   string // "secretariat", "reviewer" or "supporter": the list's words
	State  string // the secretariat's filter
	States []challenge.State
	Items  []challenge.Challenge
	Total  int
	listPage
}

func (h *Handler) challenges(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	v := challengeListView{Page: newPage(c, "challenges"), Flash: h.takeFlash(c), Role: "supporter"}
	switch reviewer, err := h.mayFile(ctx, by); {
	case err != nil:
		return err
	case by.IsSecretariat():
		v.Role, v.States = "secretariat", challenge.States
		if st := challenge.State(c.QueryParam("state")); st.Valid() {
			v.State = string(st)
		}
	case reviewer:
		v.Role = "reviewer"
	}
	page, err := readPage(c, v.pageURL)
	if err != nil {
		return err
	}
	list, total, err := h.Challenges.List(ctx, by, challenge.Filter{State: challenge.State(v.State), Limit: challengePageSize,
		Offset: (page - 1) * challengePageSize})
	if err != nil {
		return err
	}
	v.Items, v.Total = list, total
	if v.listPage, err = paging(page, challengePageSize, total, v.pageURL); err != nil {
		return err
	}
	return h.renderer.render(c, http.StatusOK, "challenges", v.Lang, v)
}

// pageURL is the address of a page of the list with the view's filter.
func (v challengeListView) pageURL(page int) string {
	q := url.Values{"page": {strconv.Itoa(page)}}
	if v.State != "" {
		q.Set("state", v.State)
	}
	return "/challenges?" + q.Encode()
}

// mayFile reports whether by files challenges today: the service's
// refusal is an answer here, its failure is not.
func (h *Handler) mayFile(ctx context.Context, by user.Actor) (bool, error) {
	_, err := h.Challenges.MayFile(ctx, by)
	return err == nil, failure(err)
}

// failure keeps of err what is no refusal: a fault to report.
func failure(err error) error {
	if k := errs.KindOf(err); k == errs.Internal || k == errs.Unavailable {
		return err
	}
	return nil
}

// challengeView is one challenge as its reader may see it, with the forms
// that reader may use now. A refused form comes back with what was typed
// and each problem named.
type challengeView struct {
	Page
	Flash     *Flash
	C         challenge.Challenge
	P         challenge.Permissions
	Statement template.HTML
	Reply     template.HTML
	Reasons   template.HTML
	// ReplyOpen: the organisation may still reply (the page says until
	// when).
	ReplyOpen bool
	// StateHint says what its state means now: an open challenge waits
	// for the reply, or for the decision once the reply came or its time
	// ran out.
	StateHint string
	// Reviewing: the reader is of the reviewer organisation; Challenged:
	// of the organisation whose action it contests.
	Reviewing  bool
	Challenged bool

	Screen   screenForm
	Answer   answerForm
	Decision decisionForm
	// What the decision may set on the action, and what it has now.
	Stages          []action.Stage
	Levels          []action.Assurance
	ActionStage     action.Stage
	ActionAssurance action.Assurance
	Outcomes        []challenge.Outcome
	EvidenceKinds   []action.EvidenceKind

	// Posted names the form refused ("screen", "reply", "decide",
	// "publish"), Errors its problems by field, Messages the catalogue's
	// words for each, Summary all of them in form order.
	Posted   string
	Errors   map[string]string
	Messages map[string]string
	Summary  []errorItem
	// Kept is what was typed in a form the page no longer offers (the
	// challenge moved on meanwhile), shown to be copied.
	Kept string
}

type screenForm struct {
	Admissible string // "yes", "no" or ""
	Reason     string
}

type answerForm struct {
	Text     string
	Evidence []evidenceRow
}

type decisionForm struct {
	Outcome, Reasons, Stage, Assurance string
}

func (h *Handler) showChallenge(c echo.Context) error {
	by, id, err := callerAndChallenge(c)
	if err != nil {
		return err
	}
	v, err := h.challengePage(c, by, id)
	if err != nil {
		return err
	}
	return h.renderChallenge(c, http.StatusOK, v)
}

// callerAndChallenge returns the signed-in caller and the challenge id of
// the path.
func callerAndChallenge(c echo.Context) (user.Actor, int64, error) {
	by, err := request.Caller(c)
	if err != nil {
		return user.Actor{}, 0, err
	}
	id, err := request.ID(c, "id", "challenge")
	return by, id, err
}

// secretariatAndChallenge returns the secretariat's caller and the
// challenge id of the path, for the secretariat's steps: anyone else is
// refused before the challenge is looked up.
func secretariatAndChallenge(c echo.Context) (user.Actor, int64, error) {
	by, err := request.Secretariat(c)
	if err != nil {
		return user.Actor{}, 0, err
	}
	id, err := request.ID(c, "id", "challenge")
	return by, id, err
}

// challengePage gathers what the challenge's page shows to by.
func (h *Handler) challengePage(c echo.Context, by user.Actor, id int64) (challengeView, error) {
	ctx := c.Request().Context()
	ch, err := h.Challenges.Get(ctx, by, id)
	if err != nil {
		return challengeView{}, err
	}
	party := challenge.PartyOf(by, ch)
	v := challengeView{Page: newPage(c, "challenges"), Flash: h.takeFlash(c), C: ch, P: h.Challenges.Permissions(by, ch),
		Statement: h.Markdown.HTML(ch.Statement), Reply: h.Markdown.HTML(ch.Reply), Reasons: h.Markdown.HTML(ch.Reasons),
		ReplyOpen: ch.State == challenge.Open && !h.Challenges.ReplyClosed(ch),
		Reviewing: party == challenge.Reviewer, Challenged: party == challenge.Challenged,
		Outcomes: challenge.Outcomes, EvidenceKinds: action.EvidenceKinds}
	v.StateHint = "challenge_state_hint_" + string(ch.State)
	switch {
	case ch.State != challenge.Open, v.ReplyOpen:
	case ch.RepliedAt != nil:
		v.StateHint = "challenge_state_hint_replied"
	default:
		v.StateHint = "challenge_state_hint_unanswered"
	}
	if v.P.Decide {
		a, err := h.Actions.Get(ctx, by, ch.ActionID)
		if err != nil {
			return challengeView{}, err
		}
		v.Stages, v.Levels = a.Corrections()
		v.ActionStage, v.ActionAssurance = a.Stage, a.Assurance.OrDefault()
	}
	return v, nil
}

// renderChallenge shows the page with the reply form's empty rows.
func (h *Handler) renderChallenge(c echo.Context, status int, v challengeView) error {
	v.Answer.Evidence = withEmptyRows(v.Answer.Evidence)
	return h.renderer.render(c, status, "challenge", v.Lang, v)
}

// refusedStep answers a step the service refused: its page again, as the
// challenge now stands, with the form's text kept and each problem named
// (422), when the refusal is about what was sent or when it was sent; any
// other refusal is the error page. keep puts what was typed back in its
// form; text is the form's main text, kept apart when the form is no
// longer offered.
func (h *Handler) refusedStep(c echo.Context, by user.Actor, id int64, err error, form string, keep func(*challengeView), text string) error {
	if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
		return err
	}
	v, verr := h.challengePage(c, by, id)
	if verr != nil {
		return verr
	}
	keep(&v)
	v.Posted, v.Errors = form, errs.FieldsOf(err)
	v.Summary, v.Messages = challengeSummary(form, v.Errors, errs.Is(err, errs.Conflict))
	offered := map[string]bool{"screen": v.P.Screen, "reply": v.P.Reply, "decide": v.P.Decide, "publish": v.P.Publish}[form]
	if !offered {
		v.Kept = text
	}
	return h.renderChallenge(c, http.StatusUnprocessableEntity, v)
}

// challengeSummary names the problems of a refused challenge form in the
// order its fields come, each linked to its field and said in the page's
// language, and gives the catalogue key of each field's message; conflict
// tells a deadline or a state passed from a text refused.
func challengeSummary(form string, fields map[string]string, conflict bool) ([]errorItem, map[string]string) {
	type field struct{ key, label, anchor, msg string }
	order := map[string][]field{
		"file": {{"grounds", "challenge_grounds", "cf-grounds-" + string(challenge.AllGrounds[0]), "err_challenge_grounds"},
			{"statement", "challenge_statement", "cf-statement", "err_challenge_statement"}},
		"screen": {{"admissible", "challenge_screen_legend", "cs-yes", "err_challenge_admissible"},
			{"reason", "challenge_screen_reason", "cs-reason", "err_challenge_reason"}},
		"reply": {{"reply", "challenge_reply_label", "cr-text", "err_challenge_reply"}},
		"decide": {{"outcome", "challenge_outcome", "cd-outcome-" + string(challenge.Outcomes[0]), "err_challenge_outcome"},
			{"reasons", "challenge_reasons_label", "cd-reasons", "err_challenge_reasons"},
			{"stage", "challenge_set_stage", "cd-stage", "err_challenge_stage"},
			{"assurance", "challenge_set_assurance", "cd-assurance", "err_challenge_assurance"}},
	}[form]
	var out []errorItem
	keys := map[string]string{}
	for _, f := range order {
		msg, ok := fields[f.key]
		if !ok {
			continue
		}
		key, anchor := f.msg, f.anchor
		switch {
		case msg == action.TooDeep:
			key = "err_challenge_depth"
		case f.key == "outcome" && msg == challenge.KeepsAction:
			key = "err_challenge_keeps_action"
		case f.key == "reply" && conflict:
			key, anchor = "err_challenge_reply_closed", "" // no form to go to
		}
		keys[f.key] = key
		out = append(out, errorItem{LabelKey: f.label, Anchor: anchor, MsgKey: key})
	}
	prefix := map[string]string{"file": "cf", "reply": "cr"}[form]
	if _, ok := fields["evidence"]; ok && prefix != "" {
		out = append(out, errorItem{LabelKey: "field_evidence", Anchor: prefix + "-evidence", MsgKey: "err_challenge_evidence"})
	}
	for i := 0; prefix != "" && i < action.MaxEvidence+editorRows; i++ {
		for _, part := range []struct{ name, label, anchor string }{{"kind", "evidence_kind", "k"}, {"url", "evidence_url", "u"}, {"title", "evidence_title", "t"}} {
			if _, ok := fields[fmt.Sprintf("evidence.%d.%s", i, part.name)]; ok {
				out = append(out, errorItem{LabelKey: part.label, Row: i + 1, Anchor: fmt.Sprintf("%s%s%d", prefix, part.anchor, i),
					MsgKey: "err_evidence_" + part.name})
			}
		}
	}
	// What is about the challenge as a whole: it moved on, or someone
	// else took the step first.
	if _, ok := fields["state"]; ok {
		out = append(out, errorItem{MsgKey: "err_challenge_state"})
	}
	if _, ok := fields["version"]; ok {
		out = append(out, errorItem{MsgKey: "err_challenge_stale"})
	}
	if len(out) == 0 {
		out = append(out, errorItem{MsgKey: "err_challenge_state"})
	}
	return out, keys
}

// version reads the version of the challenge a form was written from.
func version(c echo.Context) int {
	n, _ := strconv.Atoi(c.FormValue("version"))
	return n
}

// screenChallenge records the secretariat's screening: admissible (the
// challenge opens) or not, with a reason for the reviewer.
func (h *Handler) screenChallenge(c echo.Context) error {
	by, id, err := secretariatAndChallenge(c)
	if err != nil {
		return err
	}
	form := screenForm{Admissible: c.FormValue("admissible"), Reason: c.FormValue("reason")}
	var admissible *bool
	if form.Admissible == "yes" || form.Admissible == "no" {
		yes := form.Admissible == "yes"
		admissible = &yes
	}
	ch, err := h.Challenges.Screen(c.Request().Context(), by, id, version(c), admissible, form.Reason)
	if err != nil {
		return h.refusedStep(c, by, id, err, "screen", func(v *challengeView) { v.Screen = form }, form.Reason)
	}
	flash := "flash_challenge_opened"
	if ch.State == challenge.Inadmissible {
		flash = "flash_challenge_inadmissible"
	}
	h.setFlash(c, flash, 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/challenges/%d", id))
}

// replyChallenge records the challenged organisation's reply, by its
// focal point; "add another link" shows the form again with more rows.
func (h *Handler) replyChallenge(c echo.Context) error {
	by, id, err := callerAndChallenge(c)
	if err != nil {
		return err
	}
	form := answerForm{Text: c.FormValue("reply"), Evidence: evidenceRowsOf(c)}
	if c.FormValue("op") == "add_evidence" {
		v, err := h.challengePage(c, by, id)
		if err != nil {
			return err
		}
		if v.P.Reply {
			v.Answer = form
			return h.renderChallenge(c, http.StatusOK, v)
		}
	}
	if _, err := h.Challenges.Reply(c.Request().Context(), by, id, version(c), form.Text, evidenceOf(form.Evidence)); err != nil {
		return h.refusedStep(c, by, id, err, "reply", func(v *challengeView) { v.Answer = form }, form.Text)
	}
	h.setFlash(c, "flash_challenge_replied", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/challenges/%d", id))
}

// decideChallenge records the secretariat's decision, and the correction
// of the action that goes with it, if any.
func (h *Handler) decideChallenge(c echo.Context) error {
	by, id, err := secretariatAndChallenge(c)
	if err != nil {
		return err
	}
	form := decisionForm{Outcome: c.FormValue("outcome"), Reasons: c.FormValue("reasons"), Stage: c.FormValue("stage"),
		Assurance: c.FormValue("assurance")}
	d := challenge.Decision{Outcome: challenge.Outcome(form.Outcome), Reasons: form.Reasons, Stage: action.Stage(form.Stage),
		Assurance: action.Assurance(form.Assurance)}
	if _, err := h.Challenges.Decide(c.Request().Context(), by, id, version(c), d); err != nil {
		return h.refusedStep(c, by, id, err, "decide", func(v *challengeView) { v.Decision = form }, form.Reasons)
	}
	h.setFlash(c, "flash_challenge_decided", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/challenges/%d", id))
}

// publishChallenge asks first (the form's confirm=yes says it was asked),
// then publishes the challenge, the reply and the decision together. A
// post that may not publish goes on, for the service to refuse with its
// own reason.
func (h *Handler) publishChallenge(c echo.Context) error {
	by, id, err := secretariatAndChallenge(c)
	if err != nil {
		return err
	}
	if !confirmed(c) {
		v, err := h.challengePage(c, by, id)
		if err != nil {
			return err
		}
		if v.P.Publish {
			return h.renderer.render(c, http.StatusOK, "confirm", v.Lang, h.confirmPublish(c, v.C))
		}
	}
	if _, err := h.Challenges.Publish(c.Request().Context(), by, id, version(c)); err != nil {
		return h.refusedStep(c, by, id, err, "publish", func(*challengeView) {}, "")
	}
	h.setFlash(c, "flash_challenge_published", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/challenges/%d", id))
}

// confirmPublish is the page that asks before a challenge is published:
// what becomes public, and that it cannot be undone.
func (h *Handler) confirmPublish(c echo.Context, ch challenge.Challenge) confirmView {
	tr := h.renderer.tr[langOf(c)]
	page := fmt.Sprintf("/challenges/%d", ch.ID)
	reviewer := tr("challenge_reviewer_unnamed_") // as the public will read it: not even its kind
	if !ch.Pseudonymous {
		reviewer = ch.Reviewer
	}
	return confirmView{Page: newPage(c, "challenges"), TitleKey: "confirm_challenge_publish_title", ButtonKey: "challenge_publish",
		Items: []confirmItem{{Label: tr("challenge_of", map[string]any{"Title": ch.ActionTitle}),
			Meta: fmt.Sprintf("#%d · %s · %s", ch.ID, ch.Organisation, tr("challenge_outcome_"+string(ch.Outcome))), URL: page}},
		Effects: []string{"confirm_challenge_publish_effect_public", "confirm_challenge_publish_effect_reviewer",
			"confirm_challenge_publish_effect_mail", "confirm_cannot_undo"},
		Data:   map[string]any{"Reviewer": reviewer, "Organisation": ch.Organisation},
		Action: page + "/publish", Hidden: []hiddenField{{"version", strconv.Itoa(ch.Version)}}, Cancel: page}
}

// fileView is the form a reviewer organisation's person files a
// challenge of a public action with.
type fileView struct {
	Page
	A        action.Action
	Form     fileForm
	Errors   map[string]string
	Messages map[string]string
	Summary  []errorItem
	// Pending is the organisation's challenge of this action that still
	// stands, when filing another was refused for it.
	Pending       *challenge.Challenge
	Reviewer      stakeholder.Stakeholder
	Grounds       []challenge.Grounds
	EvidenceKinds []action.EvidenceKind
}

type fileForm struct {
	Grounds      string
	Statement    string
	Evidence     []evidenceRow
	Pseudonymous bool
}

// fileOf reads the filing form.
func fileOf(c echo.Context) fileForm {
	return fileForm{Grounds: c.FormValue("grounds"), Statement: c.FormValue("statement"), Evidence: evidenceRowsOf(c),
		Pseudonymous: c.FormValue("pseudonymous") == "yes"}
}

// challengeable reads the public action a caller may challenge, asking
// first whether the caller files challenges at all, so that a refusal
// does not depend on which action was named.
func (h *Handler) challengeable(c echo.Context) (user.Actor, stakeholder.Stakeholder, action.Action, error) {
	ctx := c.Request().Context()
	by, err := request.Caller(c)
	if err != nil {
		return by, stakeholder.Stakeholder{}, action.Action{}, err
	}
	reviewer, err := h.Challenges.MayFile(ctx, by)
	if err != nil {
		return by, reviewer, action.Action{}, err
	}
	id, err := request.ID(c, "id", "action")
	if err != nil {
		return by, reviewer, action.Action{}, err
	}
	a, _, err := h.Actions.PublicGet(ctx, id)
	if err != nil {
		return by, reviewer, a, err
	}
	return by, reviewer, a, h.Challenges.MayChallenge(ctx, by, a)
}

// challengeForm shows the filing form; when the organisation's challenge
// of the action still stands, it sends the person to that one instead.
func (h *Handler) challengeForm(c echo.Context) error {
	by, reviewer, a, err := h.challengeable(c)
	if err != nil {
		return err
	}
	pending, found, err := h.Challenges.Pending(c.Request().Context(), by, a.ID)
	if err != nil {
		return err
	}
	if found {
		h.setFlash(c, "flash_err_challenge_pending", 0)
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/challenges/%d", pending.ID))
	}
	return h.renderFile(c, http.StatusOK, fileView{Page: newPage(c, "actions"), A: a, Reviewer: reviewer})
}

func (h *Handler) renderFile(c echo.Context, status int, v fileView) error {
	v.Grounds, v.EvidenceKinds = challenge.AllGrounds, action.EvidenceKinds
	v.Form.Evidence = withEmptyRows(v.Form.Evidence)
	return h.renderer.render(c, status, "challenge_file", v.Lang, v)
}

// fileChallenge files the challenge, then shows it; refused, the form
// comes back with the text kept and each problem named.
func (h *Handler) fileChallenge(c echo.Context) error {
	by, reviewer, a, err := h.challengeable(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	v := fileView{Page: newPage(c, "actions"), A: a, Reviewer: reviewer, Form: fileOf(c)}
	if c.FormValue("op") == "add_evidence" {
		return h.renderFile(c, http.StatusOK, v)
	}
	ch, err := h.Challenges.File(ctx, by, a.ID, challenge.Input{Grounds: challenge.Grounds(v.Form.Grounds), Statement: v.Form.Statement,
		Evidence: evidenceOf(v.Form.Evidence), Pseudonymous: v.Form.Pseudonymous})
	switch {
	case errs.Is(err, errs.Invalid):
		v.Errors = errs.FieldsOf(err)
		v.Summary, v.Messages = challengeSummary("file", v.Errors, false)
		return h.renderFile(c, http.StatusUnprocessableEntity, v)
	case errs.Is(err, errs.Conflict):
		// Another challenge of this action by the organisation stands
		// (filed meanwhile, perhaps by a colleague): the text stays, with
		// a link to that one.
		pending, found, perr := h.Challenges.Pending(ctx, by, a.ID)
		if perr != nil {
			return perr
		}
		if found {
			v.Pending = &pending
		}
		v.Summary = []errorItem{{MsgKey: "err_challenge_pending"}}
		return h.renderFile(c, http.StatusUnprocessableEntity, v)
	case err != nil:
		return err
	}
	h.setFlash(c, "flash_challenge_filed", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/challenges/%d", ch.ID))
}

// challengeOffer says what the public page of a offers its signed-in
// reader about challenging it: the organisation's pending challenge of
// it, or the link to file one, when the service says the reader may.
func (h *Handler) challengeOffer(ctx context.Context, by user.Actor, a action.Action) (offer bool, pending *challenge.Challenge, err error) {
	if err := h.Challenges.MayChallenge(ctx, by, a); err != nil {
		return false, nil, failure(err)
	}
	p, found, err := h.Challenges.Pending(ctx, by, a.ID)
	if err != nil || !found {
		return err == nil, nil, err
	}
	return false, &p, nil
}
