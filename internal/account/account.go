// Package account brings people in and back: invitations by the secretariat
// or an organisation's focal point, and password resets, both by a
// single-use link sent by mail. Only the SHA-256 of a link's token is kept.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/mail"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
)

// Purpose is what a link does.
type Purpose string

const (
	Invite Purpose = "invite"
	Reset  Purpose = "reset"
)

// MaxResetsPerHour bounds the reset links one account gets in an hour.
const MaxResetsPerHour = 3

// How long links stay valid: an invitation waits for a busy person; a reset
// link is used at once or not at all.
const (
	InviteLifetime = 7 * 24 * time.Hour
	ResetLifetime  = time.Hour
)

// Token is a link's record.
type Token struct {
	ID        int64
	UserID    int64
	Purpose   Purpose
	Hash      string
	CreatedBy int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// Store is what the service needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	AppendAudit(ctx context.Context, e audit.Entry) error
	CreateUser(ctx context.Context, u *user.User) error
	User(ctx context.Context, id int64) (user.User, error)
	UserByEmail(ctx context.Context, email string) (user.User, error)
	SetPassword(ctx context.Context, userID int64, hash string, at time.Time) error
	Stakeholder(ctx context.Context, id int64) (stakeholder.Stakeholder, error)
	CreateAccountToken(ctx context.Context, t *Token) error
	AccountToken(ctx context.Context, hash string) (Token, error)
	// UseAccountToken marks a token used; false if it already was, so that
	// two uses racing each other cannot both succeed.
	UseAccountToken(ctx context.Context, id int64, at time.Time) (bool, error)
	// RetireAccountTokens marks every unused token of a user used.
	RetireAccountTokens(ctx context.Context, userID int64, at time.Time) error
	// AccountTokensSince counts a user's tokens of a purpose issued since.
	AccountTokensSince(ctx context.Context, userID int64, p Purpose, since time.Time) (int, error)
	DeleteUserSessions(ctx context.Context, userID int64) error
	// ClearSignInFailures forgets the failed sign-ins of an account.
	ClearSignInFailures(ctx context.Context, account string) error
	// RevokeUserTokens revokes every API token of a user and says how many.
	RevokeUserTokens(ctx context.Context, userID int64, at time.Time) (int, error)
	Users(ctx context.Context, f user.Filter) ([]user.User, int, error)
	SaveInvitationToAccount(ctx context.Context, inv Standing) error
	InvitationsToAccounts(ctx context.Context, stakeholderID int64) ([]Standing, error)
}

// Service invites people and resets passwords.
type Service struct {
	store   Store
	mail    mail.Sender
	logger  *slog.Logger
	now     func() time.Time
	baseURL string
}

// NewService builds the service; links point at baseURL.
func NewService(store Store, sender mail.Sender, logger *slog.Logger, now func() time.Time, baseURL string) *Service {
	return &Service{store: store, mail: sender, logger: logger, now: now, baseURL: strings.TrimRight(baseURL, "/")}
}

// MayInvite checks that by may invite anyone at all: the secretariat and
// focal points. Callers check it before reading a request, so that a
// refusal does not depend on what was sent.
func MayInvite(by user.Actor) error {
	switch {
	case by.IsSecretariat(), by.IsFocalPoint():
		return nil
	case by.Role == user.Supporter:
		return errs.E(errs.Forbidden, "only the organisation's focal point invites people")
	}
	return errs.E(errs.Unauthorized, "sign in to invite people")
}

// mayInvite checks who may invite whom: the secretariat anyone; a focal
// point the people of their own organisation.
func mayInvite(by user.Actor, in user.Input) error {
	if err := MayInvite(by); err != nil {
		return err
	}
	if !by.IsSecretariat() && (in.Role != user.Supporter || in.StakeholderID != by.StakeholderID) {
		return errs.E(errs.Forbidden, "a focal point invites the people of their own organisation only")
	}
	return nil
}

// Invitation is the answer to an invitation: what was asked, the same
// whether or not the address already has an account.
type Invitation struct {
	Email         string
	Name          string
	Role          user.Role
	StakeholderID int64
	OrgRole       user.OrgRole
}

// Invite creates an account without a password and mails its owner a link
// to set one. The account and the link are one transaction; if the mail
// cannot be sent the error says so and the invitation can be sent again.
//
// An address that has an account already gets no second one, but the same
// answer, so that inviting does not tell who has an account (the
// secretariat's included); its owner is mailed that they have one, and how
// to sign in or reset their password.
func (s *Service) Invite(ctx context.Context, by user.Actor, in user.Input) (Invitation, error) {
	if err := mayInvite(by, in); err != nil {
		return Invitation{}, err
	}
	in.Password = "" // the invited person chooses it
	in.Normalize()
	if err := in.Validate(); err != nil {
		return Invitation{}, err
	}
	if err := s.openTo(ctx, in.StakeholderID); err != nil {
		return Invitation{}, err
	}
	inv := Invitation{Email: in.Email, Name: in.Name, Role: in.Role, StakeholderID: in.StakeholderID, OrgRole: in.OrgRole}
	now := s.now().UTC()
	u := user.User{Email: in.Email, Name: in.Name, Role: in.Role, StakeholderID: in.StakeholderID, OrgRole: in.OrgRole,
		CreatedAt: now, UpdatedAt: now}
	var secret string
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateUser(ctx, &u); err != nil {
			return err
		}
		var err error
		if secret, err = s.issue(ctx, by, u.ID, Invite, now); err != nil {
			return err
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "user.invite", "user", u.ID,
			map[string]any{"email": u.Email, "role": u.Role, "stakeholder_id": u.StakeholderID, "org_role": u.OrgRole}, now))
	})
	switch {
	case errs.Is(err, errs.Conflict) && errs.FieldsOf(err)["email"] != "":
		// Found by the unique email, not by a look-up first, so that two
		// invitations racing each other make one account, and both this answer.
		return inv, s.inviteExisting(ctx, by, inv, now)
	case err != nil:
		return Invitation{}, err
	}
	return inv, s.sendInvite(ctx, u, secret)
}

// inviteExisting answers an invitation to an address that has an account:
// it is audited, for the secretariat, and the owner is told by mail (unless
// the account is disabled, which nobody is told).
func (s *Service) inviteExisting(ctx context.Context, by user.Actor, inv Invitation, now time.Time) error {
	var u user.User
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if u, err = s.store.UserByEmail(ctx, inv.Email); err != nil {
			return err
		}
		if inv.StakeholderID != 0 && u.StakeholderID != inv.StakeholderID {
			// Listed on the organisation's people page as invited, like an
			// invitation that made an account.
			if err := s.store.SaveInvitationToAccount(ctx, Standing{StakeholderID: inv.StakeholderID, Email: inv.Email,
				Name: inv.Name, OrgRole: inv.OrgRole, InvitedBy: by.UserID, InvitedAt: now}); err != nil {
				return err
			}
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "user.invite.existing", "user", u.ID,
			map[string]any{"email": inv.Email, "role": inv.Role, "stakeholder_id": inv.StakeholderID, "org_role": inv.OrgRole}, now))
	})
	if err != nil || u.Disabled {
		return err
	}
	org := s.orgName(ctx, inv.StakeholderID)
	en := fmt.Sprintf(`You were invited to pctracker, the progress tracker of the Paris Call for
Trust and Security in Cyberspace%[1]s. You already have an account with
this address, so no other one was made: sign in with your password.

%[2]s/signin

If you have forgotten your password, or never chose one, ask for a link
to choose a new one:

%[2]s/reset`, withOrg(org, " for "), s.baseURL)
	fr := fmt.Sprintf(`Vous avez été invité(e) à pctracker, l'outil de suivi des progrès de
l'Appel de Paris pour la confiance et la sécurité dans le cyberespace%[1]s.
Vous avez déjà un compte à cette adresse, aucun autre n'a donc été créé :
connectez-vous avec votre mot de passe.

%[2]s/signin

Si vous avez oublié votre mot de passe, ou ne l'avez jamais choisi,
demandez un lien pour en choisir un nouveau :

%[2]s/reset`, withOrg(org, " pour "), s.baseURL)
	if err := s.mail.Send(ctx, mail.Message{To: u.Email, Subject: "pctracker: your invitation / votre invitation",
		Text: mail.Bilingual(u.Name, en, fr)}); err != nil {
		return errInviteMail(inv.Email, err)
	}
	return nil
}

// ResendInvite sends an invitation again to an address the organisation
// invited: a fresh link to someone who has not chosen a password yet, or,
// to an address that had an account already, the same mail as the first
// time. The address is the key, not an account's id, so that the two look
// alike to the organisation.
func (s *Service) ResendInvite(ctx context.Context, by user.Actor, email string) error {
	if err := MayInvite(by); err != nil {
		return err
	}
	email = strings.ToLower(strings.TrimSpace(email))
	errNone := errs.E(errs.NotFound, "no invitation to this address") // the same whatever the address
	u, err := s.store.UserByEmail(ctx, email)
	switch {
	case err == nil && (by.IsSecretariat() || u.Role == user.Supporter && u.StakeholderID == by.StakeholderID):
		return s.resendLink(ctx, by, u)
	case err != nil && !errs.Is(err, errs.NotFound):
		return err
	case by.IsSecretariat():
		return errNone
	}
	inv, found, err := s.standing(ctx, by.StakeholderID, email)
	if err != nil {
		return err
	}
	if !found {
		return errNone
	}
	_, err = s.Invite(ctx, by, user.Input{Email: inv.Email, Name: inv.Name, Role: user.Supporter,
		StakeholderID: inv.StakeholderID, OrgRole: inv.OrgRole})
	return err
}

// resendLink sends a fresh link to someone who has not set a password.
func (s *Service) resendLink(ctx context.Context, by user.Actor, u user.User) error {
	if u.PasswordHash != "" {
		return errs.Field(errs.Conflict, "email", "this person has already set a password; they can reset it from the sign-in page")
	}
	if err := s.openTo(ctx, u.StakeholderID); err != nil {
		return err
	}
	now := s.now().UTC()
	var secret string
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		secret, err = s.issue(ctx, by, u.ID, Invite, now)
		return err
	})
	if err != nil {
		return err
	}
	return s.sendInvite(ctx, u, secret)
}

// standing finds an organisation's invitation to an address that has an
// account.
func (s *Service) standing(ctx context.Context, stakeholderID int64, email string) (Standing, bool, error) {
	list, err := s.store.InvitationsToAccounts(ctx, stakeholderID)
	if err != nil {
		return Standing{}, false, err
	}
	for _, inv := range list {
		if inv.Email == email {
			return inv, true, nil
		}
	}
	return Standing{}, false, nil
}

// Standing is an invitation into an organisation sent to an address that
// has an account: no account was made, but the organisation sees it as
// invited, as it sees anyone who has not yet chosen a password.
type Standing struct {
	StakeholderID int64
	Email         string
	Name          string
	OrgRole       user.OrgRole
	InvitedBy     int64
	InvitedAt     time.Time
}

// Person is what an organisation sees of one of its people, or of someone
// it invited; never a password hash, nor an account's id.
type Person struct {
	Name     string
	Email    string
	OrgRole  user.OrgRole
	Invited  bool // has not chosen a password here yet, or had an account already
	Disabled bool
}

// People lists an organisation: its people and the addresses it invited,
// by email. A supporter sees their own organisation's, the secretariat any.
// An invitation to an address that had an account shows as invited, as one
// that made an account does, so that the list does not tell which addresses
// have an account.
func (s *Service) People(ctx context.Context, by user.Actor, stakeholderID int64) ([]Person, error) {
	switch {
	case by.IsSecretariat():
	case by.Role != user.Supporter:
		return nil, errs.E(errs.Unauthorized, "sign in to see the people of an organisation")
	case stakeholderID != by.StakeholderID:
		return nil, errs.E(errs.Forbidden, "this page lists the people of your own organisation")
	}
	people, _, err := s.store.Users(ctx, user.Filter{StakeholderID: stakeholderID, Limit: 500})
	if err != nil {
		return nil, err
	}
	invited, err := s.store.InvitationsToAccounts(ctx, stakeholderID)
	if err != nil {
		return nil, err
	}
	out := make([]Person, 0, len(people)+len(invited))
	listed := map[string]bool{}
	for _, p := range people {
		out = append(out, Person{Name: p.Name, Email: p.Email, OrgRole: p.OrgRole, Invited: p.PasswordHash == "", Disabled: p.Disabled})
		listed[p.Email] = true
	}
	for _, inv := range invited {
		if !listed[inv.Email] {
			out = append(out, Person{Name: inv.Name, Email: inv.Email, OrgRole: inv.OrgRole, Invited: true})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Email < out[j].Email })
	return out, nil
}

// openTo refuses an invitation into a deactivated organisation: its people
// cannot sign in until it is active again.
func (s *Service) openTo(ctx context.Context, stakeholderID int64) error {
	if stakeholderID == 0 {
		return nil
	}
	st, err := s.store.Stakeholder(ctx, stakeholderID)
	if errs.Is(err, errs.NotFound) {
		return errs.Field(errs.Invalid, "stakeholder", "no such organisation")
	}
	if err != nil {
		return err
	}
	if !st.Active {
		return errs.Field(errs.Invalid, "stakeholder", "this organisation is deactivated: reactivate it before inviting anyone into it")
	}
	return nil
}

func (s *Service) sendInvite(ctx context.Context, u user.User, secret string) error {
	org := s.orgName(ctx, u.StakeholderID)
	link := s.baseURL + "/invite?token=" + secret
	text := fmt.Sprintf(`Hello %[1]s,

You are invited to pctracker, the progress tracker of the Paris Call for Trust
and Security in Cyberspace%[2]s. Choose your password here (the link works once,
for 7 days):

%[3]s

--

Bonjour %[1]s,

Vous êtes invité(e) à pctracker, l'outil de suivi des progrès de l'Appel de
Paris pour la confiance et la sécurité dans le cyberespace%[4]s. Choisissez votre
mot de passe ici (le lien fonctionne une fois, pendant 7 jours) :

%[3]s
`, u.Name, withOrg(org, " for "), link, withOrg(org, " pour "))
	if err := s.mail.Send(ctx, mail.Message{To: u.Email, Subject: "pctracker: your invitation / votre invitation", Text: text}); err != nil {
		return errInviteMail(u.Email, err)
	}
	return nil
}

// errInviteMail is the same for every invitation whose mail failed.
func errInviteMail(email string, err error) error {
	return errs.Wrap(errs.Unavailable, err, "the invitation to %s was saved but the mail could not be sent; send it again", email)
}

// orgName names an organisation in a mail, or nothing.
func (s *Service) orgName(ctx context.Context, stakeholderID int64) string {
	if stakeholderID == 0 {
		return ""
	}
	if st, err := s.store.Stakeholder(ctx, stakeholderID); err == nil {
		return st.Name
	}
	return ""
}

func withOrg(org, prefix string) string {
	if org == "" {
		return ""
	}
	return prefix + org
}

// issue stores a new link for a user and returns its secret.
func (s *Service) issue(ctx context.Context, by user.Actor, userID int64, p Purpose, now time.Time) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", errs.Wrap(errs.Internal, err, "random token")
	}
	secret := base64.RawURLEncoding.EncodeToString(b)
	life := InviteLifetime
	if p == Reset {
		life = ResetLifetime
	}
	t := Token{UserID: userID, Purpose: p, Hash: hash(secret), CreatedBy: by.UserID, CreatedAt: now, ExpiresAt: now.Add(life)}
	return secret, s.store.CreateAccountToken(ctx, &t)
}

func hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// errLink is the same for a wrong, used or expired link: the page cannot
// tell them apart for someone guessing.
func errLink() error {
	return errs.Field(errs.Invalid, "token", "this link has expired or was already used; ask for a new one")
}

// Check tells whether a link can still be used, for the page that shows
// the password form.
func (s *Service) Check(ctx context.Context, p Purpose, secret string) error {
	t, err := s.store.AccountToken(ctx, hash(secret))
	if err != nil || t.Purpose != p || t.UsedAt != nil || !s.now().Before(t.ExpiresAt) {
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		return errLink()
	}
	return nil
}

// SetPassword uses a link: it sets the password of its user, once, and
// clears the account's failed sign-ins: the link proved who they are, so
// whatever strangers tried must not keep them out. A reset also ends every
// session of the account and revokes its API tokens: whoever made the reset
// needed may hold them too.
func (s *Service) SetPassword(ctx context.Context, p Purpose, secret, password string) (user.User, error) {
	f := errs.FieldErrors{}
	if utf8.RuneCountInString(password) < user.MinPasswordLength {
		f.Addf("password", "must be at least %d characters", user.MinPasswordLength)
	} else {
		f.Text("password", password, true, 1024)
	}
	if err := f.Err(); err != nil {
		return user.User{}, err
	}
	if err := s.Check(ctx, p, secret); err != nil {
		return user.User{}, err
	}
	pw, err := user.HashPassword(password)
	if err != nil {
		return user.User{}, err
	}
	now := s.now().UTC()
	var u user.User
	err = s.store.WithTx(ctx, func(ctx context.Context) error {
		t, err := s.store.AccountToken(ctx, hash(secret))
		if err != nil {
			return errLink()
		}
		used, err := s.store.UseAccountToken(ctx, t.ID, now)
		if err != nil {
			return err
		}
		if !used {
			return errLink()
		}
		if u, err = s.store.User(ctx, t.UserID); err != nil {
			return err
		}
		if u.Disabled {
			return errLink()
		}
		if err := u.MaySignIn(); err != nil { // their organisation is deactivated
			return err
		}
		if err := s.store.SetPassword(ctx, u.ID, pw, now); err != nil {
			return err
		}
		// Any other link still in a mailbox would set the password again.
		if err := s.store.RetireAccountTokens(ctx, u.ID, now); err != nil {
			return err
		}
		if err := s.store.ClearSignInFailures(ctx, u.Email); err != nil {
			return err
		}
		var detail map[string]any
		if p == Reset {
			if err := s.store.DeleteUserSessions(ctx, u.ID); err != nil {
				return err
			}
			revoked, err := s.store.RevokeUserTokens(ctx, u.ID, now)
			if err != nil {
				return err
			}
			detail = map[string]any{"tokens_revoked": revoked}
		}
		return s.store.AppendAudit(ctx, audit.New(u.ID, u.Email, "user."+string(p)+".password", "user", u.ID, detail, now))
	})
	if err == nil && p == Reset {
		s.noticePasswordChanged(ctx, u, now)
	}
	return u, err
}

// noticePasswordChanged tells the person that their password was reset:
// should someone else have read the link, the owner learns it at once.
// The password is changed already: a mail that cannot be sent is logged.
func (s *Service) noticePasswordChanged(ctx context.Context, u user.User, at time.Time) {
	when := at.UTC().Format("2006-01-02 15:04 UTC")
	en := fmt.Sprintf(`Your pctracker password was changed with a reset link:
  %[1]s.
Every session of your account was signed out, and every API token of it
revoked: make new tokens from your account page where you need them.

If it was not you, ask for a new link at once and tell the secretariat:
%[2]s/reset`, when, s.baseURL)
	fr := fmt.Sprintf(`Votre mot de passe pctracker a été changé avec un lien de réinitialisation :
  %[1]s.
Toutes les sessions de votre compte ont été fermées, et tous ses jetons
d'API révoqués : créez-en de nouveaux depuis la page de votre compte si
besoin.

Si ce n'était pas vous, demandez un nouveau lien sans attendre et prévenez
le secrétariat :
%[2]s/reset`, when, s.baseURL)
	mail.Notify(ctx, s.mail, s.logger, u.ID, mail.Message{To: u.Email,
		Subject: "pctracker: your password was changed / votre mot de passe a été changé", Text: mail.Bilingual(u.Name, en, fr)})
}

// RequestReset mails a reset link to the account of email, if there is an
// active one, at most MaxResetsPerHour times an hour. It answers the same
// either way; the page runs it in the background so that the time taken
// does not tell who has an account either.
func (s *Service) RequestReset(ctx context.Context, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	f := errs.FieldErrors{}
	if f.Text("email", email, true, 254); len(f) > 0 {
		return f.Err()
	}
	u, err := s.store.UserByEmail(ctx, email)
	if errs.Is(err, errs.NotFound) || (err == nil && u.MaySignIn() != nil) {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.now().UTC()
	// A few links an hour is plenty; more would only fill someone's inbox.
	if n, err := s.store.AccountTokensSince(ctx, u.ID, Reset, now.Add(-time.Hour)); err != nil || n >= MaxResetsPerHour {
		return err
	}
	var secret string
	err = s.store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if secret, err = s.issue(ctx, user.Actor{UserID: u.ID, Name: u.Email}, u.ID, Reset, now); err != nil {
			return err
		}
		return s.store.AppendAudit(ctx, audit.New(u.ID, u.Email, "user.reset.request", "user", u.ID, nil, now))
	})
	if err != nil {
		return err
	}
	link := s.baseURL + "/reset/new?token=" + secret
	text := fmt.Sprintf(`Hello %[1]s,

Someone asked to reset your pctracker password. If it was you, choose a new one
here (the link works once, for one hour):

%[2]s

If it was not you, ignore this message: your password stays as it is.

--

Bonjour %[1]s,

Une réinitialisation de votre mot de passe pctracker a été demandée. Si c'est
vous, choisissez-en un nouveau ici (le lien fonctionne une fois, pendant une heure) :

%[2]s

Sinon, ignorez ce message : votre mot de passe reste inchangé.
`, u.Name, link)
	if err := s.mail.Send(ctx, mail.Message{To: u.Email, Subject: "pctracker: reset your password / réinitialiser votre mot de passe", Text: text}); err != nil {
		return errs.Wrap(errs.Unavailable, err, "the reset mail could not be sent; try again later")
	}
	return nil
}
