package ui

import (
	"context"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// PublicChallenges is what the public pages need of challenges: the
// published ones, as the public reads them.
type PublicChallenges interface {
	Published(ctx context.Context, f challenge.Filter) ([]challenge.Challenge, int, error)
}

// publicChallenge is a published challenge as the action's public page
// shows it, its texts rendered.
type publicChallenge struct {
	challenge.Challenge
	By            string // the reviewer, or what it is when it chose not to be named
	StatementHTML template.HTML
	ReplyHTML     template.HTML
	ReasonsHTML   template.HTML
}

// reviewerLabel names who filed c for the public: the reviewer
// organisation, or, when it chose not to be named (the service cleared
// its name), what it is, in the page's language.
func reviewerLabel(tr func(string, ...any) string, c challenge.Challenge) string {
	switch {
	case c.Reviewer != "":
		return c.Reviewer
	case c.ReviewerKind == stakeholder.CivilSociety, c.ReviewerKind == stakeholder.Academia:
		return tr("public_challenge_reviewer_" + string(c.ReviewerKind))
	}
	return tr("public_challenge_reviewer_other")
}

// publicChallenges reads the published challenges of a public action,
// oldest first (the order they were decided in, as the page tells
// them), and their structured data.
func (h *Handler) publicChallenges(c echo.Context, a action.Action) ([]publicChallenge, []claimReview, error) {
	list, _, err := h.PublicChallenges.Published(c.Request().Context(), challenge.Filter{ActionID: a.ID, Limit: 100})
	if err != nil {
		return nil, nil, err
	}
	lang := langOf(c)
	tr := h.renderer.tr[lang]
	out := make([]publicChallenge, 0, len(list))
	reviews := make([]claimReview, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		ch := list[i]
		p := publicChallenge{Challenge: ch, By: reviewerLabel(tr, ch), StatementHTML: h.Markdown.HTML(ch.Statement),
			ReasonsHTML: h.Markdown.HTML(ch.Reasons)}
		if ch.RepliedAt != nil {
			p.ReplyHTML = h.Markdown.HTML(ch.Reply)
		}
		out = append(out, p)
		reviews = append(reviews, h.claimReviewOf(tr, lang, a, p))
	}
	return out, reviews, nil
}

// claimReview is a published challenge as schema.org's ClaimReview, for
// search engines and fact-check tools. Google's guidance for it: the
// claim reviewed, the rating's alternateName (the verdict in words) and
// the page's url are required; the author, the date and the item reviewed
// (a Claim, with its author and where it appears) are recommended; a page
// may carry several, one for each review. The page writes each in a
// <script type="application/ld+json">, where html/template writes the
// value as JSON with <, > and & escaped: no text can end the script.
type claimReview struct {
	Context       string       `json:"@context"`
	Type          string       `json:"@type"`
	URL           string       `json:"url"`
	ClaimReviewed string       `json:"claimReviewed"`
	ItemReviewed  claim        `json:"itemReviewed"`
	Author        schemaThing  `json:"author"`
	Publisher     schemaThing  `json:"publisher"`
	ReviewRating  schemaRating `json:"reviewRating"`
	ReviewBody    string       `json:"reviewBody"`
	DatePublished string       `json:"datePublished"`
	InLanguage    string       `json:"inLanguage"`
}

type claim struct {
	Type          string      `json:"@type"`
	Author        schemaThing `json:"author"`
	DatePublished string      `json:"datePublished,omitempty"`
	Appearance    string      `json:"appearance"`
}

type schemaThing struct {
	Type string `json:"@type"`
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type schemaRating struct {
	Type          string `json:"@type"`
	AlternateName string `json:"alternateName"`
}

// claimReviewOf describes p, a published challenge of the public action
// a. Its author is the reviewer organisation, or, when it chose not to be
// named, a generic organisation of its kind, with no address: never the
// name the service cleared. Its reviewBody is the reviewer's statement, as
// written (Markdown); the rating is the secretariat's outcome.
func (h *Handler) claimReviewOf(tr func(string, ...any) string, lang string, a action.Action, p publicChallenge) claimReview {
	base := strings.TrimRight(h.BaseURL, "/")
	page := fmt.Sprintf("%s/actions/%d", base, a.ID)
	author := schemaThing{Type: "Organization", Name: p.By}
	if p.ReviewerID != 0 {
		author.URL = fmt.Sprintf("%s/organisations/%d", base, p.ReviewerID)
	}
	r := claimReview{Context: "https://schema.org", Type: "ClaimReview", URL: fmt.Sprintf("%s#challenge-%d", page, p.ID),
		ClaimReviewed: a.Title, Author: author, InLanguage: lang, ReviewBody: p.Statement,
		Publisher:    schemaThing{Type: "Organization", Name: tr("site_name"), URL: base + "/"},
		ReviewRating: schemaRating{Type: "Rating", AlternateName: tr("public_challenge_rating_" + string(p.Outcome))},
		ItemReviewed: claim{Type: "Claim", Appearance: page,
			Author: schemaThing{Type: "Organization", Name: a.Organisation, URL: fmt.Sprintf("%s/organisations/%d", base, a.StakeholderID)}}}
	if a.AcceptedAt != nil {
		r.ItemReviewed.DatePublished = a.AcceptedAt.UTC().Format(time.RFC3339)
	}
	if p.PublishedAt != nil {
		r.DatePublished = p.PublishedAt.UTC().Format(time.RFC3339)
	}
	return r
}
