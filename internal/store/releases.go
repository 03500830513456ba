package store

import (
	"context"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/release"
)

type releaseRow struct {
	ID            int64 `gorm:"primaryKey"`
	ReportID      int64
	Year          int
	N             int `gorm:"column:n"`
	Changelog     string
	SHA256        string `gorm:"column:sha256"`
	Size          int64
	Actions       int
	Organisations int
	DOI           string    `gorm:"column:doi"`
	CreatedAt     time.Time `gorm:"autoCreateTime:false"`
	CreatedBy     *int64
}

func (releaseRow) TableName() string { return "releases" }

func releaseFromRow(r releaseRow) release.Release {
	out := release.Release{ID: r.ID, ReportID: r.ReportID, Year: r.Year, N: r.N, Changelog: r.Changelog, SHA256: r.SHA256,
		Size: r.Size, Actions: r.Actions, Organisations: r.Organisations, DOI: r.DOI, CreatedAt: r.CreatedAt.UTC()}
	if r.CreatedBy != nil {
		out.CreatedBy = *r.CreatedBy
	}
	return out
}

// CreateRelease stores r, numbered by the caller (the next of its year):
// two corrections made at once both read the same next number, and the
// second is refused as a conflict by the unique (year, n).
func (db *DB) CreateRelease(ctx context.Context, r *release.Release) error {
	row := releaseRow{ReportID: r.ReportID, Year: r.Year, N: r.N, Changelog: r.Changelog, SHA256: r.SHA256, Size: r.Size,
		Actions: r.Actions, Organisations: r.Organisations, DOI: r.DOI, CreatedAt: r.CreatedAt.UTC()}
	if r.CreatedBy != 0 {
		row.CreatedBy = &r.CreatedBy
	}
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		if errs.Is(translate(err), errs.Conflict) {
			return errs.E(errs.Conflict, "release %s was just published by someone else: reload and try again", r.Version())
		}
		return translate(err)
	}
	r.ID = row.ID
	return nil
}

// Releases lists every release, newest first (by year, then number).
func (db *DB) Releases(ctx context.Context) ([]release.Release, error) {
	var rows []releaseRow
	if err := db.conn(ctx).Order("year DESC, n DESC").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]release.Release, len(rows))
	for i, r := range rows {
		out[i] = releaseFromRow(r)
	}
	return out, nil
}

// ReleaseByVersion finds one release.
func (db *DB) ReleaseByVersion(ctx context.Context, year, n int) (release.Release, error) {
	var r releaseRow
	if err := db.conn(ctx).Where("year = ? AND n = ?", year, n).Take(&r).Error; err != nil {
		return release.Release{}, notFound(err, "no release %s", release.Version(year, n))
	}
	return releaseFromRow(r), nil
}

// SetReleaseDOI records a release's DOI, the one thing of it that changes.
func (db *DB) SetReleaseDOI(ctx context.Context, id int64, doi string) error {
	res := db.conn(ctx).Model(&releaseRow{}).Where("id = ?", id).Update("doi", doi)
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.E(errs.NotFound, "no release %d", id)
	}
	return nil
}
