package audit

import (
	"strconv"
	"strings"
	"time"
)

// SlotKind says what fills a slot of a sentence: a record the page links
// to, or a plain value the page formats in its language.
type SlotKind string

const (
	Person       SlotKind = "person"
	Organisation SlotKind = "organisation"
	ActionRef    SlotKind = "action"
	ReportRef    SlotKind = "report"
	CycleRef     SlotKind = "cycle"
	Text         SlotKind = "text"   // shown as written: a token's name, an address, a verb
	Number       SlotKind = "number" // N, written the language's way
	Date         SlotKind = "date"   // Time, written the language's way
	Role         SlotKind = "role"   // Text is an organisation role code, to translate
)

// Slot is one named part of a sentence.
type Slot struct {
	Kind SlotKind
	ID   int64  // the record's id; a cycle's year
	Text string // a person's name, an organisation's name, an action's title, a plain text
	N    int
	Time time.Time
	// System is set on an actor that is the program itself (Text is then
	// its label, such as "scheduler" or "cli").
	System bool
	// OrgID is a supporter's organisation, whose page lists its people.
	OrgID int64
	// Gone marks a record deleted since: named from the entry, not linked.
	Gone bool
}

// Sentence tells an entry in words: a message key, whose text the pages
// hold in each language, and the slots its text names. Keeping the words
// out of Go lets translators order the parts as their language needs.
type Sentence struct {
	Key   string // the verb's sentence, e.g. "action.accepted"; "other..." for a verb without one
	Slots map[string]Slot
	Note  string // free text quoted under the sentence: a reviewer's comment
}

// Line is an entry and its sentence.
type Line struct {
	Entry
	Sentence Sentence
}

// Wanted lists the records a page of entries names, to look up at once
// rather than entry by entry.
type Wanted struct {
	People, Organisations, Actions, Reports []int64
}

// PersonName is what a sentence shows of a person.
type PersonName struct {
	Name, Email string
	OrgID       int64 // 0 for the secretariat
}

// ActionName is what a sentence shows of an action.
type ActionName struct {
	Title string
	OrgID int64
	Gone  bool // deleted: the title comes from the entry of its deletion
}

// ReportName is what a sentence shows of a report.
type ReportName struct{ Year int }

// Names are the records a page names, by id. A record missing from them
// was deleted; its sentence falls back on what the entry itself holds.
type Names struct {
	People        map[int64]PersonName
	Organisations map[int64]string
	Actions       map[int64]ActionName
	Reports       map[int64]ReportName
}

// Wants lists the records entries name.
func Wants(entries []Entry) Wanted {
	var w Wanted
	seen := map[string]bool{}
	add := func(list *[]int64, kind string, id int64) {
		if id == 0 || seen[kind+strconv.FormatInt(id, 10)] {
			return
		}
		seen[kind+strconv.FormatInt(id, 10)] = true
		*list = append(*list, id)
	}
	for _, e := range entries {
		add(&w.People, "p", e.ActorID)
		add(&w.Organisations, "o", e.detailID("stakeholder_id"))
		add(&w.Organisations, "o", e.detailID("reviewer_id"))
		add(&w.Actions, "a", e.detailID("action_id"))
		id, _ := strconv.ParseInt(e.ObjectID, 10, 64)
		switch e.ObjectType {
		case "user":
			add(&w.People, "p", id)
		case "stakeholder":
			add(&w.Organisations, "o", id)
		case "action":
			add(&w.Actions, "a", id)
		case "report":
			add(&w.Reports, "r", id)
		}
	}
	return w
}

// Describe tells e as a sentence, naming records from n. Every verb
// pctracker writes has its own sentence; any other falls back on a
// generic one that still names who, what and on which object.
//
// Long on purpose: one flat case per verb, where a reader looks a verb up; split, one log's sentences would scatter.
func Describe(e Entry, n Names) Sentence {
	s := Sentence{Key: e.Verb, Slots: map[string]Slot{"Actor": actorSlot(e, n)}}
	objectID, _ := strconv.ParseInt(e.ObjectID, 10, 64)
	org := func() Slot { return orgSlot(e.detailID("stakeholder_id"), n) }
	switch e.Verb {
	case "action.create", "action.update", "action.submitted", "action.reconfirmed", "action.accepted",
		"action.changes_requested", "action.withdrawn", "action.reopened", "action.delete", "action.assurance", "action.verified", "action.challenge":
		s.Slots["Action"] = actionSlot(objectID, e, n)
		orgID := e.detailID("stakeholder_id")
		if orgID == 0 {
			orgID = n.Actions[objectID].OrgID
		}
		s.Slots["Org"] = orgSlot(orgID, n)
		s.Note = e.detailText("comment")
	case "action.provision_added", "action.provision_removed": // a provision the action counts for, or no longer
		s.Slots["Action"] = actionSlot(objectID, e, n)
		s.Slots["Org"] = orgSlot(n.Actions[objectID].OrgID, n)
		s.Slots["Provision"] = Slot{Kind: Text, Text: e.detailText("framework") + " " + e.detailText("provision")}
		s.Note = e.detailText("reason")
	case "framework.update":
		s.Slots["Framework"] = Slot{Kind: Text, Text: e.ObjectID}
		s.Slots["Version"] = Slot{Kind: Number, N: int(e.detailID("version"))}
	case "crosswalk.import": // the file by the start of its SHA-256
		s.Slots["File"] = Slot{Kind: Text, Text: e.ObjectID}
		s.Slots["Frameworks"] = Slot{Kind: Number, N: int(e.detailID("frameworks"))}
		s.Slots["Count"] = Slot{Kind: Number, N: int(e.detailID("provisions"))}
	case "provision.update":
		s.Slots["Provision"] = Slot{Kind: Text, Text: e.ObjectID}
		s.Slots["Version"] = Slot{Kind: Number, N: int(e.detailID("version"))}
	case "action.import":
		s.Slots["Org"], s.Slots["Cycle"] = org(), Slot{Kind: CycleRef, ID: objectID}
		s.Slots["Count"] = Slot{Kind: Number, N: int(e.detailID("imported"))}
	case "user.create", "user.invite", "user.invite.existing":
		s.Slots["Person"] = personSlot(objectID, e.detailText("email"), n)
		if o := e.detailID("stakeholder_id"); o != 0 {
			s.Slots["Org"], s.Slots["Role"] = org(), Slot{Kind: Role, Text: e.detailText("org_role")}
		} else {
			s.Key += ".secretariat"
		}
	case "user.invite.password", "user.reset.password", "user.reset.request",
		"user.two_step.enrol", "user.two_step.recovery_codes", "user.preferences":
		// the actor is the person concerned: the sentence needs no more
	case "user.two_step.wrong_code":
		if ip := e.detailText("ip"); ip != "" {
			s.Slots["IP"] = Slot{Kind: Text, Text: ip}
		} else {
			s.Key += ".unknown"
		}
	case "user.two_step.recovery_code":
		s.Slots["Count"] = Slot{Kind: Number, N: int(e.detailID("left"))}
	case "user.two_step.reset":
		s.Slots["Person"] = personSlot(objectID, "", n)
	case "token.create":
		s.Slots["Name"] = Slot{Kind: Text, Text: e.detailText("name")}
		if objectID != e.ActorID || e.ActorID == 0 {
			s.Slots["Person"] = personSlot(objectID, "", n)
		} else {
			s.Key += ".own"
		}
	case "token.revoke":
		s.Slots["Token"] = Slot{Kind: Number, N: int(e.detailID("token_id"))}
	case "stakeholder.create", "stakeholder.update":
		s.Slots["Org"] = orgSlot(objectID, n)
		if _, known := n.Organisations[objectID]; !known {
			s.Slots["Org"] = Slot{Kind: Organisation, ID: objectID, Text: e.detailText("name"), Gone: true}
		}
	case "challenge.filed", "challenge.inadmissible", "challenge.opened", "challenge.replied", "challenge.decided", "challenge.published":
		// The secretariat's log names a pseudonymous reviewer: the
		// secretariat always knows who filed.
		s.Slots["Number"] = Slot{Kind: Number, N: int(objectID)}
		s.Slots["Action"] = actionSlot(e.detailID("action_id"), e, n)
		s.Slots["Org"], s.Slots["Reviewer"] = org(), orgSlot(e.detailID("reviewer_id"), n)
		s.Note = e.detailText("reason")
	case "stakeholder.reviewer": // designated (from, until), its end changed, or the designation ended
		s.Slots["Org"] = orgSlot(objectID, n)
		if _, known := n.Organisations[objectID]; !known {
			s.Slots["Org"] = Slot{Kind: Organisation, ID: objectID, Text: e.detailText("name"), Gone: true}
		}
		until := e.detailTime("until")
		switch {
		case e.Details["reviewer"] != true:
			s.Key += ".ended"
		case until.IsZero():
			s.Key += ".open"
			s.Slots["Since"] = Slot{Kind: Date, Time: e.detailTime("since")}
		default:
			s.Slots["Since"], s.Slots["Until"] = Slot{Kind: Date, Time: e.detailTime("since")}, Slot{Kind: Date, Time: until}
		}
	case "cycle.create", "cycle.update":
		s.Slots["Cycle"] = Slot{Kind: CycleRef, ID: objectID}
	case "reminder.resend":
		s.Slots["Org"] = orgSlot(objectID, n)
		if _, known := n.Organisations[objectID]; !known {
			s.Slots["Org"] = Slot{Kind: Organisation, ID: objectID, Text: e.detailText("organisation"), Gone: true}
		}
		s.Slots["Cycle"] = Slot{Kind: CycleRef, ID: e.detailID("cycle")}
	case "cycle.extend", "cycle.revoke_extension": // the deadline granted, or the one taken back
		s.Slots["Cycle"], s.Slots["Org"] = Slot{Kind: CycleRef, ID: objectID}, org()
		s.Slots["Date"] = Slot{Kind: Date, Time: e.detailTime("deadline")}
	case "report.compile", "report.publish":
		s.Slots["Report"] = Slot{Kind: ReportRef, ID: objectID}
		if _, known := n.Reports[objectID]; !known {
			s.Slots["Report"] = Slot{Kind: ReportRef, ID: objectID, Gone: true}
		}
		year := int64(n.Reports[objectID].Year)
		if year == 0 {
			year = e.detailID("cycle")
		}
		s.Slots["Cycle"] = Slot{Kind: CycleRef, ID: year}
		if e.Verb == "report.compile" {
			s.Slots["Count"] = Slot{Kind: Number, N: int(e.detailID("actions"))}
		}
	case "release.publish", "release.doi": // a data release made, or its DOI recorded
		s.Slots["Version"] = Slot{Kind: Text, Text: e.detailText("version")}
		if e.Verb == "release.publish" {
			s.Slots["Count"] = Slot{Kind: Number, N: int(e.detailID("actions"))}
		} else {
			s.Slots["DOI"] = Slot{Kind: Text, Text: e.detailText("doi")}
		}
	default:
		s.Key = "other"
		s.Slots["Verb"] = Slot{Kind: Text, Text: readable(e.Verb)}
		if obj, ok := objectSlot(e, objectID, n); ok {
			s.Slots["Object"] = obj
			if obj.Kind != Text {
				s.Key += "." + e.ObjectType // the sentence names the kind of record
			}
		} else {
			s.Key = "other.bare"
		}
	}
	return s
}

// Describes tells a page of entries.
func Describes(entries []Entry, n Names) []Line {
	out := make([]Line, len(entries))
	for i, e := range entries {
		out[i] = Line{Entry: e, Sentence: Describe(e, n)}
	}
	return out
}

// actorSlot names who did it: a person by their name, else the label the
// entry kept (the program's own work has no person behind it).
func actorSlot(e Entry, n Names) Slot {
	if e.ActorID == 0 {
		return Slot{Kind: Person, Text: e.Actor, System: true}
	}
	return personSlot(e.ActorID, e.Actor, n)
}

// personSlot names a person by their name, else their email, else what the
// entry holds.
func personSlot(id int64, fallback string, n Names) Slot {
	p, ok := n.People[id]
	if !ok {
		if fallback == "" {
			fallback = "#" + strconv.FormatInt(id, 10)
		}
		return Slot{Kind: Person, ID: id, Text: fallback, Gone: true}
	}
	name := p.Name
	if strings.TrimSpace(name) == "" {
		name = p.Email
	}
	return Slot{Kind: Person, ID: id, Text: name, OrgID: p.OrgID}
}

func orgSlot(id int64, n Names) Slot {
	name, ok := n.Organisations[id]
	if !ok {
		return Slot{Kind: Organisation, ID: id, Text: "#" + strconv.FormatInt(id, 10), Gone: true}
	}
	return Slot{Kind: Organisation, ID: id, Text: name}
}

// actionSlot names an action by its title; a deleted draft by the title
// its deletion entry kept.
func actionSlot(id int64, e Entry, n Names) Slot {
	a, ok := n.Actions[id]
	title := a.Title
	if t := e.detailText("title"); t != "" && (!ok || a.Gone) {
		title = t
	}
	return Slot{Kind: ActionRef, ID: id, Text: title, Gone: !ok || a.Gone || e.Verb == "action.delete"}
}

// objectSlot names the object of an entry whose verb has no sentence: a
// record when its type is one pctracker links to, else its type and id.
func objectSlot(e Entry, id int64, n Names) (Slot, bool) {
	switch e.ObjectType {
	case "":
		return Slot{}, false
	case "action":
		return actionSlot(id, e, n), true
	case "stakeholder":
		return orgSlot(id, n), true
	case "user":
		return personSlot(id, "", n), true
	case "report":
		_, known := n.Reports[id]
		return Slot{Kind: ReportRef, ID: id, Gone: !known}, true
	case "cycle":
		if id != 0 {
			return Slot{Kind: CycleRef, ID: id}, true
		}
	}
	return Slot{Kind: Text, Text: strings.TrimSpace(readable(e.ObjectType) + " " + e.ObjectID)}, true
}

// readable turns a code such as "job.run" or "two_step" into words.
func readable(code string) string {
	return strings.Join(strings.Fields(strings.NewReplacer(".", " ", "_", " ").Replace(code)), " ")
}

// detailID reads a number the entry's details hold (JSON numbers decode
// as float64; a string of digits is read too), or 0.
func (e Entry) detailID(key string) int64 {
	switch v := e.Details[key].(type) {
	case float64:
		return int64(v)
	case int64:
		return v
	case int:
		return int64(v)
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

func (e Entry) detailText(key string) string {
	s, _ := e.Details[key].(string)
	return s
}

func (e Entry) detailTime(key string) time.Time {
	switch v := e.Details[key].(type) {
	case time.Time:
		return v
	case string:
		t, _ := time.Parse(time.RFC3339Nano, v)
		return t
	}
	return time.Time{}
}
