// Package notice tells people of the workflow decisions that concern
// them, by mail, each in their own language: changes requested, a receipt
// for what was submitted, a daily digest of accepted actions, a published
// report, an extended deadline. Every notice is written to the outbox (the
// reminders table, whose sender retries) in the transaction of the
// decision, under a key unique to the event and the person, so that each
// is sent once: never for a decision that was rolled back, never twice
// when a job is retried or runs on several replicas. A person may turn
// each kind off on their account page.
package notice

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/reminder"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
)

// KindPrefix starts the outbox kind of every notice, which sets notices
// apart from deadline reminders in the shared outbox.
const KindPrefix = "notice:"

// Store is what the service needs from storage.
type Store interface {
	User(ctx context.Context, id int64) (user.User, error)
	// Supporters returns the people of an organisation, or of every
	// organisation when stakeholderID is 0, unpaged.
	Supporters(ctx context.Context, stakeholderID int64) ([]user.User, error)
	Stakeholder(ctx context.Context, id int64) (stakeholder.Stakeholder, error)
	Stakeholders(ctx context.Context, f stakeholder.Filter) ([]stakeholder.Stakeholder, int, error)
	CycleByID(ctx context.Context, id int64) (cycle.Cycle, error)
	Action(ctx context.Context, id int64) (action.Action, error)
	ActionVersions(ctx context.Context, actionID int64) ([]action.Version, error)
	EnqueueReminder(ctx context.Context, r *reminder.Reminder) (bool, error)
	// UnnoticedAcceptances returns up to limit acceptances not yet told
	// in a digest, oldest first; MarkNoticed records that they were.
	UnnoticedAcceptances(ctx context.Context, limit int) ([]action.ReviewEvent, error)
	MarkNoticed(ctx context.Context, eventIDs []int64, at time.Time) error
}

// Service writes notices to the outbox.
type Service struct {
	store   Store
	now     func() time.Time
	baseURL string
}

// NewService builds the service; baseURL starts the links in the mail.
func NewService(store Store, now func() time.Time, baseURL string) *Service {
	return &Service{store: store, now: now, baseURL: strings.TrimRight(baseURL, "/")}
}

// focalPoints returns the people an organisation's notices go to: its
// focal points, or all its people when it has none (as reminders do), who
// have not turned off n.
func (s *Service) focalPoints(ctx context.Context, stakeholderID int64, n user.Notice) ([]user.User, error) {
	people, err := s.store.Supporters(ctx, stakeholderID)
	if err != nil {
		return nil, err
	}
	return focalOf(people, n), nil
}

// focalOf picks, among one organisation's people, those its notices go to.
func focalOf(people []user.User, n user.Notice) []user.User {
	var focal, all []user.User
	for _, u := range people {
		if u.Disabled {
			continue
		}
		all = append(all, u)
		if u.OrgRole == user.FocalPoint {
			focal = append(focal, u)
		}
	}
	if len(focal) == 0 {
		focal = all
	}
	return wanting(focal, n)
}

func wanting(people []user.User, n user.Notice) []user.User {
	var out []user.User
	for _, u := range people {
		if u.Wants(n) {
			out = append(out, u)
		}
	}
	return out
}

// enqueue writes one message per person, in their language, under a kind
// unique to the event and the person: the same event told twice writes
// nothing the second time.
func (s *Service) enqueue(ctx context.Context, stakeholderID, cycleID int64, event string, to []user.User, write func(u user.User) message) error {
	return s.enqueueFrom(ctx, s.now().UTC(), stakeholderID, cycleID, event, to, write)
}

// enqueueFrom writes the messages to be sent from send on.
func (s *Service) enqueueFrom(ctx context.Context, send time.Time, stakeholderID, cycleID int64, event string, to []user.User, write func(u user.User) message) error {
	now := s.now().UTC()
	for _, u := range to {
		m := write(u)
		r := reminder.Reminder{StakeholderID: stakeholderID, CycleID: cycleID,
			Kind: fmt.Sprintf("%s%s:%d", KindPrefix, event, u.ID), Recipients: []string{u.Email},
			Subject: m.subject, Body: m.body, Status: reminder.Pending, NextAttemptAt: send.UTC(), CreatedAt: now}
		if _, err := s.store.EnqueueReminder(ctx, &r); err != nil {
			return err
		}
	}
	return nil
}

// Decided tells of workflow steps, in the transaction that took them:
// changes requested at once, to the focal points and the action's last
// editor; submissions as one receipt per decision to the focal points.
// Acceptances wait for the daily digest; other steps are not told.
func (s *Service) Decided(ctx context.Context, by user.Actor, steps []action.Step) error {
	var submitted []action.Step
	for _, st := range steps {
		switch st.Event.Decision {
		case action.DecisionChangesRequested:
			if err := s.changesRequested(ctx, st); err != nil {
				return err
			}
		case action.DecisionSubmitted, action.DecisionReconfirmed:
			submitted = append(submitted, st)
		}
	}
	if len(submitted) == 0 {
		return nil
	}
	return s.receipt(ctx, by, submitted)
}

func (s *Service) changesRequested(ctx context.Context, st action.Step) error {
	a := st.Action
	to, err := s.focalPoints(ctx, a.StakeholderID, user.NoticeChangesRequested)
	if err != nil {
		return err
	}
	editor, err := s.lastEditor(ctx, a)
	if err != nil {
		return err
	}
	if editor.ID != 0 && editor.Wants(user.NoticeChangesRequested) && !has(to, editor.ID) {
		to = append(to, editor)
	}
	org, err := s.store.Stakeholder(ctx, a.StakeholderID)
	if err != nil {
		return err
	}
	link := fmt.Sprintf("%s/actions/%d", s.baseURL, a.ID)
	return s.enqueue(ctx, a.StakeholderID, a.CycleID, fmt.Sprintf("changes_requested:%d", st.Event.ID), to, func(u user.User) message {
		return changesRequestedText(u, org.Name, a, st.Event.Comment, link, s.baseURL)
	})
}

// lastEditor is the person of the organisation who last changed what the
// action says (created, carried or edited it); zero when none is known.
func (s *Service) lastEditor(ctx context.Context, a action.Action) (user.User, error) {
	versions, err := s.store.ActionVersions(ctx, a.ID)
	if err != nil {
		return user.User{}, err
	}
	for i := len(versions) - 1; i >= 0; i-- {
		v := versions[i]
		edit := i == 0 || v.Snapshot.State == versions[i-1].Snapshot.State // not a workflow step
		if !edit || v.ChangedBy == 0 {
			continue
		}
		u, err := s.store.User(ctx, v.ChangedBy)
		if err != nil {
			return user.User{}, err
		}
		if u.Role == user.Supporter && u.StakeholderID == a.StakeholderID && !u.Disabled {
			return u, nil
		}
	}
	return user.User{}, nil
}

func has(people []user.User, id int64) bool {
	for _, u := range people {
		if u.ID == id {
			return true
		}
	}
	return false
}

// receipt lists, to the focal points, what one decision submitted.
func (s *Service) receipt(ctx context.Context, by user.Actor, steps []action.Step) error {
	first := steps[0].Action
	to, err := s.focalPoints(ctx, first.StakeholderID, user.NoticeSubmitted)
	if err != nil {
		return err
	}
	if len(to) == 0 {
		return nil
	}
	org, err := s.store.Stakeholder(ctx, first.StakeholderID)
	if err != nil {
		return err
	}
	who := by.Name
	if by.UserID != 0 {
		if u, err := s.store.User(ctx, by.UserID); err == nil {
			who = u.Name
		}
	}
	items := make([]item, len(steps))
	for i, st := range steps {
		items[i] = item{ID: st.Action.ID, Title: st.Action.Title, Year: st.Action.CycleYear,
			Link:        fmt.Sprintf("%s/actions/%d", s.baseURL, st.Action.ID),
			Reconfirmed: st.Event.Decision == action.DecisionReconfirmed, Reply: st.Event.Comment}
	}
	at := steps[0].Event.At
	return s.enqueue(ctx, first.StakeholderID, first.CycleID, fmt.Sprintf("submitted:%d", steps[0].Event.ID), to, func(u user.User) message {
		return receiptText(u, org.Name, who, at, items, s.baseURL)
	})
}

// item is one action listed in a notice.
type item struct {
	ID          int64
	Title       string
	Year        int
	Link        string
	Reconfirmed bool
	Reply       string
}

// digestBatch bounds the acceptances one digest run reads.
const digestBatch = 5000

// Digest writes, for every organisation with actions accepted since the
// last digest, one digest to its focal points, and marks those
// acceptances as told, in the transaction of ctx (with the job's claim of
// its slot). It returns how many organisations it wrote to.
func (s *Service) Digest(ctx context.Context) (int, error) {
	events, err := s.store.UnnoticedAcceptances(ctx, digestBatch)
	if err != nil || len(events) == 0 {
		return 0, err
	}
	type batch struct {
		org     int64
		cycle   int64
		items   []item
		lastID  int64
		decided time.Time
	}
	var order []int64
	byOrg := map[int64]*batch{}
	ids := make([]int64, len(events))
	for i, ev := range events {
		ids[i] = ev.ID
		a, err := s.store.Action(ctx, ev.ActionID)
		if err != nil {
			return 0, err
		}
		if a.State != action.Accepted || a.Version != ev.Version {
			continue // withdrawn or changed since: the digest tells of what stands
		}
		b := byOrg[a.StakeholderID]
		if b == nil {
			b = &batch{org: a.StakeholderID, cycle: a.CycleID}
			byOrg[a.StakeholderID] = b
			order = append(order, a.StakeholderID)
		}
		b.items = append(b.items, item{ID: a.ID, Title: a.Title, Year: a.CycleYear, Link: fmt.Sprintf("%s/actions/%d", s.baseURL, a.ID)})
		b.lastID, b.decided = ev.ID, ev.At
	}
	written := 0
	for _, id := range order {
		b := byOrg[id]
		to, err := s.focalPoints(ctx, b.org, user.NoticeAccepted)
		if err != nil {
			return written, err
		}
		org, err := s.store.Stakeholder(ctx, b.org)
		if err != nil {
			return written, err
		}
		// Keyed by the last acceptance told: a digest is one event, whatever
		// day or run it falls in.
		if err := s.enqueue(ctx, b.org, b.cycle, fmt.Sprintf("accepted:%d", b.lastID), to, func(u user.User) message {
			return digestText(u, org.Name, b.items, s.baseURL)
		}); err != nil {
			return written, err
		}
		if len(to) > 0 {
			written++
		}
	}
	return written, s.store.MarkNoticed(ctx, ids, s.now().UTC())
}

// ReportPublished tells every active organisation's focal points that the
// report of its cycle is out, with a link to it and to their own actions
// in it. Under an embargo, the mail waits for the Forum: before it, both
// links would lead nowhere. People and organisations are read in two
// queries, not two per organisation: a thousand supporters are told in one
// transaction.
func (s *Service) ReportPublished(ctx context.Context, r report.Report, cycleID int64) error {
	c, err := s.store.CycleByID(ctx, cycleID)
	if err != nil {
		return err
	}
	send := s.now()
	if !c.PublicOn(send) {
		send = c.ForumDate
	}
	people, err := s.store.Supporters(ctx, 0)
	if err != nil {
		return err
	}
	byOrg := map[int64][]user.User{}
	for _, u := range people {
		byOrg[u.StakeholderID] = append(byOrg[u.StakeholderID], u)
	}
	active := true
	orgs, _, err := s.store.Stakeholders(ctx, stakeholder.Filter{All: true, Active: &active})
	if err != nil {
		return err
	}
	link := fmt.Sprintf("%s/reports/%d", s.baseURL, r.ID)
	for _, org := range orgs {
		to := focalOf(byOrg[org.ID], user.NoticeReportPublished)
		mine := fmt.Sprintf("%s/actions?cycle=%d&organisation=%d", s.baseURL, r.CycleYear, org.ID)
		if err := s.enqueueFrom(ctx, send, org.ID, cycleID, fmt.Sprintf("report_published:%d", r.ID), to, func(u user.User) message {
			return publishedText(u, org.Name, r.CycleYear, link, mine, s.baseURL)
		}); err != nil {
			return err
		}
	}
	return nil
}

// ExtensionGranted tells an organisation's focal points of their new
// deadline. The same deadline granted again is told once.
func (s *Service) ExtensionGranted(ctx context.Context, c cycle.Cycle, stakeholderID int64, deadline time.Time) error {
	to, err := s.focalPoints(ctx, stakeholderID, user.NoticeExtension)
	if err != nil || len(to) == 0 {
		return err
	}
	org, err := s.store.Stakeholder(ctx, stakeholderID)
	if err != nil {
		return err
	}
	link := fmt.Sprintf("%s/workspace?cycle=%d", s.baseURL, c.Year)
	return s.enqueue(ctx, stakeholderID, c.ID, fmt.Sprintf("extension:%d:%s", c.Year, deadline.Format(time.DateOnly)), to, func(u user.User) message {
		return extensionText(u, org.Name, c.Year, deadline, link, s.baseURL)
	})
}

// LinkBroken tells an organisation's focal points that an evidence link of
// an accepted action stopped answering, and how to replace it, once per
// break (a link that recovers and breaks again on another day is told
// again).
func (s *Service) LinkBroken(ctx context.Context, a action.Action, link string) error {
	to, err := s.focalPoints(ctx, a.StakeholderID, user.NoticeEvidenceBroken)
	if err != nil || len(to) == 0 {
		return err
	}
	sum := sha256.Sum256([]byte(link))
	event := fmt.Sprintf("evidence_broken:%d:%s:%s", a.ID, hex.EncodeToString(sum[:8]), s.now().UTC().Format(time.DateOnly))
	page := fmt.Sprintf("%s/actions/%d", s.baseURL, a.ID)
	return s.enqueue(ctx, a.StakeholderID, a.CycleID, event, to, func(u user.User) message {
		return brokenText(u, a, link, page, s.baseURL)
	})
}
