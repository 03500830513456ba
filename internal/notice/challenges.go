package notice

import (
	"context"
	"fmt"

	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/user"
)

// mandatory is no kind of notice a person can turn off: a challenge's
// notices start or end a time to reply, and its parties must hear of it.
const mandatory user.Notice = ""

// Challenged tells the parties of a challenge of each step, in its
// transaction: the reviewer who filed it (and its organisation's focal
// points once it is screened), and, from its opening, the focal points of
// the organisation whose action it contests. A pseudonymous reviewer is
// never named to the challenged organisation.
func (s *Service) Challenged(ctx context.Context, st challenge.Step, c challenge.Challenge) error {
	var filer []user.User
	if c.FiledBy != 0 {
		u, err := s.store.User(ctx, c.FiledBy)
		if err != nil {
			return err
		}
		filer = wanting([]user.User{u}, mandatory)
	}
	reviewers := filer
	if st != challenge.StepFiled {
		people, err := s.store.Supporters(ctx, c.ReviewerID)
		if err != nil {
			return err
		}
		for _, u := range focalOf(people, mandatory) {
			if !has(reviewers, u.ID) {
				reviewers = append(reviewers, u)
			}
		}
	}
	var challenged []user.User
	if st != challenge.StepFiled && st != challenge.StepInadmissible && st != challenge.StepReplied {
		people, err := s.store.Supporters(ctx, c.OrganisationID)
		if err != nil {
			return err
		}
		challenged = focalOf(people, mandatory)
	}
	a, err := s.store.Action(ctx, c.ActionID)
	if err != nil {
		return err
	}
	page := fmt.Sprintf("%s/challenges/%d", s.baseURL, c.ID)
	event := fmt.Sprintf("challenge:%d:%s", c.ID, st)
	write := func(side string) func(u user.User) message {
		return func(u user.User) message {
			by := c.Reviewer
			if side == "challenged" && c.Pseudonymous {
				by = "" // the text says "a reviewer organisation"
			}
			return challengeText(u, st, side, c, a.Title, by, page, s.baseURL)
		}
	}
	if err := s.enqueue(ctx, c.ReviewerID, a.CycleID, event+":reviewer", reviewers, write("reviewer")); err != nil {
		return err
	}
	return s.enqueue(ctx, c.OrganisationID, a.CycleID, event+":challenged", challenged, write("challenged"))
}

// challengeText is the notice of a step of a challenge, to one side.
func challengeText(u user.User, st challenge.Step, side string, c challenge.Challenge, title, reviewer, page, base string) message {
	fr := u.Language() == "fr"
	due := ""
	if c.ReplyDue != nil {
		due = locale.Date(u.Language(), *c.ReplyDue)
	}
	who := reviewer
	if who == "" {
		who = map[bool]string{false: "A reviewer organisation", true: "Une organisation évaluatrice"}[fr]
	}
	outcome := string(c.Outcome)
	if fr {
		outcome = map[string]string{"upheld": "fondée", "partly_upheld": "partiellement fondée", "dismissed": "rejetée"}[outcome]
	} else {
		outcome = map[string]string{"upheld": "upheld", "partly_upheld": "partly upheld", "dismissed": "dismissed"}[outcome]
	}
	var subject, text string
	switch {
	case st == challenge.StepFiled && fr:
		subject, text = "contestation déposée", fmt.Sprintf("Votre contestation de l'action « %s » est déposée. Le secrétariat l'examine avant de l'ouvrir à la réponse de l'organisation.", title)
	case st == challenge.StepFiled:
		subject, text = "challenge filed", fmt.Sprintf("Your challenge of the action %q is filed. The secretariat screens it before opening it to the organisation's reply.", title)
	case st == challenge.StepInadmissible && fr:
		subject, text = "contestation irrecevable", fmt.Sprintf("Le secrétariat a jugé irrecevable la contestation de l'action « %s ». Sa raison :\n\n%s", title, indent(c.ScreenReason))
	case st == challenge.StepInadmissible:
		subject, text = "challenge inadmissible", fmt.Sprintf("The secretariat found the challenge of the action %q inadmissible. Its reason:\n\n%s", title, indent(c.ScreenReason))
	case st == challenge.StepOpened && side == "challenged" && fr:
		subject, text = "une action de votre organisation est contestée", fmt.Sprintf("%s conteste l'action « %s ». Le secrétariat a ouvert la contestation : votre point de contact peut y répondre jusqu'au %s. Sans réponse, la décision sera publiée avec la mention « pas de réponse dans le délai ».", who, title, due)
	case st == challenge.StepOpened && side == "challenged":
		subject, text = "an action of your organisation is challenged", fmt.Sprintf("%s challenges the action %q. The secretariat opened the challenge: your focal point may reply until %s. Without a reply, the decision is published saying no reply came in time.", who, title, due)
	case st == challenge.StepOpened && fr:
		subject, text = "contestation ouverte", fmt.Sprintf("Le secrétariat a ouvert votre contestation de l'action « %s ». L'organisation peut y répondre jusqu'au %s.", title, due)
	case st == challenge.StepOpened:
		subject, text = "challenge opened", fmt.Sprintf("The secretariat opened your challenge of the action %q. The organisation may reply until %s.", title, due)
	case st == challenge.StepReplied && fr:
		subject, text = "réponse reçue", fmt.Sprintf("L'organisation a répondu à votre contestation de l'action « %s ». Le secrétariat décidera.", title)
	case st == challenge.StepReplied:
		subject, text = "reply received", fmt.Sprintf("The organisation replied to your challenge of the action %q. The secretariat will decide.", title)
	case st == challenge.StepDecided && fr:
		subject, text = "contestation tranchée", fmt.Sprintf("Le secrétariat a tranché la contestation de l'action « %s » : %s. Ses motifs :\n\n%s\n\nLa décision sera publiée avec la contestation et la réponse.", title, outcome, indent(c.Reasons))
	case st == challenge.StepDecided:
		subject, text = "challenge decided", fmt.Sprintf("The secretariat decided the challenge of the action %q: %s. Its reasons:\n\n%s\n\nThe decision will be published with the challenge and the reply.", title, outcome, indent(c.Reasons))
	case fr:
		subject, text = "contestation publiée", fmt.Sprintf("La contestation de l'action « %s », la réponse et la décision (%s) sont publiées.", title, outcome)
	default:
		subject, text = "challenge published", fmt.Sprintf("The challenge of the action %q, the reply and the decision (%s) are published.", title, outcome)
	}
	if fr {
		return message{subject: "pctracker : " + subject, body: greeting(u) + text + "\n\n" + page + footer(u, base)}
	}
	return message{subject: "pctracker: " + subject, body: greeting(u) + text + "\n\n" + page + footer(u, base)}
}
