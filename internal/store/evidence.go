package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/evidence"
	"github.com/pctracker/pctracker/internal/store/dburl"
)

type blobRow struct {
	SHA256      string `gorm:"column:sha256;primaryKey"`
	Size        int64
	StoredSize  int64
	Encoding    string
	ContentType string
	Content     []byte
	CreatedAt   time.Time `gorm:"autoCreateTime:false"`
}

func (blobRow) TableName() string { return "blobs" }

type evidenceLinkRow struct {
	ActionID       int64  `gorm:"primaryKey"`
	URL            string `gorm:"column:url;primaryKey"`
	State          string
	CapturedSHA256 *string `gorm:"column:captured_sha256"`
	CapturedAt     *time.Time
	CheckedAt      *time.Time
	HTTPStatus     int    `gorm:"column:http_status"`
	FinalURL       string `gorm:"column:final_url"`
	SHA256         string `gorm:"column:sha256"`
	Failures       int
	FirstFailureAt *time.Time
	NextCheckAt    time.Time
	BrokenNoticed  bool
}

func (evidenceLinkRow) TableName() string { return "evidence_links" }

func (r evidenceLinkRow) domain() evidence.Link {
	l := evidence.Link{ActionID: r.ActionID, URL: r.URL, State: evidence.State(r.State), CapturedAt: utc(r.CapturedAt),
		CheckedAt: utc(r.CheckedAt), HTTPStatus: r.HTTPStatus, FinalURL: r.FinalURL, SHA256: r.SHA256, Failures: r.Failures,
		FirstFailureAt: utc(r.FirstFailureAt), NextCheckAt: r.NextCheckAt.UTC(), BrokenNoticed: r.BrokenNoticed}
	if r.CapturedSHA256 != nil {
		l.CapturedSHA256 = *r.CapturedSHA256
	}
	return l
}

func evidenceLinkRowOf(l evidence.Link) evidenceLinkRow {
	r := evidenceLinkRow{ActionID: l.ActionID, URL: l.URL, State: string(l.State), CapturedAt: l.CapturedAt, CheckedAt: l.CheckedAt,
		HTTPStatus: l.HTTPStatus, FinalURL: l.FinalURL, SHA256: l.SHA256, Failures: l.Failures, FirstFailureAt: l.FirstFailureAt,
		NextCheckAt: l.NextCheckAt.UTC(), BrokenNoticed: l.BrokenNoticed}
	if l.CapturedSHA256 != "" {
		r.CapturedSHA256 = &l.CapturedSHA256
	}
	return r
}

type evidenceCheckRow struct {
	ID          int64 `gorm:"primaryKey"`
	ActionID    int64
	URL         string `gorm:"column:url"`
	CheckedAt   time.Time
	HTTPStatus  int `gorm:"column:http_status"`
	Error       string
	FinalURL    string `gorm:"column:final_url"`
	ContentType string
	Size        int64
	SHA256      string `gorm:"column:sha256"`
	State       string
}

func (evidenceCheckRow) TableName() string { return "evidence_checks" }

// TrackEvidence starts following links; a link already followed is left
// as it is.
func (db *DB) TrackEvidence(ctx context.Context, links []evidence.Link) error {
	if len(links) == 0 {
		return nil
	}
	rows := make([]evidenceLinkRow, len(links))
	for i, l := range links {
		rows[i] = evidenceLinkRowOf(l)
	}
	return translate(db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error)
}

// ClaimDueLinks claims up to limit links of public accepted actions (of
// one, unless actionID is 0) due at now, moving each one's next check to
// lease: a conditional update that commits at once, outside any
// transaction of ctx, so that another checker sees the claim and leaves the
// link alone until the lease ends (a checker that died gives its links
// back that way). A link another checker claimed between the read and the
// update is not this one's: it reads again, so that it returns nothing
// only when nothing due is left, not when it lost a race (its caller takes
// nothing for nothing left and stops).
func (db *DB) ClaimDueLinks(ctx context.Context, actionID int64, now, lease time.Time, limit int) ([]evidence.Link, error) {
	conn := db.gorm.WithContext(ctx)
	for {
		q := conn.Where("next_check_at <= ? AND action_id IN (SELECT id FROM actions WHERE "+publicActionCondition+")", now.UTC(), date.Day(now))
		if actionID != 0 {
			q = q.Where("action_id = ?", actionID)
		}
		var due []evidenceLinkRow
		if err := q.Order("next_check_at, action_id, url").Limit(limit).Find(&due).Error; err != nil {
			return nil, translate(err)
		}
		var out []evidence.Link
		for _, r := range due {
			res := conn.Model(&evidenceLinkRow{}).Where("action_id = ? AND url = ? AND next_check_at = ?", r.ActionID, r.URL, r.NextCheckAt).
				Update("next_check_at", lease.UTC())
			if res.Error != nil {
				return out, translate(res.Error)
			}
			if res.RowsAffected == 1 {
				r.NextCheckAt = lease.UTC()
				out = append(out, r.domain())
			}
		}
		// Each link lost moved past now, so the next read does not see it
		// again: this ends.
		if len(out) > 0 || len(due) == 0 {
			return out, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// SaveCheck records a check of a claimed link, in the transaction of ctx:
// the check and the link as it now stands. It reports false, and writes
// nothing, when the claim the link was read with no longer holds.
func (db *DB) SaveCheck(ctx context.Context, claimed, now evidence.Link, c evidence.Check) (bool, error) {
	conn := db.conn(ctx)
	r := evidenceLinkRowOf(now)
	res := conn.Model(&evidenceLinkRow{}).Where("action_id = ? AND url = ? AND next_check_at = ?", claimed.ActionID, claimed.URL, claimed.NextCheckAt.UTC()).
		Select("state", "captured_sha256", "captured_at", "checked_at", "http_status", "final_url", "sha256", "failures",
			"first_failure_at", "next_check_at", "broken_noticed").Updates(&r)
	if res.Error != nil {
		return false, translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	row := evidenceCheckRow{ActionID: c.ActionID, URL: c.URL, CheckedAt: c.CheckedAt.UTC(), HTTPStatus: c.HTTPStatus, Error: c.Error,
		FinalURL: c.FinalURL, ContentType: c.ContentType, Size: c.Size, SHA256: c.SHA256, State: string(c.State)}
	return true, translate(conn.Create(&row).Error)
}

// SyncEvidence makes the followed links of an action its evidence as it
// now stands, due at due: links it no longer gives are no longer followed
// (nor their copy served), new ones start, and the others are checked
// again, as at any acceptance.
func (db *DB) SyncEvidence(ctx context.Context, actionID int64, urls []string, due time.Time) error {
	conn := db.conn(ctx)
	gone := conn.Where("action_id = ?", actionID)
	if len(urls) > 0 {
		gone = gone.Where("url NOT IN ?", urls)
	}
	if err := gone.Delete(&evidenceLinkRow{}).Error; err != nil {
		return translate(err)
	}
	if len(urls) == 0 {
		return nil
	}
	if err := conn.Model(&evidenceLinkRow{}).Where("action_id = ? AND url IN ?", actionID, urls).
		Update("next_check_at", due.UTC()).Error; err != nil {
		return translate(err)
	}
	links := make([]evidence.Link, len(urls))
	for i, u := range urls {
		links[i] = evidence.Link{ActionID: actionID, URL: u, State: evidence.Pending, NextCheckAt: due}
	}
	return db.TrackEvidence(ctx, links)
}

// PutBlob stores a body once, in the transaction of ctx.
func (db *DB) PutBlob(ctx context.Context, b evidence.Blob, at time.Time) error {
	return db.putBlob(db.conn(ctx), b, at)
}

// putBlob stores a body once, compressed when that saves space.
func (db *DB) putBlob(conn *gorm.DB, b evidence.Blob, at time.Time) error {
	content, encoding := b.Data, "identity"
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b.Data); err == nil && zw.Close() == nil && buf.Len() < len(b.Data) {
		content, encoding = buf.Bytes(), "gzip"
	}
	row := blobRow{SHA256: b.SHA256, Size: int64(len(b.Data)), StoredSize: int64(len(content)), Encoding: encoding,
		ContentType: b.ContentType, Content: content, CreatedAt: at.UTC()}
	return translate(conn.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error)
}

// Blob returns a stored copy by its hash.
func (db *DB) Blob(ctx context.Context, sha string) (evidence.Blob, error) {
	var r blobRow
	if err := db.conn(ctx).Where("sha256 = ?", sha).Take(&r).Error; err != nil {
		return evidence.Blob{}, notFound(err, "no copy %s", sha)
	}
	data := r.Content
	if r.Encoding == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(r.Content))
		if err != nil {
			return evidence.Blob{}, errs.Wrap(errs.Internal, err, "copy %s", sha)
		}
		if data, err = io.ReadAll(zr); err != nil {
			return evidence.Blob{}, errs.Wrap(errs.Internal, err, "copy %s", sha)
		}
	}
	return evidence.Blob{SHA256: r.SHA256, ContentType: r.ContentType, Data: data}, nil
}

// PublicCapture returns the earliest link of a public action, on day,
// whose copy captured at acceptance is sha: the copy may be served to
// anyone; a copy only non-public evidence holds is not found.
func (db *DB) PublicCapture(ctx context.Context, sha string, day time.Time) (evidence.Link, error) {
	var r evidenceLinkRow
	err := db.conn(ctx).Where("captured_sha256 = ? AND action_id IN (SELECT id FROM actions WHERE "+publicActionCondition+")",
		sha, date.Day(day)).Order("captured_at, action_id, url").Take(&r).Error
	if err != nil {
		return evidence.Link{}, notFound(err, "no archived copy %s", sha)
	}
	return r.domain(), nil
}

// EvidenceLinks returns the followed links of actions, by action.
func (db *DB) EvidenceLinks(ctx context.Context, actionIDs []int64) (map[int64][]evidence.Link, error) {
	out := map[int64][]evidence.Link{}
	for len(actionIDs) > 0 {
		n := min(len(actionIDs), 500)
		var rows []evidenceLinkRow
		if err := db.conn(ctx).Where("action_id IN ?", actionIDs[:n]).Order("action_id, url").Find(&rows).Error; err != nil {
			return nil, translate(err)
		}
		for _, r := range rows {
			out[r.ActionID] = append(out[r.ActionID], r.domain())
		}
		actionIDs = actionIDs[n:]
	}
	return out, nil
}

// EvidenceChecks returns the checks of an action's links, oldest first.
func (db *DB) EvidenceChecks(ctx context.Context, actionID int64) ([]evidence.Check, error) {
	var rows []evidenceCheckRow
	if err := db.conn(ctx).Where("action_id = ?", actionID).Order("checked_at, id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]evidence.Check, len(rows))
	for i, r := range rows {
		out[i] = evidence.Check{ID: r.ID, ActionID: r.ActionID, URL: r.URL, CheckedAt: r.CheckedAt.UTC(), HTTPStatus: r.HTTPStatus,
			Error: r.Error, FinalURL: r.FinalURL, ContentType: r.ContentType, Size: r.Size, SHA256: r.SHA256, State: evidence.State(r.State)}
	}
	return out, nil
}

// DueNow moves the next check of an action's links (every followed link
// of a public action, for action 0) to at, unless one is due before
// notBefore (soon, or claimed by a check under way, whose claim runs until
// then) or was made within the last minute: a check asked for twice within
// the same minute is one check.
func (db *DB) DueNow(ctx context.Context, actionID int64, at, notBefore time.Time) (int, error) {
	q := db.conn(ctx).Model(&evidenceLinkRow{}).Where("next_check_at > ? AND (checked_at IS NULL OR checked_at < ?)",
		notBefore.UTC(), at.Add(-time.Minute).UTC())
	if actionID != 0 {
		q = q.Where("action_id = ?", actionID)
	} else {
		q = q.Where("action_id IN (SELECT id FROM actions WHERE "+publicActionCondition+")", date.Day(at))
	}
	res := q.Update("next_check_at", at.UTC())
	return int(res.RowsAffected), translate(res.Error)
}

// ArchiveSize tells how many copies the archive holds and the space they
// take.
func (db *DB) ArchiveSize(ctx context.Context) (evidence.Size, error) {
	var s evidence.Size
	err := db.conn(ctx).Model(&blobRow{}).Select("count(*) AS copies, coalesce(sum(size), 0) AS bytes, coalesce(sum(stored_size), 0) AS stored").
		Scan(&s).Error
	return s, translate(err)
}

// EvidenceFlags counts, per organisation, the evidence links of its
// actions of a cycle that are broken or changed.
func (db *DB) EvidenceFlags(ctx context.Context, cycleID int64) (map[int64]evidence.Flags, error) {
	var rows []struct {
		StakeholderID int64
		State         string
		N             int
	}
	err := db.conn(ctx).Raw(`SELECT actions.stakeholder_id, evidence_links.state, count(*) AS n FROM evidence_links
		JOIN actions ON actions.id = evidence_links.action_id
		WHERE actions.cycle_id = ? AND actions.state = 'accepted' AND evidence_links.state IN ('broken', 'changed')
		GROUP BY actions.stakeholder_id, evidence_links.state`, cycleID).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := map[int64]evidence.Flags{}
	for _, r := range rows {
		f := out[r.StakeholderID]
		if r.State == string(evidence.Broken) {
			f.Broken += r.N
		} else {
			f.Changed += r.N
		}
		out[r.StakeholderID] = f
	}
	return out, nil
}

// CountDueLinks counts the links of public accepted actions (of one,
// unless actionID is 0) due at now.
func (db *DB) CountDueLinks(ctx context.Context, actionID int64, now time.Time) (int, error) {
	q := db.conn(ctx).Model(&evidenceLinkRow{}).Where("next_check_at <= ? AND action_id IN (SELECT id FROM actions WHERE "+publicActionCondition+")",
		now.UTC(), date.Day(now))
	if actionID != 0 {
		q = q.Where("action_id = ?", actionID)
	}
	var n int64
	err := q.Count(&n).Error
	return int(n), translate(err)
}

// TrackPublicEvidence follows, due at at, every evidence link of the
// actions the public may see on that day that is not followed yet.
func (db *DB) TrackPublicEvidence(ctx context.Context, at time.Time) (int, error) {
	due := "?"
	if db.engine == dburl.Postgres {
		due = "CAST(? AS timestamptz)" // a bare parameter in a select list would be text
	}
	res := db.conn(ctx).Exec(`INSERT INTO evidence_links (action_id, url, state, next_check_at)
		SELECT DISTINCT evidence.action_id, evidence.url, 'pending', `+due+` FROM evidence
		WHERE evidence.action_id IN (SELECT id FROM actions WHERE `+publicActionCondition+`)
		AND NOT EXISTS (SELECT 1 FROM evidence_links l WHERE l.action_id = evidence.action_id AND l.url = evidence.url)`,
		at.UTC(), date.Day(at))
	return int(res.RowsAffected), translate(res.Error)
}
