package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
)

// Challenges is what the API needs of challenges.
type Challenges interface {
	MayFile(ctx context.Context, by user.Actor) (stakeholder.Stakeholder, error)
	File(ctx context.Context, by user.Actor, actionID int64, in challenge.Input) (challenge.Challenge, error)
	Get(ctx context.Context, by user.Actor, id int64) (challenge.Challenge, error)
	List(ctx context.Context, by user.Actor, f challenge.Filter) ([]challenge.Challenge, int, error)
	Screen(ctx context.Context, by user.Actor, id int64, version int, admissible *bool, reason string) (challenge.Challenge, error)
	Reply(ctx context.Context, by user.Actor, id int64, version int, reply string, ev []action.Evidence) (challenge.Challenge, error)
	Decide(ctx context.Context, by user.Actor, id int64, version int, d challenge.Decision) (challenge.Challenge, error)
	Publish(ctx context.Context, by user.Actor, id int64, version int) (challenge.Challenge, error)
	Published(ctx context.Context, f challenge.Filter) ([]challenge.Challenge, int, error)
	EachPublished(ctx context.Context, fn func([]challenge.Challenge) error) error
}

// challengeDTO is a challenge as its reader may see it (see
// challenge.AsSeenBy): a pseudonymous reviewer is "reviewer": null, with
// its kind only.
type challengeDTO struct {
	ID           int64         `json:"id"`
	ActionID     int64         `json:"action_id"`
	ActionTitle  string        `json:"action_title"`
	Cycle        int           `json:"cycle"`
	Organisation string        `json:"organisation"`
	OrgID        int64         `json:"organisation_id"`
	Reviewer     *reviewerDTO  `json:"reviewer"`
	ReviewerKind *string       `json:"reviewer_kind"` // null when the reviewer is not named to the reader
	Pseudonymous bool          `json:"pseudonymous"`
	Grounds      string        `json:"grounds"`
	Statement    string        `json:"statement"`
	Evidence     []evidenceDTO `json:"evidence"`
	State        string        `json:"state"`
	Version      int           `json:"version"`
	FiledAt      time.Time     `json:"filed_at"`
	ScreenedAt   *time.Time    `json:"screened_at"`
	Reason       string        `json:"inadmissible_reason,omitempty"`
	ReplyDue     *dateDTO      `json:"reply_due"`
	Reply        *replyDTO     `json:"reply"`
	Decision     *decisionDTO  `json:"decision"`
	PublishedAt  *time.Time    `json:"published_at"`
}

type reviewerDTO struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type replyDTO struct {
	Text     string        `json:"text"`
	Evidence []evidenceDTO `json:"evidence"`
	At       *time.Time    `json:"at"`
}

type decisionDTO struct {
	Outcome   string     `json:"outcome"`
	Reasons   string     `json:"reasons"`
	Stage     string     `json:"stage,omitempty"`
	Assurance string     `json:"assurance,omitempty"`
	At        *time.Time `json:"at"`
}

func evidenceDTOs(ev []action.Evidence) []evidenceDTO {
	out := make([]evidenceDTO, len(ev))
	for i, e := range ev {
		out[i] = evidenceDTO{Kind: string(e.Kind), URL: e.URL, Title: e.Title}
	}
	return out
}

// challengeToDTO writes c, already as its reader may see it.
func challengeToDTO(c challenge.Challenge) challengeDTO {
	d := challengeDTO{ID: c.ID, ActionID: c.ActionID, ActionTitle: c.ActionTitle, Cycle: c.CycleYear, Organisation: c.Organisation,
		OrgID: c.OrganisationID, ReviewerKind: orNull(string(c.ReviewerKind)), Pseudonymous: c.Pseudonymous, Grounds: string(c.Grounds),
		Statement: c.Statement, Evidence: evidenceDTOs(c.Evidence), State: string(c.State), Version: c.Version, FiledAt: c.FiledAt,
		ScreenedAt: c.ScreenedAt, Reason: c.ScreenReason, ReplyDue: optionalDate(c.ReplyDue), PublishedAt: c.PublishedAt}
	if c.ReviewerID != 0 {
		d.Reviewer = &reviewerDTO{ID: c.ReviewerID, Name: c.Reviewer}
	}
	if c.RepliedAt != nil {
		d.Reply = &replyDTO{Text: c.Reply, Evidence: evidenceDTOs(c.ReplyEvidence), At: c.RepliedAt}
	}
	if c.Outcome != "" {
		d.Decision = &decisionDTO{Outcome: string(c.Outcome), Reasons: c.Reasons, Stage: string(c.StageSet),
			Assurance: string(c.AssuranceSet), At: c.DecidedAt}
	}
	return d
}

func evidenceOf(in []evidenceInputDTO) []action.Evidence {
	out := make([]action.Evidence, len(in))
	for i, e := range in {
		out[i] = action.Evidence{Kind: action.EvidenceKind(e.Kind), URL: e.URL, Title: e.Title}
	}
	return out
}

type fileDTO struct {
	Grounds      string             `json:"grounds"`
	Statement    string             `json:"statement"`
	Evidence     []evidenceInputDTO `json:"evidence"`
	Pseudonymous bool               `json:"pseudonymous"`
}

// fileChallenge answers POST /actions/{id}/challenges: a reviewer
// organisation's challenge of a public action.
func (h *Handler) fileChallenge(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	if _, err := h.Challenges.MayFile(c.Request().Context(), by); err != nil {
		return err
	}
	id, err := request.ID(c, "id", "action")
	if err != nil {
		return err
	}
	var body fileDTO
	if err := bind(c, &body); err != nil {
		return err
	}
	ch, err := h.Challenges.File(c.Request().Context(), by, id, challenge.Input{Grounds: challenge.Grounds(body.Grounds),
		Statement: body.Statement, Evidence: evidenceOf(body.Evidence), Pseudonymous: body.Pseudonymous})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", fmt.Sprintf("/api/v1/challenges/%d", ch.ID))
	return c.JSON(http.StatusCreated, challengeToDTO(ch))
}

// listChallenges answers GET /challenges?state=: the secretariat's all;
// an organisation's people, those it is a party to.
func (h *Handler) listChallenges(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	p, err := request.PageOf(c, perPage, maxPerPage)
	if err != nil {
		return err
	}
	list, total, err := h.Challenges.List(c.Request().Context(), by, challenge.Filter{State: challenge.State(c.QueryParam("state")),
		Limit: p.Limit(), Offset: p.Offset()})
	if err != nil {
		return err
	}
	out := pageDTO[challengeDTO]{Items: make([]challengeDTO, len(list)), Total: total, Page: p.Page, PerPage: p.PerPage}
	for i, ch := range list {
		out.Items[i] = challengeToDTO(ch)
	}
	return c.JSON(http.StatusOK, out)
}

func (h *Handler) getChallenge(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	id, err := request.ID(c, "id", "challenge")
	if err != nil {
		return err
	}
	ch, err := h.Challenges.Get(c.Request().Context(), by, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, challengeToDTO(ch))
}

// challengeStep reads the caller, the challenge's id and the body of a
// step, and answers with the challenge as it then stands.
func challengeStep[B any](h *Handler, step func(ctx context.Context, by user.Actor, id int64, body B) (challenge.Challenge, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		by, err := request.Caller(c)
		if err != nil {
			return err
		}
		id, err := request.ID(c, "id", "challenge")
		if err != nil {
			return err
		}
		var body B
		if c.Request().ContentLength != 0 {
			if err := bind(c, &body); err != nil {
				return err
			}
		}
		ch, err := step(c.Request().Context(), by, id, body)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, challengeToDTO(ch))
	}
}

type screenDTO struct {
	Admissible *bool  `json:"admissible"`
	Reason     string `json:"reason"`
	Version    int    `json:"version"`
}

type challengeReplyDTO struct {
	Reply    string             `json:"reply"`
	Evidence []evidenceInputDTO `json:"evidence"`
	Version  int                `json:"version"`
}

type decideDTO struct {
	Outcome   string `json:"outcome"`
	Reasons   string `json:"reasons"`
	Stage     string `json:"stage"`
	Assurance string `json:"assurance"`
	Version   int    `json:"version"`
}

type publishChallengeDTO struct {
	Version int `json:"version"`
}

func (h *Handler) screenChallenge() echo.HandlerFunc {
	return challengeStep(h, func(ctx context.Context, by user.Actor, id int64, b screenDTO) (challenge.Challenge, error) {
		return h.Challenges.Screen(ctx, by, id, b.Version, b.Admissible, b.Reason)
	})
}

func (h *Handler) replyChallenge() echo.HandlerFunc {
	return challengeStep(h, func(ctx context.Context, by user.Actor, id int64, b challengeReplyDTO) (challenge.Challenge, error) {
		return h.Challenges.Reply(ctx, by, id, b.Version, b.Reply, evidenceOf(b.Evidence))
	})
}

func (h *Handler) decideChallenge() echo.HandlerFunc {
	return challengeStep(h, func(ctx context.Context, by user.Actor, id int64, b decideDTO) (challenge.Challenge, error) {
		return h.Challenges.Decide(ctx, by, id, b.Version, challenge.Decision{Outcome: challenge.Outcome(b.Outcome), Reasons: b.Reasons,
			Stage: action.Stage(b.Stage), Assurance: action.Assurance(b.Assurance)})
	})
}

func (h *Handler) publishChallenge() echo.HandlerFunc {
	return challengeStep(h, func(ctx context.Context, by user.Actor, id int64, b publishChallengeDTO) (challenge.Challenge, error) {
		return h.Challenges.Publish(ctx, by, id, b.Version)
	})
}
