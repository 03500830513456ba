package cycle_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/notice"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// Extensions are listed with who granted them and when; moving one records
// the new grant; revoking one takes it back, once, in one transaction with
// its audit entry; a bad date says which dates are allowed; the grant
// notice runs in the grant's transaction.
func TestExtensions(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db) // 1 September 2026; the 2026 deadline is 1 October, the report date 21 October
		ctx := context.Background()
		c := s.Cycle(t, 2026)
		person := func(name string) user.Actor {
			t.Helper()
			u, err := s.Users.Create(ctx, testutil.System, user.Input{Email: strings.ToLower(strings.Fields(name)[0]) + "@pc.example", Name: name, Role: user.Secretariat})
			if err != nil {
				t.Fatal(err)
			}
			return u.Actor()
		}
		anne, ben := person("Anne Martin"), person("Ben Okafor")
		zeta, alpha := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.Company)
		if _, err := s.Stakeholders.Update(ctx, testutil.System, zeta.ID, 0, func(cur *stakeholder.Input) {
			*cur = stakeholder.Input{Name: "Zeta Republic", Kind: zeta.Kind, Country: zeta.Country, Active: true}
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Stakeholders.Update(ctx, testutil.System, alpha.ID, 0, func(cur *stakeholder.Input) {
			*cur = stakeholder.Input{Name: "Alpha Labs", Kind: alpha.Kind, Country: alpha.Country, Active: true}
		}); err != nil {
			t.Fatal(err)
		}

		granted := time.Date(2026, 9, 2, 10, 30, 0, 0, time.UTC)
		s.Clock.Set(granted)
		e, err := s.Cycles.Extend(ctx, anne, 2026, zeta.ID, day("2026-10-10"))
		if err != nil || e.Organisation != "Zeta Republic" || e.GrantedBy != anne.UserID || e.GrantedByName != "Anne Martin" || !e.GrantedAt.Equal(granted) {
			t.Fatalf("grant: %+v %v", e, err)
		}
		// Moved by someone else later: the list says who moved it, when.
		s.Clock.Add(26 * time.Hour)
		if _, err := s.Cycles.Extend(ctx, ben, 2026, zeta.ID, day("2026-10-15")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Cycles.Extend(ctx, testutil.System, 2026, alpha.ID, day("2026-10-21")); err != nil {
			t.Fatal(err)
		}
		_, list, err := s.Cycles.Extensions(ctx, anne, 2026)
		if err != nil || len(list) != 2 {
			t.Fatalf("list: %+v %v", list, err)
		}
		a, z := list[0], list[1] // by organisation name
		if a.Organisation != "Alpha Labs" || a.GrantedBy != 0 || a.GrantedByName != "" || !a.Deadline.Equal(day("2026-10-21")) {
			t.Errorf("granted by the program: %+v", a)
		}
		if z.Organisation != "Zeta Republic" || z.StakeholderID != zeta.ID || z.GrantedBy != ben.UserID || z.GrantedByName != "Ben Okafor" ||
			!z.Deadline.Equal(day("2026-10-15")) || !z.GrantedAt.Equal(granted.Add(26*time.Hour)) {
			t.Errorf("moved extension: %+v", z)
		}
		if entries, _, _ := db.AuditEntries(ctx, audit.Filter{Verb: "cycle.extend", Actor: "Ben"}); len(entries) != 1 ||
			entries[0].Details["previous_deadline"] == nil || entries[0].ActorID != ben.UserID {
			t.Errorf("the audit of a moved extension: %+v", entries)
		}

		// A date out of bounds says which dates are allowed.
		for _, d := range []string{"2026-10-01", "2026-10-22"} {
			_, err := s.Cycles.Extend(ctx, anne, 2026, zeta.ID, day(d))
			if msg := errs.FieldsOf(err)["deadline"]; !errs.Is(err, errs.Invalid) ||
				!strings.Contains(msg, "choose a date after the deadline, 1 October 2026, and no later than the report date, 21 October 2026") {
				t.Errorf("extension to %s: %v", d, err)
			}
		}

		// Revoking takes the extension back and says what it was.
		s.Clock.Add(time.Hour)
		got, err := s.Cycles.Revoke(ctx, anne, 2026, zeta.ID)
		if err != nil || !got.Deadline.Equal(day("2026-10-15")) || got.GrantedBy != ben.UserID {
			t.Fatalf("revoke: %+v %v", got, err)
		}
		if _, ok, _ := db.DeadlineExtension(ctx, c.ID, zeta.ID); ok {
			t.Error("the extension is still stored")
		}
		if deadline, _ := s.Actions.DeadlineFor(ctx, c, zeta.ID); !deadline.Equal(c.Deadline) {
			t.Errorf("the organisation's deadline after revoking: %v", deadline)
		}
		entries, _, _ := db.AuditEntries(ctx, audit.Filter{Verb: "cycle.revoke_extension"})
		if len(entries) != 1 || entries[0].ActorID != anne.UserID || entries[0].ObjectID != "2026" {
			t.Fatalf("audit of the revocation: %+v", entries)
		}
		if d := entries[0].Details; d["stakeholder_id"] == nil || d["deadline"] == nil || d["granted_by"] == nil {
			t.Errorf("the revocation's audit details: %v", d)
		}
		if _, err := s.Cycles.Revoke(ctx, anne, 2026, zeta.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("revoking twice: %v", err)
		}
		if _, _, err := s.Cycles.Extension(ctx, anne, 2026, zeta.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("a revoked extension read: %v", err)
		}
		if _, err := s.Cycles.Revoke(ctx, anne, 2031, alpha.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("revoking in a cycle that does not exist: %v", err)
		}
		if entries, _, _ := db.AuditEntries(ctx, audit.Filter{Verb: "cycle.revoke_extension"}); len(entries) != 1 {
			t.Errorf("failed revocations were audited: %d entries", len(entries))
		}

		// The secretariat's alone.
		supporter := user.Actor{UserID: 99, Name: "Focal", Role: user.Supporter, StakeholderID: alpha.ID, OrgRole: user.FocalPoint}
		if _, _, err := s.Cycles.Extensions(ctx, supporter, 2026); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a supporter lists extensions: %v", err)
		}
		if _, err := s.Cycles.Revoke(ctx, supporter, 2026, alpha.ID); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a supporter revokes an extension: %v", err)
		}
		if _, _, err := s.Cycles.Extension(ctx, user.Actor{}, 2026, alpha.ID); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("a visitor reads an extension: %v", err)
		}
		if _, ok, _ := db.DeadlineExtension(ctx, c.ID, alpha.ID); !ok {
			t.Error("a refused revocation deleted the extension")
		}
	})
}

// The notifier is told of each grant inside its transaction: what it
// writes commits with the grant, and its failure undoes the grant and its
// audit entry. The notices of the outbox are such a notifier.
func TestGrantNotice(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		c := s.Cycle(t, 2026)
		org := s.Stakeholder(t, stakeholder.State)
		n := &notifier{t: t, db: db}
		svc := cycle.NewService(db, s.Clock.Now, n)
		if _, err := svc.Extend(ctx, testutil.System, 2026, org.ID, day("2026-10-10")); err != nil || len(n.told) != 1 ||
			n.told[0] != fmt.Sprintf("2026 %d 2026-10-10", org.ID) {
			t.Fatalf("grant: %v, told %v", err, n.told)
		}
		n.fail = true
		if _, err := svc.Extend(ctx, testutil.System, 2026, org.ID, day("2026-10-12")); !errs.Is(err, errs.Unavailable) {
			t.Fatalf("a failed notice: %v", err)
		}
		if d, _, _ := db.DeadlineExtension(ctx, c.ID, org.ID); !d.Equal(day("2026-10-10")) {
			t.Errorf("a grant whose notice failed was kept: %v", d)
		}
		if entries, _, _ := db.AuditEntries(ctx, audit.Filter{Verb: "cycle.extend"}); len(entries) != 1 {
			t.Errorf("audit entries: %d, want the first grant's only", len(entries))
		}
	})
}

var _ cycle.Notifier = (*notice.Service)(nil) // the outbox's notices fit the seam as they are

// notifier records what it is told, checking that it is told inside the
// grant's transaction, and fails when asked to.
type notifier struct {
	t    *testing.T
	db   *store.DB
	fail bool
	told []string
}

func (n *notifier) ExtensionGranted(ctx context.Context, c cycle.Cycle, stakeholderID int64, deadline time.Time) error {
	if d, ok, err := n.db.DeadlineExtension(ctx, c.ID, stakeholderID); err != nil || !ok || !d.Equal(deadline) {
		n.t.Errorf("the notifier does not see the grant: %v %v %v", d, ok, err)
	}
	if n.fail {
		return errs.E(errs.Unavailable, "outbox down")
	}
	n.told = append(n.told, fmt.Sprintf("%d %d %s", c.Year, stakeholderID, deadline.Format(time.DateOnly)))
	return nil
}

// An extension stored before who granted it was recorded reads with no
// one, and moving it records who did.
func TestExtensionGrantedByNobody(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		c := s.Cycle(t, 2026)
		org := s.Stakeholder(t, stakeholder.State)
		if err := db.SetDeadlineExtension(ctx, c.ID, org.ID, day("2026-10-10"), s.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		e, err := db.GrantedExtension(ctx, c.ID, org.ID)
		if err != nil || e.GrantedBy != 0 || e.GrantedByName != "" || e.Organisation != org.Name || !e.GrantedAt.Equal(s.Clock.Now()) {
			t.Errorf("an unrecorded grant: %+v %v", e, err)
		}
		if err := db.RevokeDeadlineExtension(ctx, c.ID, org.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeDeadlineExtension(ctx, c.ID, org.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("deleting what is not there: %v", err)
		}
	})
}
