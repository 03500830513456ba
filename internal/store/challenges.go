package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

type claimChallengeRow struct {
	ID            int64 `gorm:"primaryKey"`
	ActionID      int64
	ReviewerID    int64
	FiledBy       *int64
	Grounds       string
	Statement     string
	Evidence      string
	Pseudonymous  bool
	State         string
	Version       int
	FiledAt       time.Time
	ScreenedBy    *int64
	ScreenedAt    *time.Time
	ScreenReason  string
	ReplyDue      *time.Time
	Reply         string
	ReplyEvidence string
	RepliedBy     *int64
	RepliedAt     *time.Time
	Outcome       *string
	Reasons       string
	StageSet      string
	AssuranceSet  string
	DecidedBy     *int64
	DecidedAt     *time.Time
	PublishedBy   *int64
	PublishedAt   *time.Time
}

func (claimChallengeRow) TableName() string { return "challenges" }

// links encodes evidence links as the JSON a challenge's columns hold.
func links(ev []action.Evidence) (string, error) {
	out := make([]snapshotEvidence, len(ev))
	for i, e := range ev {
		out[i] = snapshotEvidence{Kind: string(e.Kind), URL: e.URL, Title: e.Title}
	}
	data, err := json.Marshal(out)
	if err != nil {
		return "", errs.Wrap(errs.Internal, err, "encode evidence links")
	}
	return string(data), nil
}

func unlinks(s string) ([]action.Evidence, error) {
	var in []snapshotEvidence
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "decode evidence links")
	}
	out := make([]action.Evidence, len(in))
	for i, e := range in {
		out[i] = action.Evidence{Kind: action.EvidenceKind(e.Kind), URL: e.URL, Title: e.Title}
	}
	return out, nil
}

func claimChallengeToRow(c challenge.Challenge) (claimChallengeRow, error) {
	ev, err := links(c.Evidence)
	if err != nil {
		return claimChallengeRow{}, err
	}
	reply, err := links(c.ReplyEvidence)
	if err != nil {
		return claimChallengeRow{}, err
	}
	r := claimChallengeRow{ID: c.ID, ActionID: c.ActionID, ReviewerID: c.ReviewerID, FiledBy: nullID(c.FiledBy), Grounds: string(c.Grounds),
		Statement: c.Statement, Evidence: ev, Pseudonymous: c.Pseudonymous, State: string(c.State), Version: c.Version,
		FiledAt: c.FiledAt.UTC(), ScreenedBy: nullID(c.ScreenedBy), ScreenedAt: c.ScreenedAt, ScreenReason: c.ScreenReason,
		ReplyDue: c.ReplyDue, Reply: c.Reply, ReplyEvidence: reply, RepliedBy: nullID(c.RepliedBy), RepliedAt: c.RepliedAt,
		Reasons: c.Reasons, StageSet: string(c.StageSet), AssuranceSet: string(c.AssuranceSet), DecidedBy: nullID(c.DecidedBy),
		DecidedAt: c.DecidedAt, PublishedBy: nullID(c.PublishedBy), PublishedAt: c.PublishedAt}
	if c.Outcome != "" {
		o := string(c.Outcome)
		r.Outcome = &o
	}
	return r, nil
}

// claimChallengeAbout is what a challenge says of its action and
// organisations, read with it.
type claimChallengeAbout struct {
	ID             int64
	ActionTitle    string
	CycleYear      int
	OrganisationID int64
	Organisation   string
	Reviewer       string
	ReviewerKind   string
}

// claimChallengeListRow is a row with what it says of its action and
// organisations.
type claimChallengeListRow struct {
	claimChallengeRow
	claimChallengeAbout
}

func (r claimChallengeListRow) domain() (challenge.Challenge, error) {
	ev, err := unlinks(r.Evidence)
	if err != nil {
		return challenge.Challenge{}, err
	}
	reply, err := unlinks(r.ReplyEvidence)
	if err != nil {
		return challenge.Challenge{}, err
	}
	c := challenge.Challenge{ActionID: r.ActionID, ReviewerID: r.ReviewerID, FiledBy: idOf(r.FiledBy),
		Grounds: challenge.Grounds(r.Grounds), Statement: r.Statement, Evidence: ev, Pseudonymous: r.Pseudonymous,
		State: challenge.State(r.State), Version: r.Version, FiledAt: r.FiledAt.UTC(), ScreenedBy: idOf(r.ScreenedBy),
		ScreenedAt: utc(r.ScreenedAt), ScreenReason: r.ScreenReason, ReplyDue: utc(r.ReplyDue), Reply: r.Reply,
		ReplyEvidence: reply, RepliedBy: idOf(r.RepliedBy), RepliedAt: utc(r.RepliedAt), Reasons: r.Reasons,
		StageSet: action.Stage(r.StageSet), AssuranceSet: action.Assurance(r.AssuranceSet), DecidedBy: idOf(r.DecidedBy),
		DecidedAt: utc(r.DecidedAt), PublishedBy: idOf(r.PublishedBy), PublishedAt: utc(r.PublishedAt),
		ID: r.claimChallengeRow.ID, ActionTitle: r.ActionTitle, CycleYear: r.CycleYear, OrganisationID: r.OrganisationID, Organisation: r.Organisation,
		Reviewer: r.Reviewer, ReviewerKind: stakeholder.Kind(r.ReviewerKind)}
	if r.Outcome != nil {
		c.Outcome = challenge.Outcome(*r.Outcome)
	}
	return c, nil
}

// FileClaimChallenge inserts c and sets its ID.
func (db *DB) FileClaimChallenge(ctx context.Context, c *challenge.Challenge) error {
	r, err := claimChallengeToRow(*c)
	if err != nil {
		return err
	}
	if err := db.conn(ctx).Create(&r).Error; err != nil {
		if isUnique(err) {
			return &errs.Error{Kind: errs.Conflict, Message: "your organisation's challenge of this action is still pending", Err: err}
		}
		return translate(err)
	}
	c.ID = r.ID
	return nil
}

// UpdateClaimChallenge writes c if its stored version is still expected.
func (db *DB) UpdateClaimChallenge(ctx context.Context, c *challenge.Challenge, expected int) error {
	r, err := claimChallengeToRow(*c)
	if err != nil {
		return err
	}
	q := db.conn(ctx).Select("*").Omit("id", "action_id", "reviewer_id", "filed_by", "filed_at")
	return translate(updateVersioned(q, &r, c.ID, expected, "this challenge"))
}

// claimChallenges selects challenges, joined to their actions for the
// filters that need them.
func (db *DB) claimChallenges(ctx context.Context) *gorm.DB {
	return db.conn(ctx).Table("challenges").Joins("JOIN actions ON actions.id = challenges.action_id")
}

// withAbout reads what rows say of their actions and organisations, in one
// query for them all.
func (db *DB) withAbout(ctx context.Context, rows []claimChallengeRow) ([]challenge.Challenge, error) {
	if len(rows) == 0 {
		return []challenge.Challenge{}, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var about []claimChallengeAbout
	if err := db.conn(ctx).Table("challenges").
		Select(`challenges.id, actions.title AS action_title, cycles.year AS cycle_year, actions.stakeholder_id AS organisation_id,
			orgs.name AS organisation, reviewers.name AS reviewer, reviewers.kind AS reviewer_kind`).
		Joins("JOIN actions ON actions.id = challenges.action_id").
		Joins("JOIN cycles ON cycles.id = actions.cycle_id").
		Joins("JOIN stakeholders orgs ON orgs.id = actions.stakeholder_id").
		Joins("JOIN stakeholders reviewers ON reviewers.id = challenges.reviewer_id").
		Where("challenges.id IN ?", ids).Scan(&about).Error; err != nil {
		return nil, translate(err)
	}
	byID := make(map[int64]claimChallengeAbout, len(about))
	for _, a := range about {
		byID[a.ID] = a
	}
	out := make([]challenge.Challenge, len(rows))
	for i, r := range rows {
		c, err := claimChallengeListRow{r, byID[r.ID]}.domain()
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// ClaimChallenge returns one challenge.
func (db *DB) ClaimChallenge(ctx context.Context, id int64) (challenge.Challenge, error) {
	var r claimChallengeRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return challenge.Challenge{}, notFound(err, "no challenge %d", id)
	}
	out, err := db.withAbout(ctx, []claimChallengeRow{r})
	if err != nil {
		return challenge.Challenge{}, err
	}
	return out[0], nil
}

// ClaimChallenges lists challenges, the newest filed first (published ones
// by their publication).
func (db *DB) ClaimChallenges(ctx context.Context, f challenge.Filter) ([]challenge.Challenge, int, error) {
	q := db.claimChallenges(ctx)
	if f.State != "" {
		q = q.Where("challenges.state = ?", string(f.State))
	}
	if f.ActionID != 0 {
		q = q.Where("challenges.action_id = ?", f.ActionID)
	}
	if !f.PublicOn.IsZero() {
		q = q.Where("challenges.action_id IN (SELECT id FROM actions WHERE "+publicActionCondition+")", date.Day(f.PublicOn))
	}
	if f.AfterID != 0 {
		q = q.Where("challenges.id > ?", f.AfterID)
	}
	if f.Party != 0 {
		q = q.Where("(challenges.reviewer_id = ? OR (actions.stakeholder_id = ? AND challenges.state IN ('open', 'decided', 'published')))",
			f.Party, f.Party)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err)
	}
	order := "challenges.filed_at DESC, challenges.id DESC"
	switch {
	case f.ByID:
		order = "challenges.id"
	case f.Published:
		order = "challenges.published_at DESC, challenges.id DESC"
	}
	var rows []claimChallengeRow
	if err := q.Select("challenges.*").Order(order).Limit(limit(f.Limit)).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, translate(err)
	}
	out, err := db.withAbout(ctx, rows)
	return out, int(total), err
}

// ReportChallenges returns the challenges of the public actions a report
// of the cycle counts (those accepted strictly before before, as
// EachReportAction reads them) published strictly before before, by id.
func (db *DB) ReportChallenges(ctx context.Context, cycleID int64, before time.Time) ([]challenge.Challenge, error) {
	var rows []claimChallengeRow
	if err := db.claimChallenges(ctx).Select("challenges.*").
		Where(reportAccepted+" AND actions.visibility = 'public'", cycleID, before.UTC()).
		Where("challenges.state = ? AND challenges.published_at < ?", string(challenge.Published), before.UTC()).
		Order("challenges.id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	return db.withAbout(ctx, rows)
}
