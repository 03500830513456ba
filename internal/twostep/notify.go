package twostep

import (
	"context"
	"fmt"
	"time"

	"github.com/pctracker/pctracker/internal/mail"
	"github.com/pctracker/pctracker/internal/user"
)

// notice is a mail to a person about their own account: a change to how
// they sign in, or a sign-in that stopped at a wrong code. Such a mail is
// often the only way someone learns that another person holds their
// password. Each is in English and in French, as every mail is.
type notice struct {
	subject string // after "pctracker: "
	en, fr  string
}

// notify sends n to u once its change is committed (see mail.Notify).
func (s *Service) notify(ctx context.Context, u user.User, n notice) {
	mail.Notify(ctx, s.mail, s.logger, u.ID, mail.Message{To: u.Email, Subject: "pctracker: " + n.subject, Text: mail.Bilingual(u.Name, n.en, n.fr)})
}

// when says when and from where, the same way in both languages.
func when(at time.Time, ip string) string {
	s := at.UTC().Format("2006-01-02 15:04 UTC")
	if ip != "" {
		s += ", " + ip
	}
	return "  " + s
}

func (s *Service) noticeEnrolled(at time.Time, ip string) notice {
	return notice{
		subject: "two-step sign-in set up / connexion en deux étapes activée",
		en: fmt.Sprintf(`Two-step sign-in was set up on your account:
%s.
Each sign-in now asks for a code from the authenticator app on your phone.

If it was not you, someone holds your password: tell the secretariat at
once.`, when(at, ip)),
		fr: fmt.Sprintf(`La connexion en deux étapes a été activée sur votre compte :
%s.
Chaque connexion demande désormais un code de l'application
d'authentification de votre téléphone.

Si ce n'était pas vous, quelqu'un connaît votre mot de passe : prévenez
le secrétariat sans attendre.`, when(at, ip)),
	}
}

func (s *Service) noticeWrongCode(at time.Time, ip string) notice {
	link := s.opt.BaseURL + "/reset"
	return notice{
		subject: "a wrong sign-in code / un code de connexion erroné",
		en: fmt.Sprintf(`Someone entered your password to sign in to your account, then a wrong
code:
%s.

If it was you, there is nothing to do. If not, someone holds your
password: choose a new one now, and tell the secretariat.
%s`, when(at, ip), link),
		fr: fmt.Sprintf(`Quelqu'un a saisi votre mot de passe pour se connecter à votre compte, puis
un code erroné :
%s.

Si c'était vous, il n'y a rien à faire. Sinon, quelqu'un connaît votre
mot de passe : choisissez-en un nouveau dès maintenant, et prévenez le
secrétariat.
%s`, when(at, ip), link),
	}
}

func (s *Service) noticeRecoveryUsed(at time.Time, ip string, left int) notice {
	en, fr := fmt.Sprintf("%d codes are left", left), fmt.Sprintf("Il en reste %d", left)
	switch left {
	case 0:
		en, fr = "None is left", "Il n'en reste aucun"
	case 1:
		en, fr = "One code is left", "Il en reste un"
	}
	return notice{
		subject: "a recovery code was used / un code de secours a été utilisé",
		en: fmt.Sprintf(`A recovery code was used to sign in to your account:
%s.
%s: make new ones from your account page now.

If it was not you, someone holds your password and a recovery code:
tell the secretariat at once.`, when(at, ip), en),
		fr: fmt.Sprintf(`Un code de secours a été utilisé pour se connecter à votre compte :
%s.
%s : créez-en de nouveaux dès maintenant depuis la page de votre compte.

Si ce n'était pas vous, quelqu'un connaît votre mot de passe et un code
de secours : prévenez le secrétariat sans attendre.`, when(at, ip), fr),
	}
}

// noticeRenewRefused is sent for a wrong code on the account page: no
// password was given there, only a session that was open.
func (s *Service) noticeRenewRefused(at time.Time, ip string) notice {
	link := s.opt.BaseURL + "/reset"
	return notice{
		subject: "a wrong code on your account page / un code erroné sur la page de votre compte",
		en: fmt.Sprintf(`A wrong code was entered to make new recovery codes, from a session
signed in to your account:
%s.

If it was you (a code you had just used to sign in does not work twice),
there is nothing to do. If not, someone has your account open: choose a
new password, which ends every session, and tell the secretariat.
%s`, when(at, ip), link),
		fr: fmt.Sprintf(`Un code erroné a été saisi pour créer de nouveaux codes de secours, depuis
une session connectée à votre compte :
%s.

Si c'était vous (un code qui vient de servir à vous connecter ne sert pas
deux fois), il n'y a rien à faire. Sinon, quelqu'un a ouvert votre
compte : choisissez un nouveau mot de passe, ce qui ferme toutes les
sessions, et prévenez le secrétariat.
%s`, when(at, ip), link),
	}
}

func (s *Service) noticeRenewed(at time.Time, ip string) notice {
	return notice{
		subject: "new recovery codes / nouveaux codes de secours",
		en: fmt.Sprintf(`New recovery codes were made for your account:
%s.
The old ones no longer work.

If it was not you, tell the secretariat at once.`, when(at, ip)),
		fr: fmt.Sprintf(`De nouveaux codes de secours ont été créés pour votre compte :
%s.
Les anciens ne fonctionnent plus.

Si ce n'était pas vous, prévenez le secrétariat sans attendre.`, when(at, ip)),
	}
}

func (s *Service) noticeReset(at time.Time) notice {
	return notice{
		subject: "two-step sign-in reset / connexion en deux étapes réinitialisée",
		en: fmt.Sprintf(`The authenticator app was unlinked from your account:
%s.
At your next sign-in, you will set up two-step sign-in again with your
phone. Every API token of your account was revoked: make new ones from
your account page where you need them.

If you did not ask for this, tell the secretariat at once.`, when(at, "")),
		fr: fmt.Sprintf(`L'application d'authentification a été dissociée de votre compte :
%s.
À votre prochaine connexion, vous configurerez de nouveau la connexion en
deux étapes avec votre téléphone. Tous les jetons d'API de votre compte
ont été révoqués : créez-en de nouveaux depuis la page de votre compte si
besoin.

Si vous ne l'avez pas demandé, prévenez le secrétariat sans attendre.`, when(at, "")),
	}
}
