package notice

import (
	"fmt"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/user"
)

// message is a notice as written to one person.
type message struct {
	subject, body string
}

// The words of each notice, in English and French. A notice is written in
// its reader's language only: a person's language is known (chosen on the
// account page, or the one last used).

func greeting(u user.User) string {
	if u.Language() == "fr" {
		return "Bonjour " + u.Name + ",\n\n"
	}
	return "Hello " + u.Name + ",\n\n"
}

// footer says why the person gets the notice and where to turn it off.
func footer(u user.User, base string) string {
	if u.Language() == "fr" {
		return "\n\n--\nVous pouvez choisir les avis que vous recevez, et leur langue, sur la page de votre compte :\n" + base + "/account\n"
	}
	return "\n\n--\nYou can choose which notices you receive, and their language, on your account page:\n" + base + "/account\n"
}

// indent sets text written by someone apart from the notice's own words.
func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n  ")
}

func changesRequestedText(u user.User, org string, a action.Action, comment, link, base string) message {
	if u.Language() == "fr" {
		return message{
			subject: fmt.Sprintf("pctracker : modifications demandées sur « %s »", a.Title),
			body: greeting(u) + fmt.Sprintf("Le secrétariat de l'Appel de Paris demande des modifications à une action de %s (cycle %d) :\n\n%s\n\n"+
				"Son commentaire :\n\n%s\n\n"+
				"Modifiez l'action puis soumettez-la à nouveau, ou répondez à la demande si vous n'êtes pas d'accord :\n%s",
				org, a.CycleYear, indent(a.Title), indent(comment), link) + footer(u, base),
		}
	}
	return message{
		subject: fmt.Sprintf("pctracker: changes requested on %q", a.Title),
		body: greeting(u) + fmt.Sprintf("The Paris Call secretariat asked for changes to an action of %s (%d cycle):\n\n%s\n\n"+
			"Their comment:\n\n%s\n\n"+
			"Edit the action and submit it again, or reply to the request if you disagree:\n%s",
			org, a.CycleYear, indent(a.Title), indent(comment), link) + footer(u, base),
	}
}

// list writes actions one per line with their links.
func list(items []item, lang string) string {
	var b strings.Builder
	for _, it := range items {
		number := "#"
		if lang == "fr" {
			number = "n° "
		}
		fmt.Fprintf(&b, "- %s (%s%d)", it.Title, number, it.ID)
		if it.Reconfirmed {
			if lang == "fr" {
				b.WriteString(", reconduite sans changement")
			} else {
				b.WriteString(", reconfirmed unchanged")
			}
		}
		fmt.Fprintf(&b, "\n  %s\n", it.Link)
		if it.Reply != "" {
			if lang == "fr" {
				b.WriteString("  Réponse au secrétariat :\n")
			} else {
				b.WriteString("  Reply to the secretariat:\n")
			}
			b.WriteString(indent(it.Reply) + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func receiptText(u user.User, org, who string, at time.Time, items []item, base string) message {
	n, year := len(items), items[0].Year
	if u.Language() == "fr" {
		what := "1 action soumise"
		if n > 1 {
			what = fmt.Sprintf("%d actions soumises", n)
		}
		return message{
			subject: fmt.Sprintf("pctracker : accusé de réception, %s pour %s", what, org),
			body: greeting(u) + fmt.Sprintf("%s a soumis au secrétariat, le %s, pour %s (cycle %d) :\n\n%s\n\n"+
				"Le secrétariat va les examiner ; chaque décision vous sera communiquée.",
				who, locale.DateTime("fr", at), org, year, list(items, "fr")) + footer(u, base),
		}
	}
	what := "1 action submitted"
	if n > 1 {
		what = fmt.Sprintf("%d actions submitted", n)
	}
	return message{
		subject: fmt.Sprintf("pctracker: receipt, %s for %s", what, org),
		body: greeting(u) + fmt.Sprintf("%s submitted to the secretariat, on %s, for %s (%d cycle):\n\n%s\n\n"+
			"The secretariat reviews them next; you will be told of each decision.",
			who, locale.DateTime("en", at), org, year, list(items, "en")) + footer(u, base),
	}
}

func digestText(u user.User, org string, items []item, base string) message {
	n := len(items)
	if u.Language() == "fr" {
		what := "1 action acceptée"
		if n > 1 {
			what = fmt.Sprintf("%d actions acceptées", n)
		}
		return message{
			subject: fmt.Sprintf("pctracker : %s pour %s", what, org),
			body: greeting(u) + fmt.Sprintf("Le secrétariat de l'Appel de Paris a accepté ces actions de %s :\n\n%s\n\n"+
				"Les actions publiques acceptées figurent sur le tableau de bord public, dès la date que fixe leur cycle.",
				org, list(items, "fr")) + footer(u, base),
		}
	}
	what := "1 action accepted"
	if n > 1 {
		what = fmt.Sprintf("%d actions accepted", n)
	}
	return message{
		subject: fmt.Sprintf("pctracker: %s for %s", what, org),
		body: greeting(u) + fmt.Sprintf("The Paris Call secretariat accepted these actions of %s:\n\n%s\n\n"+
			"Accepted public actions appear on the public dashboard, from the date their cycle sets.",
			org, list(items, "en")) + footer(u, base),
	}
}

func publishedText(u user.User, org string, year int, report, mine, base string) message {
	if u.Language() == "fr" {
		return message{
			subject: fmt.Sprintf("pctracker : le rapport d'étape %d est publié", year),
			body: greeting(u) + fmt.Sprintf("Le rapport d'étape %d de l'Appel de Paris sur les cybermercenaires est publié :\n%s\n\n"+
				"Les actions de %s qui y figurent :\n%s", year, report, org, mine) + footer(u, base),
		}
	}
	return message{
		subject: fmt.Sprintf("pctracker: the %d progress report is published", year),
		body: greeting(u) + fmt.Sprintf("The Paris Call's %d progress report on cyber mercenaries is published:\n%s\n\n"+
			"%s's actions in it:\n%s", year, report, org, mine) + footer(u, base),
	}
}

func extensionText(u user.User, org string, year int, deadline time.Time, link, base string) message {
	if u.Language() == "fr" {
		day := locale.Date("fr", deadline)
		return message{
			subject: fmt.Sprintf("pctracker : nouvelle date limite pour %s, le %s", org, day),
			body: greeting(u) + fmt.Sprintf("Le secrétariat a prolongé le délai de contribution de %s au cycle %d jusqu'au %s inclus.\n\n%s",
				org, year, day, link) + footer(u, base),
		}
	}
	day := locale.Date("en", deadline)
	return message{
		subject: fmt.Sprintf("pctracker: %s now reports by %s", org, day),
		body: greeting(u) + fmt.Sprintf("The secretariat extended the deadline of %s to report in the %d cycle to %s (included).\n\n%s",
			org, year, day, link) + footer(u, base),
	}
}

func brokenText(u user.User, a action.Action, link, page, base string) message {
	if u.Language() == "fr" {
		return message{
			subject: fmt.Sprintf("pctracker : un justificatif de « %s » ne répond plus", a.Title),
			body: greeting(u) + fmt.Sprintf("Un lien justificatif de l'action « %s » (cycle %d) ne répond plus depuis plusieurs vérifications, sur une semaine au moins :\n\n%s\n\n"+
				"La copie conservée lors de l'acceptation reste consultable sur la page de l'action. Pour donner un lien qui fonctionne, "+
				"rouvrez l'action si elle a été retirée, ou signalez la nouvelle adresse au secrétariat : une nouvelle version de l'action "+
				"remplace le lien, et l'ancien justificatif reste archivé.\n\n%s", a.Title, a.CycleYear, indent(link), page) + footer(u, base),
		}
	}
	return message{
		subject: fmt.Sprintf("pctracker: an evidence link of %q no longer answers", a.Title),
		body: greeting(u) + fmt.Sprintf("An evidence link of the action %q (%d cycle) has failed several checks, over a week at least:\n\n%s\n\n"+
			"The copy kept at acceptance can still be read from the action's page. To give a link that works, tell the secretariat "+
			"the new address (or reopen the action if it was withdrawn): a new version of the action replaces the link, and the old "+
			"evidence stays archived.\n\n%s", a.Title, a.CycleYear, indent(link), page) + footer(u, base),
	}
}
