// Package user is about the people who sign in: the secretariat, and the
// members and focal points of supporting organisations; and the API tokens
// machine clients use on their behalf.
package user

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/text"
)

// Role is what a person is to pctracker.
type Role string

const (
	Secretariat Role = "secretariat"
	Supporter   Role = "supporter"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == Secretariat || r == Supporter }

// OrgRole is what a supporter is to their organisation.
type OrgRole string

const (
	Member     OrgRole = "member"
	FocalPoint OrgRole = "focal_point" // certifies and submits the organisation's report
)

// Valid reports whether r is a known organisation role.
func (r OrgRole) Valid() bool { return r == Member || r == FocalPoint }

// User is a person with an account.
type User struct {
	ID            int64
	Email         string
	Name          string
	Role          Role
	StakeholderID int64 // supporters only
	OrgRole       OrgRole
	PasswordHash  string
	Disabled      bool
	// OrgInactive: the person's organisation is deactivated, which keeps
	// them out until it is active again (read with the user, never set).
	OrgInactive bool
	// Lang is the language pctracker writes to the person in: the one they
	// chose (LangChosen), or else the one they last used; "" until known.
	Lang       string
	LangChosen bool
	NoticesOff []Notice // the kinds of notice the person turned off
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Notice is a kind of mail pctracker sends about the workflow; a person
// may turn each off. Security notices (a changed password, a second step
// set up or used) are not among them: they are always sent.
type Notice string

const (
	NoticeChangesRequested Notice = "changes_requested" // the secretariat sent an action back
	NoticeAccepted         Notice = "accepted"          // the day's digest of accepted actions
	NoticeSubmitted        Notice = "submitted"         // a receipt for what was submitted
	NoticeReportPublished  Notice = "report_published"
	NoticeExtension        Notice = "extension_granted"
	NoticeEvidenceBroken   Notice = "evidence_broken" // an evidence link of ours stopped answering
)

// Notices lists the kinds of notice, in the order the account page shows.
var Notices = []Notice{NoticeChangesRequested, NoticeAccepted, NoticeSubmitted, NoticeReportPublished, NoticeExtension,
	NoticeEvidenceBroken}

// Valid reports whether n is a known kind of notice.
func (n Notice) Valid() bool { return slices.Contains(Notices, n) }

// Wants reports whether the person is to be told of n.
func (u User) Wants(n Notice) bool { return !u.Disabled && !slices.Contains(u.NoticesOff, n) }

// Language is the language to write to the person in.
func (u User) Language() string {
	if u.Lang == "" {
		return "en"
	}
	return u.Lang
}

// MaySignIn tells whether the person may be signed in, by a session or a
// token: not when their account is disabled, nor while their organisation
// is deactivated. It is asked at sign-in (after the password, so that the
// clear message tells nothing to strangers) and at every use of a session
// or token, so that a deactivation holds at once.
func (u User) MaySignIn() error {
	switch {
	case u.Disabled:
		return errs.E(errs.Unauthorized, "this account is disabled")
	case u.OrgInactive:
		return errs.E(errs.Forbidden, "your organisation's access to pctracker is suspended: the secretariat has deactivated it; ask the secretariat to reactivate it")
	}
	return nil
}

// Actor returns the user as the author of a change.
func (u User) Actor() Actor {
	return Actor{UserID: u.ID, Name: u.Email, Role: u.Role, StakeholderID: u.StakeholderID, OrgRole: u.OrgRole}
}

// Actor is who performs a call: a signed-in user, a token's user, or the
// system itself (the command line, the scheduler).
type Actor struct {
	UserID        int64
	Name          string
	Role          Role
	StakeholderID int64
	OrgRole       OrgRole
}

// System returns the actor for work done by the program itself.
func System(name string) Actor { return Actor{Name: name, Role: Secretariat} }

// Label names the actor in the audit log.
func (a Actor) Label() string {
	if a.Name != "" {
		return a.Name
	}
	return fmt.Sprintf("user %d", a.UserID)
}

// Input is what is set on a new user.
type Input struct {
	Email         string
	Name          string
	Role          Role
	StakeholderID int64
	OrgRole       OrgRole
	Password      string // empty: the person sets it from an invitation
}

// MinPasswordLength follows NIST SP 800-63B, raised for accounts that guard
// a state's record.
const MinPasswordLength = 12

// Normalize trims text and lower-cases the email address.
func (in *Input) Normalize() {
	in.Email = strings.TrimSpace(in.Email)
	if utf8.ValidString(in.Email) { // ToLower would turn bad bytes into U+FFFD, which Validate must see as they are
		in.Email = strings.ToLower(in.Email)
	}
	in.Name = strings.Join(strings.Fields(in.Name), " ")
}

// Validate returns field errors for everything wrong with in.
func (in Input) Validate() error {
	f := errs.FieldErrors{}
	f.Text("email", in.Email, true, 254)
	if in.Email != "" && !validEmail(in.Email) {
		f.Addf("email", "%q is not an email address", in.Email)
	}
	f.Text("name", in.Name, true, 200)
	switch in.Role {
	case Secretariat:
		if in.StakeholderID != 0 {
			f.Add("stakeholder", "the secretariat belongs to no organisation")
		}
		if in.OrgRole != "" {
			f.Add("org_role", "only supporters have an organisation role")
		}
	case Supporter:
		if in.StakeholderID == 0 {
			f.Add("stakeholder", "a supporter must belong to an organisation")
		}
		if !in.OrgRole.Valid() {
			f.Addf("org_role", "must be %s or %s", Member, FocalPoint)
		}
	case "":
		f.Add("role", "is required")
	default:
		f.Addf("role", "%q is not %s or %s", in.Role, Secretariat, Supporter)
	}
	if in.Password != "" {
		if msg := text.Check(in.Password, false); msg != "" {
			f.Add("password", msg)
		} else if utf8.RuneCountInString(in.Password) < MinPasswordLength {
			f.Addf("password", "must be at least %d characters", MinPasswordLength)
		} else if len(in.Password) > 1024 {
			f.Add("password", "must be at most 1024 bytes")
		}
	}
	return f.Err()
}

// validEmail accepts a bare address (no display name) whose domain has a dot.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	at := strings.LastIndex(s, "@")
	return err == nil && a.Address == s && at > 0 && strings.Contains(s[at:], ".")
}

// Token is an API token; only a hash of its secret is stored.
type Token struct {
	ID         int64
	UserID     int64
	Name       string
	Hash       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Filter narrows a listing.
type Filter struct {
	StakeholderID int64
	Role          Role
	Limit         int
	Offset        int
}

type actorKey struct{}

// WithActor returns ctx carrying who makes the request.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns who makes the request, if anyone signed in.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok && a.UserID != 0
}

// IsSystem reports whether the actor is the program itself (the command
// line, the demo, the scheduler), which acts with the secretariat's rights.
// No HTTP request is ever given this actor.
func (a Actor) IsSystem() bool { return a.UserID == 0 && a.Role == Secretariat }

// ReadVersion is the version an edit by the actor was made on: the one it
// names, or current when the program itself names none, as it reads
// nothing before it edits. A person's edit always names the version it
// read, so that none is lost.
func (a Actor) ReadVersion(version, current int) int {
	if version == 0 && a.IsSystem() {
		return current
	}
	return version
}

// IsSecretariat reports whether the actor has the secretariat's rights.
func (a Actor) IsSecretariat() bool { return a.Role == Secretariat }

// RequireSecretariat lets the secretariat through, and refuses anyone else
// with the reason given, such as "reporting cycles are run by the
// secretariat": a supporter is forbidden, someone not signed in is asked to
// sign in.
func (a Actor) RequireSecretariat(reason string) error {
	switch {
	case a.IsSecretariat():
		return nil
	case a.Role == Supporter:
		return errs.E(errs.Forbidden, "%s", reason)
	}
	return errs.E(errs.Unauthorized, "sign in first: %s", reason)
}

// Supports reports whether the actor is a supporter of that organisation.
func (a Actor) Supports(stakeholderID int64) bool {
	return a.Role == Supporter && stakeholderID != 0 && a.StakeholderID == stakeholderID
}

// IsFocalPoint reports whether the actor certifies its organisation's report.
func (a Actor) IsFocalPoint() bool { return a.Role == Supporter && a.OrgRole == FocalPoint }
