package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
)

type verificationRow struct {
	ID            int64 `gorm:"primaryKey"`
	ActionID      int64
	Version       int
	StakeholderID int64
	UserID        *int64
	Note          string
	Evidence      string    // JSON: [{kind, url, title}]
	CreatedAt     time.Time `gorm:"autoCreateTime:false"`
}

func (verificationRow) TableName() string { return "verifications" }

// AddVerification stores a reviewer organisation's confirmation of an
// action and sets its ID.
func (db *DB) AddVerification(ctx context.Context, v *action.Verification) error {
	links := make([]snapshotEvidence, len(v.Evidence))
	for i, e := range v.Evidence {
		links[i] = snapshotEvidence{Kind: string(e.Kind), URL: e.URL, Title: e.Title}
	}
	data, err := json.Marshal(links)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "encode the evidence of a verification")
	}
	r := verificationRow{ActionID: v.ActionID, Version: v.Version, StakeholderID: v.StakeholderID, UserID: nullID(v.UserID),
		Note: v.Note, Evidence: string(data), CreatedAt: v.At.UTC()}
	if err := db.conn(ctx).Create(&r).Error; err != nil {
		return translate(err)
	}
	v.ID = r.ID
	return nil
}

// Verifications returns the confirmations of an action, oldest first,
// with the name of each reviewer organisation.
func (db *DB) Verifications(ctx context.Context, actionID int64) ([]action.Verification, error) {
	var rows []verificationRow
	if err := db.conn(ctx).Where("action_id = ?", actionID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	names := map[int64]string{}
	if len(rows) > 0 {
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.StakeholderID
		}
		var orgs []stakeholderRow
		if err := db.conn(ctx).Select("id", "name").Where("id IN ?", ids).Find(&orgs).Error; err != nil {
			return nil, translate(err)
		}
		for _, o := range orgs {
			names[o.ID] = o.Name
		}
	}
	out := make([]action.Verification, len(rows))
	for i, r := range rows {
		var links []snapshotEvidence
		if err := json.Unmarshal([]byte(r.Evidence), &links); err != nil {
			return nil, errs.Wrap(errs.Internal, err, "decode the evidence of verification %d", r.ID)
		}
		v := action.Verification{ID: r.ID, ActionID: r.ActionID, Version: r.Version, StakeholderID: r.StakeholderID,
			Reviewer: names[r.StakeholderID], UserID: idOf(r.UserID), Note: r.Note, At: r.CreatedAt.UTC(), Evidence: []action.Evidence{}}
		for _, e := range links {
			v.Evidence = append(v.Evidence, action.Evidence{Kind: action.EvidenceKind(e.Kind), URL: e.URL, Title: e.Title})
		}
		out[i] = v
	}
	return out, nil
}
