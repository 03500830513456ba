package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/recommendation"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/user"
)

// The crosswalk: the other frameworks on commercial spyware and their
// provisions, with what the public actions count for each (public), the
// secretariat's edits of them, and the provisions an action counts for,
// which its people and the secretariat read and change.

// frameworkDTO is a framework without its provisions, as the list and an
// edit answer it.
type frameworkDTO struct {
	Key          string   `json:"key"`
	Title        textDTO  `json:"title"`
	FRUnofficial bool     `json:"fr_unofficial"`
	Issued       *dateDTO `json:"issued"`
	Source       string   `json:"source"`
	Note         string   `json:"note"`
	Version      int      `json:"version"`
}

func frameworkToDTO(f framework.Framework) frameworkDTO {
	return frameworkDTO{Key: f.Key, Title: textOf(f.Title), FRUnofficial: f.FRUnofficial, Issued: optionalDate(f.Issued),
		Source: f.Source, Note: f.Note, Version: f.Version}
}

func textOf(t recommendation.Text) textDTO { return textDTO{EN: t.EN, FR: t.FR} }

// frameworkItemDTO is a framework in the list: how many provisions it has.
type frameworkItemDTO struct {
	frameworkDTO
	Provisions int `json:"provisions"`
}

// provisionDTO is a provision as an edit answers it.
type provisionDTO struct {
	Key             string  `json:"key"`
	Title           textDTO `json:"title"`
	Recommendations []int   `json:"recommendations"`
	Confidence      string  `json:"confidence"`
	Note            string  `json:"note"`
	Version         int     `json:"version"`
}

func provisionToDTO(p framework.Provision) provisionDTO {
	d := provisionDTO{Key: p.Key, Title: textOf(p.Title), Recommendations: p.Recommendations, Confidence: string(p.Confidence),
		Note: p.Note, Version: p.Version}
	if d.Recommendations == nil {
		d.Recommendations = []int{}
	}
	return d
}

// provisionFigureDTO is a provision with what counts for it in a cycle.
type provisionFigureDTO struct {
	provisionDTO
	Actions       int `json:"actions"`
	Organisations int `json:"organisations"`
}

// coverageDTO is a framework with its provisions and their figures in a
// cycle: cycle is null when no cycle has any figure yet.
type coverageDTO struct {
	frameworkDTO
	Cycle         *int                 `json:"cycle"`
	Actions       int                  `json:"actions"`
	Organisations int                  `json:"organisations"`
	Provisions    []provisionFigureDTO `json:"provisions"`
}

// listFrameworks answers every framework, in order, with its number of
// provisions.
func (h *Handler) listFrameworks(c echo.Context) error {
	if done, err := h.notModified(c); done {
		return err
	}
	all, err := h.Frameworks.List(c.Request().Context())
	if err != nil {
		return err
	}
	out := struct {
		Items []frameworkItemDTO `json:"items"`
	}{Items: make([]frameworkItemDTO, len(all))}
	for i, f := range all {
		out.Items[i] = frameworkItemDTO{frameworkDTO: frameworkToDTO(f), Provisions: len(f.Provisions)}
	}
	return c.JSON(http.StatusOK, out)
}

// getFramework answers a framework with its provisions and their figures in
// the cycle asked, or the latest with figures.
func (h *Handler) getFramework(c echo.Context) error {
	key, err := request.Key(c, "key", "framework")
	if err != nil {
		return err
	}
	year, err := request.QueryYear(c, "cycle")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if year != 0 {
		if err := h.knownCycle(c, year); err != nil {
			return err
		}
	}
	if done, err := h.notModified(c); done {
		return err
	}
	all, year, err := h.Frameworks.Coverage(ctx, year)
	if err != nil {
		return err
	}
	for _, cov := range all {
		if cov.Framework.Key != key {
			continue
		}
		out := coverageDTO{frameworkDTO: frameworkToDTO(cov.Framework), Actions: cov.Actions, Organisations: cov.Organisations,
			Provisions: make([]provisionFigureDTO, len(cov.Figures))}
		if year != 0 {
			out.Cycle = &year
		}
		for i, f := range cov.Figures {
			out.Provisions[i] = provisionFigureDTO{provisionDTO: provisionToDTO(f.Provision), Actions: f.Actions, Organisations: f.Organisations}
		}
		return c.JSON(http.StatusOK, out)
	}
	return errs.E(errs.NotFound, "there is no framework %q", key)
}

// knownCycle refuses a year no cycle has.
func (h *Handler) knownCycle(c echo.Context, year int) error {
	cycles, err := h.Cycles.List(c.Request().Context())
	if err != nil {
		return err
	}
	for _, cy := range cycles {
		if cy.Year == year {
			return nil
		}
	}
	return errs.Field(errs.Invalid, "cycle", fmt.Sprintf("there is no cycle %d", year))
}

// titleInputDTO is a title in a PATCH: either language may be left out.
type titleInputDTO struct {
	EN *string `json:"en"`
	FR *string `json:"fr"`
}

func (t *titleInputDTO) apply(en, fr *string) {
	if t == nil {
		return
	}
	if t.EN != nil {
		*en = *t.EN
	}
	if t.FR != nil {
		*fr = *t.FR
	}
}

// frameworkInputDTO is the body of PATCH /frameworks/{key}: absent fields
// keep their value; issued null clears the day.
type frameworkInputDTO struct {
	Version      *int            `json:"version"`
	Title        *titleInputDTO  `json:"title"`
	FRUnofficial *bool           `json:"fr_unofficial"`
	Issued       json.RawMessage `json:"issued"`
	Source       *string         `json:"source"`
	Note         *string         `json:"note"`
}

// issued reads the body's day: set tells whether the body has one (null
// included, which clears it).
func (d frameworkInputDTO) issued() (day *time.Time, set bool, err error) {
	if d.Issued == nil {
		return nil, false, nil
	}
	if string(d.Issued) == "null" {
		return nil, true, nil
	}
	var s string
	if err := json.Unmarshal(d.Issued, &s); err != nil {
		return nil, true, errs.Field(errs.Malformed, "issued", "must be a JSON string (YYYY-MM-DD) or null")
	}
	f := errs.FieldErrors{}
	f.OptionalDay("issued", s, &day)
	return day, true, f.Err()
}

// sameFields names the fields of errors as the body does: title.en, not
// title_en.
func sameFields(err error) error {
	fields := errs.FieldsOf(err)
	if fields == nil || (fields["title_en"] == "" && fields["title_fr"] == "") {
		return err
	}
	out := map[string]string{}
	for k, v := range fields {
		out[strings.Replace(k, "title_", "title.", 1)] = v
	}
	return &errs.Error{Kind: errs.KindOf(err), Message: errs.MessageOf(err), Fields: out, Err: err}
}

// patchFramework saves the secretariat's edit of a framework.
func (h *Handler) patchFramework(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	key, err := request.Key(c, "key", "framework")
	if err != nil {
		return err
	}
	var body frameworkInputDTO
	if err := bind(c, &body); err != nil {
		return err
	}
	if body.Version == nil {
		return errs.Field(errs.Invalid, "version", "is required: the version you read, so that no one's edit is lost")
	}
	day, daySet, err := body.issued()
	if err != nil {
		return err
	}
	f, err := h.Frameworks.UpdateFramework(c.Request().Context(), by, key, *body.Version, func(in *framework.FrameworkInput) {
		body.Title.apply(&in.TitleEN, &in.TitleFR)
		if body.FRUnofficial != nil {
			in.FRUnofficial = *body.FRUnofficial
		}
		if daySet {
			in.Issued = day
		}
		if body.Source != nil {
			in.Source = *body.Source
		}
		if body.Note != nil {
			in.Note = *body.Note
		}
	})
	if errs.Is(err, errs.Conflict) {
		if current, gerr := h.Frameworks.Get(c.Request().Context(), key); gerr == nil {
			return errs.WithDetails(err, map[string]any{"current": frameworkToDTO(current)})
		}
	}
	if err != nil {
		return sameFields(err)
	}
	return c.JSON(http.StatusOK, frameworkToDTO(f))
}

// provisionInputDTO is the body of PATCH /frameworks/{key}/provisions/{provision}.
type provisionInputDTO struct {
	Version         *int           `json:"version"`
	Title           *titleInputDTO `json:"title"`
	Recommendations *[]int         `json:"recommendations"`
	Confidence      *string        `json:"confidence"`
	Note            *string        `json:"note"`
}

// patchProvision saves the secretariat's edit of a provision.
func (h *Handler) patchProvision(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	key, err := request.Key(c, "key", "framework")
	if err != nil {
		return err
	}
	provision, err := request.Key(c, "provision", "provision")
	if err != nil {
		return err
	}
	var body provisionInputDTO
	if err := bind(c, &body); err != nil {
		return err
	}
	if body.Version == nil {
		return errs.Field(errs.Invalid, "version", "is required: the version you read, so that no one's edit is lost")
	}
	p, err := h.Frameworks.UpdateProvision(c.Request().Context(), by, key, provision, *body.Version, func(in *framework.ProvisionInput) {
		body.Title.apply(&in.TitleEN, &in.TitleFR)
		if body.Recommendations != nil {
			in.Recommendations = append([]int(nil), (*body.Recommendations)...)
		}
		if body.Confidence != nil {
			in.Confidence = framework.Confidence(*body.Confidence)
		}
		if body.Note != nil {
			in.Note = *body.Note
		}
	})
	if errs.Is(err, errs.Conflict) {
		if f, gerr := h.Frameworks.Get(c.Request().Context(), key); gerr == nil {
			if current, perr := f.Provision(provision); perr == nil {
				return errs.WithDetails(err, map[string]any{"current": provisionToDTO(current)})
			}
		}
	}
	if err != nil {
		return sameFields(err)
	}
	return c.JSON(http.StatusOK, provisionToDTO(p))
}

// linkDTO is a provision an action counts for, as its people read it.
type linkDTO struct {
	Framework  string  `json:"framework"`
	Provision  string  `json:"provision"`
	Title      textDTO `json:"title"`
	Kind       string  `json:"kind"`
	Confidence string  `json:"confidence"`
}

func linkToDTO(l framework.Link) linkDTO {
	return linkDTO{Framework: l.Framework.Key, Provision: l.Provision.Key, Title: textOf(l.Provision.Title), Kind: string(l.Kind),
		Confidence: string(l.Provision.Confidence)}
}

// removedDTO is a provision the action's recommendations derive that was
// taken away from it.
type removedDTO struct {
	Framework  string  `json:"framework"`
	Provision  string  `json:"provision"`
	Title      textDTO `json:"title"`
	Confidence string  `json:"confidence"`
}

// linkEventDTO is a step of the history of an action's provisions.
type linkEventDTO struct {
	Change    string    `json:"change"`
	Kind      string    `json:"kind"`
	Framework string    `json:"framework"`
	Provision string    `json:"provision"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}

type actionLinksDTO struct {
	Items   []linkDTO      `json:"items"`
	Removed []removedDTO   `json:"removed"`
	History []linkEventDTO `json:"history"`
}

// actionLinks answers the provisions an action counts for, those taken
// away and the history of both, to the action's people and the
// secretariat; to anyone else the action does not exist.
func (h *Handler) actionLinks(c echo.Context) error {
	by, id, history, err := h.mayReadLinks(c)
	if err != nil {
		return err
	}
	return h.answerLinks(c, by, id, history, http.StatusOK)
}

// mayReadLinks reads the caller and the action, and checks that the
// caller is of the action's people or of the secretariat, before any body
// is read: a refusal says nothing of a body.
func (h *Handler) mayReadLinks(c echo.Context) (user.Actor, int64, []framework.LinkEvent, error) {
	by, err := request.Caller(c)
	if err != nil {
		return by, 0, nil, err
	}
	id, err := request.ID(c, "id", "action")
	if err != nil {
		return by, 0, nil, err
	}
	history, err := h.Frameworks.History(c.Request().Context(), by, id)
	return by, id, history, err
}

func (h *Handler) answerLinks(c echo.Context, by user.Actor, id int64, history []framework.LinkEvent, status int) error {
	links, err := h.Frameworks.Links(c.Request().Context(), by, id)
	if err != nil {
		return err
	}
	out := actionLinksDTO{Items: make([]linkDTO, len(links.Links)), Removed: make([]removedDTO, len(links.Removed)),
		History: make([]linkEventDTO, len(history))}
	for i, l := range links.Links {
		out.Items[i] = linkToDTO(l)
	}
	for i, p := range links.Removed {
		out.Removed[i] = removedDTO{Framework: p.FrameworkKey, Provision: p.Key, Title: textOf(p.Title), Confidence: string(p.Confidence)}
	}
	for i, e := range history {
		out.History[i] = linkEventDTO{Change: string(e.Change), Kind: string(e.Kind), Framework: e.FrameworkKey, Provision: e.ProvisionKey,
			Reason: e.Reason, At: e.At}
	}
	return c.JSON(status, out)
}

// linkInputDTO is the body of POST /actions/{id}/provisions and of
// POST /actions/{id}/provisions/remove (with its reason).
type linkInputDTO struct {
	Framework string  `json:"framework"`
	Provision string  `json:"provision"`
	Reason    *string `json:"reason,omitempty"`
}

// addLink makes an action count for a provision: declared, or a derived
// one taken away brought back.
func (h *Handler) addLink(c echo.Context) error {
	by, id, _, err := h.mayReadLinks(c)
	if err != nil {
		return err
	}
	var body linkInputDTO
	if err := bind(c, &body); err != nil {
		return err
	}
	if body.Reason != nil {
		return errs.Field(errs.Malformed, "reason", "is not a field of this request, or may not be set by a client")
	}
	l, err := h.Frameworks.Add(c.Request().Context(), by, id, body.Framework, body.Provision)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", fmt.Sprintf("/api/v1/actions/%d/provisions", id))
	return c.JSON(http.StatusCreated, linkToDTO(l))
}

// removeLink takes a provision away from an action, for a reason, and
// answers the provisions it now counts for. A POST with the reason in its
// body rather than a DELETE: a body on a DELETE has no defined meaning in
// HTTP or in OpenAPI 3.0, and the keys (spaces, brackets, colons) travel
// better in JSON than in two path segments.
func (h *Handler) removeLink(c echo.Context) error {
	by, id, _, err := h.mayReadLinks(c)
	if err != nil {
		return err
	}
	var body linkInputDTO
	if err := bind(c, &body); err != nil {
		return err
	}
	reason := ""
	if body.Reason != nil {
		reason = *body.Reason
	}
	ctx := c.Request().Context()
	if err := h.Frameworks.Remove(ctx, by, id, body.Framework, body.Provision, reason); err != nil {
		return err
	}
	history, err := h.Frameworks.History(ctx, by, id)
	if err != nil {
		return err
	}
	return h.answerLinks(c, by, id, history, http.StatusOK)
}
