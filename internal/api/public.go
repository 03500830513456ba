package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/etag"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/purge"
	"github.com/pctracker/pctracker/internal/request"
)

// publicActionDTO is an action as anyone may see it: no workflow state,
// versions, people or drafts' dates.
type publicActionDTO struct {
	ID               int64               `json:"id"`
	Cycle            int                 `json:"cycle"`
	OrganisationID   int64               `json:"organisation_id"`
	Organisation     string              `json:"organisation"`
	OrganisationKind string              `json:"organisation_kind"`
	Title            string              `json:"title"`
	Description      string              `json:"description"`
	Recommendations  []int               `json:"recommendations"`
	Stage            string              `json:"stage"`
	Assurance        string              `json:"assurance"`
	Measure          string              `json:"measure"`
	Scope            string              `json:"scope"`
	StartsOn         *dateDTO            `json:"starts_on"`
	EndsOn           *dateDTO            `json:"ends_on"`
	CarriedFrom      *int64              `json:"carried_from"`
	Evidence         []publicEvidenceDTO `json:"evidence"`
	AcceptedAt       *time.Time          `json:"accepted_at"`
	Provisions       []countsForDTO      `json:"provisions"`
}

// publicEvidenceDTO is an evidence link as anyone reads it: its state and
// archived copy, which change the public answers when they change; when
// each check ran is the signed-in API's (it would change them every week
// for nothing a reader can use).
type publicEvidenceDTO struct {
	Kind  string          `json:"kind"`
	URL   string          `json:"url"`
	Title string          `json:"title"`
	Check *publicCheckDTO `json:"check"`
}

type publicCheckDTO struct {
	State      string     `json:"state"`
	SHA256     string     `json:"sha256"`
	ArchivedAt *time.Time `json:"archived_at"`
	ArchiveURL string     `json:"archive_url"`
}

// publicOf keeps of an action's JSON what anyone may read.
func publicOf(d actionDTO) publicActionDTO {
	return publicActionDTO{ID: d.ID, Cycle: d.Cycle, OrganisationID: d.OrganisationID, Organisation: d.Organisation,
		OrganisationKind: d.OrganisationKind, Title: d.Title, Description: d.Description, Recommendations: d.Recommendations,
		Stage: d.Stage, Assurance: d.Assurance, Measure: d.Measure, Scope: d.Scope, StartsOn: d.StartsOn, EndsOn: d.EndsOn, CarriedFrom: d.CarriedFrom,
		Evidence: publicEvidence(d.Evidence), AcceptedAt: d.AcceptedAt, Provisions: []countsForDTO{}}
}

func publicEvidence(in []evidenceDTO) []publicEvidenceDTO {
	out := make([]publicEvidenceDTO, len(in))
	for i, e := range in {
		out[i] = publicEvidenceDTO{Kind: e.Kind, URL: e.URL, Title: e.Title}
		if c := e.Check; c != nil {
			out[i].Check = &publicCheckDTO{State: c.State, SHA256: c.SHA256, ArchivedAt: c.ArchivedAt, ArchiveURL: c.ArchiveURL}
		}
	}
	return out
}

// publicActions lists accepted public actions, filtered, a page at a time.
func (h *Handler) publicActions(c echo.Context) error {
	f, err := action.ParsePublicFilter(c.QueryParams())
	p, perr := request.PageOf(c, action.PublicPageSize, action.PublicPageSize)
	if err == nil {
		err = perr
	}
	if err == nil {
		err = h.checkFrameworkFilter(c, f.Framework, f.Provision)
	}
	if err != nil {
		return err
	}
	etag.SurrogateKeys(c.Response().Header(), purge.Actions)
	if done, err := h.notModified(c); done {
		return err
	}
	f.Limit, f.Offset = p.Limit(), p.Offset()
	list, total, err := h.Actions.Public(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := struct {
		Items   []publicActionDTO `json:"items"`
		Total   int               `json:"total"`
		Page    int               `json:"page"`
		PerPage int               `json:"per_page"`
	}{Total: total, Page: p.Page, PerPage: p.PerPage}
	if out.Items, err = h.publicDTOs(c, list); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// publicDTOs answers public actions with what the checks of their evidence
// found and the provisions they count for, each read once for them all.
func (h *Handler) publicDTOs(c echo.Context, list []action.Action) ([]publicActionDTO, error) {
	full := make([]actionDTO, len(list))
	ptrs := make([]*actionDTO, len(list))
	for i, a := range list {
		full[i] = actionToDTO(a)
		ptrs[i] = &full[i]
	}
	if err := h.withChecks(c, ptrs); err != nil {
		return nil, err
	}
	ids := make([]int64, len(list))
	for i, a := range list {
		ids[i] = a.ID
	}
	links, err := h.Frameworks.PublicLinks(c.Request().Context(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]publicActionDTO, len(list))
	for i := range full {
		out[i] = publicOf(full[i])
		out[i].Provisions = countsFor(links[full[i].ID])
	}
	return out, nil
}

// countsForDTO is a provision an action counts for, in the action's JSON.
type countsForDTO struct {
	Framework  string `json:"framework"`
	Provision  string `json:"provision"`
	Kind       string `json:"kind"`
	Confidence string `json:"confidence"`
}

func countsFor(links []framework.Link) []countsForDTO {
	out := make([]countsForDTO, len(links))
	for i, l := range links {
		out[i] = countsForDTO{Framework: l.Framework.Key, Provision: l.Provision.Key, Kind: string(l.Kind), Confidence: string(l.Provision.Confidence)}
	}
	return out
}
