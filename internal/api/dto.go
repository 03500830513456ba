package api

import (
	"time"

	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
)

// The JSON forms of pctracker's objects, shared by the API and the command
// line's --json output so that both speak the same format.

type stakeholderDTO struct {
	ID             int64     `json:"id"`
	Name           string    `json:"name"`
	Kind           string    `json:"kind"`
	Country        string    `json:"country"`
	Website        string    `json:"website,omitempty"`
	SupporterSince *dateDTO  `json:"supporter_since,omitempty"`
	Verified       bool      `json:"verified"`
	Active         bool      `json:"active"`
	Reviewer       bool      `json:"reviewer"`
	ReviewerSince  *dateDTO  `json:"reviewer_since"` // null when not a reviewer
	ReviewerUntil  *dateDTO  `json:"reviewer_until"` // null: no end
	Version        int       `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// StakeholderDTO is the JSON form of an organisation.
func StakeholderDTO(s stakeholder.Stakeholder) any {
	d := stakeholderDTO{ID: s.ID, Name: s.Name, Kind: string(s.Kind), Country: s.Country, Website: s.Website,
		Verified: s.Verified, Active: s.Active, Reviewer: s.Reviewer, ReviewerSince: optionalDate(s.ReviewerSince),
		ReviewerUntil: optionalDate(s.ReviewerUntil), Version: s.Version, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
	if s.SupporterSince != nil {
		v := dateDTO(*s.SupporterSince)
		d.SupporterSince = &v
	}
	return d
}

type userDTO struct {
	ID            int64     `json:"id"`
	Email         string    `json:"email"`
	Name          string    `json:"name"`
	Role          string    `json:"role"`
	StakeholderID int64     `json:"stakeholder_id,omitempty"`
	OrgRole       string    `json:"org_role,omitempty"`
	PasswordSet   bool      `json:"password_set"`
	Disabled      bool      `json:"disabled"`
	CreatedAt     time.Time `json:"created_at"`
}

// UserDTO is the JSON form of a user; the password hash never leaves.
func UserDTO(u user.User) any {
	return userDTO{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), StakeholderID: u.StakeholderID,
		OrgRole: string(u.OrgRole), PasswordSet: u.PasswordHash != "", Disabled: u.Disabled, CreatedAt: u.CreatedAt}
}

type cycleDTO struct {
	ID        int64     `json:"id"`
	Year      int       `json:"year"`
	Status    string    `json:"status"`
	Version   int       `json:"version"`
	OpensAt   dateDTO   `json:"opens_at"`
	Deadline  dateDTO   `json:"deadline"`
	ReportAt  dateDTO   `json:"report_at"`
	ForumDate dateDTO   `json:"forum_date"`
	Embargo   string    `json:"embargo"`
	Evidence  string    `json:"evidence"`
	CreatedAt time.Time `json:"created_at"`
}

// CycleDTO is the JSON form of a cycle, with its status on the day now.
func CycleDTO(c cycle.Cycle, now time.Time) any {
	return cycleDTO{ID: c.ID, Year: c.Year, Status: string(c.StatusOn(now)), Version: c.Version, OpensAt: dateDTO(c.OpensAt), Deadline: dateDTO(c.Deadline),
		ReportAt: dateDTO(c.ReportAt), ForumDate: dateDTO(c.ForumDate), Embargo: string(c.Embargo),
		Evidence: string(c.Evidence), CreatedAt: c.CreatedAt}
}

// dateDTO is a calendar day, written as YYYY-MM-DD.
type dateDTO time.Time

func (d dateDTO) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(d).Format(time.DateOnly) + `"`), nil
}
