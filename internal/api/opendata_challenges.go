package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/export"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// openChallengeDTO is a published challenge in the open data, with the
// reply and the decision it was published with. A pseudonymous reviewer
// is null (empty in the CSV): the service has cleared its name already.
type openChallengeDTO struct {
	ID                int64      `json:"id"`
	ActionID          int64      `json:"action_id"`
	Cycle             int        `json:"cycle"`
	OrganisationID    int64      `json:"organisation_id"`
	Organisation      string     `json:"organisation"`
	Reviewer          *string    `json:"reviewer"`
	ReviewerKind      *string    `json:"reviewer_kind"`
	Pseudonymous      bool       `json:"pseudonymous"`
	Grounds           string     `json:"grounds"`
	Statement         string     `json:"statement"`
	EvidenceURLs      []string   `json:"evidence_urls"`
	FiledAt           time.Time  `json:"filed_at"`
	Reply             *string    `json:"reply"`
	ReplyEvidenceURLs []string   `json:"reply_evidence_urls"`
	RepliedAt         *time.Time `json:"replied_at"`
	ReplyDue          *dateDTO   `json:"reply_due"`
	Outcome           string     `json:"outcome"`
	Reasons           string     `json:"reasons"`
	StageSet          *string    `json:"stage_set"`
	AssuranceSet      *string    `json:"assurance_set"`
	DecidedAt         *time.Time `json:"decided_at"`
	PublishedAt       *time.Time `json:"published_at"`
}

func urlsOf(ev []action.Evidence) []string {
	out := make([]string, len(ev))
	for i, e := range ev {
		out[i] = e.URL
	}
	return out
}

// orNull is s, or null when it is empty.
func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func openChallengeOf(c challenge.Challenge) openChallengeDTO {
	d := openChallengeDTO{ID: c.ID, ActionID: c.ActionID, Cycle: c.CycleYear, OrganisationID: c.OrganisationID, Organisation: c.Organisation,
		Reviewer: orNull(c.Reviewer), ReviewerKind: orNull(string(c.ReviewerKind)), Pseudonymous: c.Pseudonymous, Grounds: string(c.Grounds),
		Statement: c.Statement, EvidenceURLs: urlsOf(c.Evidence), FiledAt: c.FiledAt, ReplyEvidenceURLs: urlsOf(c.ReplyEvidence),
		RepliedAt: c.RepliedAt, ReplyDue: optionalDate(c.ReplyDue), Outcome: string(c.Outcome), Reasons: c.Reasons,
		StageSet: orNull(string(c.StageSet)), AssuranceSet: orNull(string(c.AssuranceSet)), DecidedAt: c.DecidedAt, PublishedAt: c.PublishedAt}
	if c.RepliedAt != nil {
		d.Reply = &c.Reply
	}
	return d
}

// The columns of the challenges' CSV: those of the JSON, in its order.
// Lists of links are separated by spaces; what is null in the JSON is
// empty.
var openChallengesHeader = []string{"id", "action_id", "cycle", "organisation_id", "organisation", "reviewer", "reviewer_kind",
	"pseudonymous", "grounds", "statement", "evidence_urls", "filed_at", "reply", "reply_evidence_urls", "replied_at", "reply_due",
	"outcome", "reasons", "stage_set", "assurance_set", "decided_at", "published_at"}

func openChallengeRow(d openChallengeDTO) []string {
	text := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	at := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	due := ""
	if d.ReplyDue != nil {
		due = time.Time(*d.ReplyDue).Format(time.DateOnly)
	}
	return []string{strconv.FormatInt(d.ID, 10), strconv.FormatInt(d.ActionID, 10), strconv.Itoa(d.Cycle),
		strconv.FormatInt(d.OrganisationID, 10), d.Organisation, text(d.Reviewer), text(d.ReviewerKind), strconv.FormatBool(d.Pseudonymous),
		d.Grounds, d.Statement, strings.Join(d.EvidenceURLs, " "), at(&d.FiledAt), text(d.Reply), strings.Join(d.ReplyEvidenceURLs, " "),
		at(d.RepliedAt), due, d.Outcome, d.Reasons, text(d.StageSet), text(d.AssuranceSet), at(d.DecidedAt), at(d.PublishedAt)}
}

// openDataChallengesCSV streams every published challenge as CSV.
func (h *Handler) openDataChallengesCSV(c echo.Context) error {
	if done, err := h.notModified(c); done {
		return err
	}
	downloadHeaders(c, "text/csv; charset=utf-8", "pctracker-challenges.csv")
	c.Response().WriteHeader(http.StatusOK)
	t, err := export.NewTable(c.Response(), openChallengesHeader)
	if err != nil {
		return err
	}
	err = h.Challenges.EachPublished(c.Request().Context(), func(batch []challenge.Challenge) error {
		for _, ch := range batch {
			if err := t.Row(openChallengeRow(openChallengeOf(ch))); err != nil {
				return err
			}
		}
		return nil
	})
	if ferr := t.Flush(); err == nil {
		err = ferr
	}
	return err // the status is sent: an error now ends the body early, and is logged
}

// openDataChallengesJSON streams every published challenge as one JSON
// document, with its licence.
func (h *Handler) openDataChallengesJSON(c echo.Context) error {
	if done, err := h.notModified(c); done {
		return err
	}
	list, err := h.startJSONList(c, "pctracker-challenges.json", "challenges")
	if err != nil {
		return err
	}
	err = h.Challenges.EachPublished(c.Request().Context(), func(batch []challenge.Challenge) error {
		for _, ch := range batch {
			if err := list.add(openChallengeOf(ch)); err != nil {
				return err
			}
		}
		return nil
	})
	return list.end(err)
}

// publicReviewer names who filed c as the public reads it: the reviewer
// organisation, or, when it chose not to be named (the service cleared
// its name), what it is.
func publicReviewer(t locale.Translate, c challenge.Challenge) string {
	switch {
	case c.Reviewer != "":
		return c.Reviewer
	case c.ReviewerKind == stakeholder.CivilSociety:
		return t("feed_reviewer_civil_society")
	case c.ReviewerKind == stakeholder.Academia:
		return t("feed_reviewer_academia")
	}
	return t("feed_reviewer_other")
}

// challengeEntry is the feed's entry of a published challenge, worded by t.
func challengeEntry(t locale.Translate, base string, c challenge.Challenge) atomEntry {
	outcome := strings.ToLower(t("challenge_outcome_" + string(c.Outcome)))
	link := fmt.Sprintf("%s/actions/%d#challenge-%d", base, c.ActionID, c.ID)
	who := publicReviewer(t, c)
	summary := t("feed_challenge_summary", map[string]any{"Reviewer": who, "Organisation": c.Organisation, "Year": c.CycleYear, "Outcome": outcome})
	var changed []string
	if c.StageSet != "" {
		changed = append(changed, t("feed_stage_set", map[string]any{"Stage": strings.ToLower(t("stage_" + string(c.StageSet)))}))
	}
	if c.AssuranceSet != "" {
		changed = append(changed, t("feed_assurance_set", map[string]any{"Assurance": strings.ToLower(t("assurance_" + string(c.AssuranceSet)))}))
	}
	if len(changed) > 0 {
		summary += " (" + strings.Join(changed, ", ") + ")"
	}
	updated := c.FiledAt
	if c.PublishedAt != nil {
		updated = *c.PublishedAt
	}
	return atomEntry{Title: t("feed_challenge_title", map[string]any{"Title": c.ActionTitle, "Outcome": outcome}), ID: link,
		Updated: updated.UTC().Format(time.RFC3339), Link: atomLink{Href: link}, Author: who, Summary: summary + "."}
}
