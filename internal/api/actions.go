package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/user"
)

// evidenceInputDTO is an evidence link as a client writes it.
type evidenceInputDTO struct {
	Kind  string `json:"kind"`
	URL   string `json:"url"`
	Title string `json:"title"`
}

// evidenceDTO is an evidence link as the API answers it: with what its
// checks found, which a client never sends.
type evidenceDTO struct {
	Kind  string    `json:"kind"`
	URL   string    `json:"url"`
	Title string    `json:"title"`
	Check *checkDTO `json:"check"`
}

// checkDTO is what is known of an evidence link of an accepted public
// action; null before its first check.
type checkDTO struct {
	State      string     `json:"state"`
	CheckedAt  *time.Time `json:"checked_at"`
	HTTPStatus int        `json:"http_status"`
	FinalURL   string     `json:"final_url"`
	SHA256     string     `json:"sha256"` // of the copy archived at acceptance
	ArchivedAt *time.Time `json:"archived_at"`
	ArchiveURL string     `json:"archive_url"`
}

type actionDTO struct {
	ID               int64         `json:"id"`
	Cycle            int           `json:"cycle"`
	OrganisationID   int64         `json:"organisation_id"`
	Organisation     string        `json:"organisation"`
	OrganisationKind string        `json:"organisation_kind"`
	Title            string        `json:"title"`
	Description      string        `json:"description"`
	Recommendations  []int         `json:"recommendations"`
	Stage            string        `json:"stage"`
	Measure          string        `json:"measure"`
	Scope            string        `json:"scope"`
	Visibility       string        `json:"visibility"`
	StartsOn         *dateDTO      `json:"starts_on"`
	EndsOn           *dateDTO      `json:"ends_on"`
	State            string        `json:"state"`
	Assurance        string        `json:"assurance"`
	Version          int           `json:"version"`
	CarriedFrom      *int64        `json:"carried_from"`
	Evidence         []evidenceDTO `json:"evidence"`
	CreatedAt        time.Time     `json:"created_at"`
	UpdatedAt        time.Time     `json:"updated_at"`
	SubmittedAt      *time.Time    `json:"submitted_at"`
	AcceptedAt       *time.Time    `json:"accepted_at"`
	// Provisions: only in the answer of GET /actions/{id}, which reads them.
	Provisions *[]countsForDTO `json:"provisions,omitempty"`
}

func optionalDate(t *time.Time) *dateDTO {
	if t == nil {
		return nil
	}
	d := dateDTO(*t)
	return &d
}

func actionToDTO(a action.Action) actionDTO {
	d := actionDTO{ID: a.ID, Cycle: a.CycleYear, OrganisationID: a.StakeholderID, Organisation: a.Organisation,
		OrganisationKind: a.OrganisationKind, Title: a.Title, Description: a.Description,
		Recommendations: a.Recommendations, Stage: string(a.Stage), Measure: string(a.MeasureType), Scope: string(a.Scope),
		Visibility: string(a.Visibility), StartsOn: optionalDate(a.StartDate), EndsOn: optionalDate(a.EndDate),
		State: string(a.State), Assurance: string(a.Assurance.OrDefault()), Version: a.Version, CarriedFrom: a.CarriedFrom, Evidence: make([]evidenceDTO, len(a.Evidence)),
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, SubmittedAt: a.SubmittedAt, AcceptedAt: a.AcceptedAt}
	if d.Recommendations == nil {
		d.Recommendations = []int{}
	}
	for i, e := range a.Evidence {
		d.Evidence[i] = evidenceDTO{Kind: string(e.Kind), URL: e.URL, Title: e.Title}
	}
	return d
}

// actionInputDTO is the body of POST /actions and PATCH /actions/{id}. In a
// PATCH, absent fields keep their value. Fields a client may not set
// (organisation, state, timestamps) are not here, and unknown fields are
// refused rather than ignored.
type actionInputDTO struct {
	Cycle           *int                `json:"cycle"`
	Version         *int                `json:"version"`
	Title           *string             `json:"title"`
	Description     *string             `json:"description"`
	Recommendations *[]int              `json:"recommendations"`
	Stage           *string             `json:"stage"`
	Measure         *string             `json:"measure"`
	Scope           *string             `json:"scope"`
	Visibility      *string             `json:"visibility"`
	StartsOn        *string             `json:"starts_on"`
	EndsOn          *string             `json:"ends_on"`
	Evidence        *[]evidenceInputDTO `json:"evidence"`
}

// apply sets on in every field the body carries; it reports bad dates as
// field errors.
func (d actionInputDTO) apply(in *action.Input) error {
	f := errs.FieldErrors{}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&in.Title, d.Title)
	set(&in.Description, d.Description)
	if d.Recommendations != nil {
		in.Recommendations = append([]int(nil), (*d.Recommendations)...)
	}
	if d.Stage != nil {
		in.Stage = action.Stage(*d.Stage)
	}
	if d.Measure != nil {
		in.MeasureType = action.MeasureType(*d.Measure)
	}
	if d.Scope != nil {
		in.Scope = action.Scope(*d.Scope)
	}
	if d.Visibility != nil {
		in.Visibility = action.Visibility(*d.Visibility)
	}
	for _, p := range []struct {
		name string
		v    *string
		dst  **time.Time
	}{{"starts_on", d.StartsOn, &in.StartDate}, {"ends_on", d.EndsOn, &in.EndDate}} {
		if p.v != nil { // absent keeps the day; "" clears it
			f.OptionalDay(p.name, *p.v, p.dst)
		}
	}
	if d.Evidence != nil {
		in.Evidence = make([]action.Evidence, len(*d.Evidence))
		for i, e := range *d.Evidence {
			in.Evidence[i] = action.Evidence{Kind: action.EvidenceKind(e.Kind), URL: e.URL, Title: e.Title}
		}
	}
	return f.Err()
}

// bind decodes a JSON body strictly: sent as JSON, one object, known
// fields only.
func bind(c echo.Context, dst any) error {
	if c.Request().ContentLength != 0 { // an empty body is refused below, as empty
		if err := isJSON(c.Request().Header.Get(echo.HeaderContentType)); err != nil {
			return err
		}
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return errs.Wrap(errs.Malformed, err, "the request body could not be read")
	}
	if err := checkRaw(body); err != nil { // before decoding hides what is wrong
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return errs.E(errs.Malformed, "the body must hold a single JSON object")
	}
	return nil
}

// isJSON accepts application/json, with a charset parameter only if it
// says UTF-8 (the one encoding of JSON, RFC 8259). A body sent as anything
// else was not meant for this endpoint, or is meant to be read another way:
// +json types such as merge-patch+json promise semantics the API does not
// have, so they are refused too rather than read as plain JSON.
func isJSON(contentType string) error {
	refused := errs.E(errs.Unsupported, "send the body as JSON, with Content-Type: application/json")
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || mediaType != echo.MIMEApplicationJSON {
		return refused
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return refused
	}
	return nil
}

// jsonError says what is wrong with a body in terms of its fields.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return errs.Field(errs.Malformed, typeErr.Field, fmt.Sprintf("must be a JSON %s", jsonType(typeErr.Type.String())))
	case errors.As(err, &syntaxErr):
		return errs.E(errs.Malformed, "the body is not valid JSON (at byte %d)", syntaxErr.Offset)
	case errors.Is(err, io.EOF):
		return errs.E(errs.Malformed, "the body is empty; send a JSON object")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return errs.Field(errs.Malformed, name, "is not a field of this request, or may not be set by a client")
	}
	return errs.Wrap(errs.Malformed, err, "the body is not valid JSON")
}

func jsonType(goType string) string {
	switch {
	case strings.Contains(goType, "int"):
		return "number"
	case strings.HasPrefix(goType, "[]"):
		return "array"
	case goType == "string", strings.HasSuffix(goType, "string"):
		return "string"
	}
	return "value"
}

func (h *Handler) createAction(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	if err := action.MayReport(by); err != nil {
		return err
	}
	var body actionInputDTO
	if err := bind(c, &body); err != nil {
		return err
	}
	if body.Cycle == nil {
		return errs.Field(errs.Invalid, "cycle", "is required: the year of the reporting cycle")
	}
	var in action.Input
	if err := body.apply(&in); err != nil {
		return err
	}
	a, err := h.Actions.CreateIn(c.Request().Context(), by, *body.Cycle, in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", fmt.Sprintf("/api/v1/actions/%d", a.ID))
	return c.JSON(http.StatusCreated, actionToDTO(a))
}

func (h *Handler) getAction(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	id, err := request.ID(c, "id", "action")
	if err != nil {
		return err
	}
	a, err := h.Actions.Get(c.Request().Context(), by, id)
	if err != nil {
		return err
	}
	d := actionToDTO(a)
	if err := h.withChecks(c, []*actionDTO{&d}); err != nil {
		return err
	}
	links, err := h.Frameworks.Links(c.Request().Context(), by, id)
	if err != nil {
		return err
	}
	provisions := countsFor(links.Links)
	d.Provisions = &provisions
	return c.JSON(http.StatusOK, d)
}

// withChecks adds to the evidence of actions what their checks found, in
// one read for them all.
func (h *Handler) withChecks(c echo.Context, list []*actionDTO) error {
	ids := make([]int64, len(list))
	for i, d := range list {
		ids[i] = d.ID
	}
	links, err := h.Evidence.Links(c.Request().Context(), ids)
	if err != nil {
		return err
	}
	base := strings.TrimRight(h.BaseURL, "/")
	for _, d := range list {
		for i := range d.Evidence {
			for _, l := range links[d.ID] {
				if l.URL != d.Evidence[i].URL {
					continue
				}
				chk := &checkDTO{State: string(l.State), CheckedAt: l.CheckedAt, HTTPStatus: l.HTTPStatus, FinalURL: l.FinalURL,
					SHA256: l.CapturedSHA256, ArchivedAt: l.CapturedAt}
				if l.CapturedSHA256 != "" {
					chk.ArchiveURL = base + "/archive/" + l.CapturedSHA256
				}
				d.Evidence[i].Check = chk
			}
		}
	}
	return nil
}

// checkEvidence asks for the evidence links of an accepted public action
// to be checked at the next run of the evidence job (202): asked twice
// within a minute, it is one check.
func (h *Handler) checkEvidence(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	id, err := request.ID(c, "id", "action")
	if err != nil {
		return err
	}
	n, err := h.Evidence.CheckNow(c.Request().Context(), by, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]int{"links_due": n})
}

func (h *Handler) patchAction(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	id, err := request.ID(c, "id", "action")
	if err != nil {
		return err
	}
	var body actionInputDTO
	if err := bind(c, &body); err != nil {
		return err
	}
	if body.Version == nil {
		return errs.Field(errs.Invalid, "version", "is required: the version you read, so that no one's edit is lost")
	}
	if body.Cycle != nil {
		return errs.Field(errs.Invalid, "cycle", "an action stays in its cycle")
	}
	// Dates that cannot be read are refused before anything is saved.
	var scratch action.Input
	if err := body.apply(&scratch); err != nil {
		return err
	}
	a, err := h.Actions.Update(c.Request().Context(), by, id, *body.Version, func(in *action.Input) { _ = body.apply(in) })
	if err != nil {
		if errs.Is(err, errs.Conflict) {
			return h.conflict(c, by, id, err)
		}
		return err
	}
	return c.JSON(http.StatusOK, actionToDTO(a))
}

// conflict answers a stale save with 409 and the action as it now stands,
// so that the client can merge and retry without losing its text.
func (h *Handler) conflict(c echo.Context, by user.Actor, id int64, cause error) error {
	current, err := h.Actions.Get(c.Request().Context(), by, id)
	if err != nil {
		return cause
	}
	return errs.WithDetails(cause, map[string]any{"current": actionToDTO(current)})
}

func (h *Handler) deleteAction(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	id, err := request.ID(c, "id", "action")
	if err != nil {
		return err
	}
	if err := h.Actions.Delete(c.Request().Context(), by, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type moveDTO struct {
	Version *int   `json:"version"`
	Comment string `json:"comment"`
}

// move answers POST /actions/{id}/submit, /withdraw and /reopen. The body is
// optional; a version in it makes the move fail if the action changed.
func (h *Handler) move(to action.State) echo.HandlerFunc {
	return func(c echo.Context) error {
		by, err := request.Caller(c)
		if err != nil {
			return err
		}
		id, err := request.ID(c, "id", "action")
		if err != nil {
			return err
		}
		var body moveDTO
		if c.Request().ContentLength != 0 {
			if err := bind(c, &body); err != nil {
				return err
			}
		}
		version := 0
		if body.Version != nil {
			version = *body.Version
		}
		a, err := h.Actions.Move(c.Request().Context(), by, id, version, to, body.Comment)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, actionToDTO(a))
	}
}

type versionDTO struct {
	Version   int       `json:"version"`
	ChangedBy int64     `json:"changed_by"`
	ChangedAt time.Time `json:"changed_at"`
	Action    actionDTO `json:"action"`
}

type reviewEventDTO struct {
	Decision   string    `json:"decision"`
	Comment    string    `json:"comment"`
	ReviewerID int64     `json:"reviewer_id"`
	At         time.Time `json:"at"`
	Assurance  string    `json:"assurance,omitempty"` // the level the step set
}

func (h *Handler) actionHistory(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	id, err := request.ID(c, "id", "action")
	if err != nil {
		return err
	}
	versions, events, err := h.Actions.History(c.Request().Context(), by, id)
	if err != nil {
		return err
	}
	out := struct {
		Versions []versionDTO     `json:"versions"`
		Events   []reviewEventDTO `json:"events"`
	}{Versions: make([]versionDTO, len(versions)), Events: make([]reviewEventDTO, len(events))}
	for i, v := range versions {
		out.Versions[i] = versionDTO{Version: v.Version, ChangedBy: v.ChangedBy, ChangedAt: v.ChangedAt, Action: actionToDTO(v.Snapshot)}
	}
	for i, e := range events {
		out.Events[i] = reviewEventDTO{Decision: string(e.Decision), Comment: e.Comment, ReviewerID: e.ReviewerID, At: e.At,
			Assurance: string(e.Assurance)}
	}
	return c.JSON(http.StatusOK, out)
}

func (h *Handler) myActions(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	if by.Role != user.Supporter {
		return errs.E(errs.Forbidden, "my/actions lists an organisation's actions; the secretariat has none")
	}
	f := action.Filter{State: action.State(c.QueryParam("state"))}
	if f.State != "" && !f.State.Valid() {
		return errs.Field(errs.Invalid, "state", fmt.Sprintf("%q is not a workflow state", f.State))
	}
	if f.CycleYear, err = request.QueryYear(c, "cycle"); err != nil {
		return err
	}
	return h.actionPage(c, by, f)
}

func (h *Handler) carryForward(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	if err := action.MayReport(by); err != nil {
		return err
	}
	year, err := request.PathYear(c)
	if err != nil {
		return err
	}
	created, err := h.Actions.CarryForward(c.Request().Context(), by, year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, actionList(created))
}

func (h *Handler) submitAll(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	year, err := request.PathYear(c)
	if err != nil {
		return err
	}
	done, err := h.Actions.SubmitAll(c.Request().Context(), by, year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, actionList(done))
}

// actionList is the JSON form of a set of actions that an operation made.
func actionList(list []action.Action) listDTO[actionDTO] {
	out := listDTO[actionDTO]{Items: make([]actionDTO, len(list)), Total: len(list)}
	for i, a := range list {
		out.Items[i] = actionToDTO(a)
	}
	return out
}

type pageDTO[T any] struct {
	Items   []T `json:"items"`
	Total   int `json:"total"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
}

// The API's pages: 50 items unless asked, at most 500.
const (
	perPage    = 50
	maxPerPage = 500
)

type problemDTO struct {
	Line    int    `json:"line"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// importActions creates drafts from a CSV or XLSX body: all rows or none.
// The Content-Type says which; without one the content does.
func (h *Handler) importActions(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	if err := action.MayReport(by); err != nil {
		return err
	}
	year, err := request.Year("cycle", c.QueryParam("cycle"))
	if err != nil {
		return err
	}
	format := action.AnyFormat
	switch mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType)); mt {
	case action.XLSXType:
		format = action.XLSX
	case "text/csv":
		format = action.CSV
	}
	res, err := h.Actions.ImportFile(c.Request().Context(), by, year, format, c.Request().Body)
	var ie *action.ImportError
	if errors.As(err, &ie) {
		problems := make([]problemDTO, 0, len(ie.Problems))
		for _, p := range ie.Problems {
			problems = append(problems, problemDTO{Line: p.Line, Column: p.Column, Message: p.Message})
		}
		return errs.WithDetails(errs.E(errs.Invalid, "%s", ie.Error()), map[string]any{"errors": problems})
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]int{"imported": len(res.Actions)})
}

// actionPage answers with one page of the actions f selects, as by may see
// them, with the paging read from the query.
func (h *Handler) actionPage(c echo.Context, by user.Actor, f action.Filter) error {
	p, err := request.PageOf(c, perPage, maxPerPage)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = p.Limit(), p.Offset()
	list, total, err := h.Actions.List(c.Request().Context(), by, f)
	if err != nil {
		return err
	}
	out := pageDTO[actionDTO]{Items: make([]actionDTO, len(list)), Total: total, Page: p.Page, PerPage: p.PerPage}
	for i, a := range list {
		out.Items[i] = actionToDTO(a)
	}
	return c.JSON(http.StatusOK, out)
}
