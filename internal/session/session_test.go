package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/session"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

func TestSessionLifetime(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org := s.Stakeholder(t, stakeholder.Company)
		u, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "a@example.org", Name: "A", Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.Member})
		if err != nil {
			t.Fatal(err)
		}
		svc := session.NewService(db, s.Clock.Now, 30*time.Minute, 12*time.Hour)

		token, sess, err := svc.Start(ctx, u.ID, "192.0.2.1", "test")
		if err != nil || token == "" || sess.ID == token || sess.CSRF == "" {
			t.Fatalf("start: %v", err)
		}
		var stored int
		db.SQL().QueryRow("SELECT count(*) FROM sessions WHERE id = $1", token).Scan(&stored)
		if stored != 0 {
			t.Error("the token itself must not be stored")
		}
		// Used every 20 minutes, the session lives until the absolute end.
		for i := 0; i < 35; i++ {
			s.Clock.Add(20 * time.Minute)
			got, err := svc.Resume(ctx, token)
			if s.Clock.Now().Sub(sess.CreatedAt) <= 12*time.Hour {
				if err != nil || got.UserID != u.ID {
					t.Fatalf("after %v: %v", s.Clock.Now().Sub(sess.CreatedAt), err)
				}
			} else if !errs.Is(err, errs.Unauthorized) {
				t.Fatalf("past the absolute timeout: %v", err)
			}
		}
		// Idle for 31 minutes: ended.
		token, _, _ = svc.Start(ctx, u.ID, "", "")
		s.Clock.Add(31 * time.Minute)
		if _, err := svc.Resume(ctx, token); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("idle session: %v", err)
		}
		// Sign-out ends it at once; an unknown token is no session.
		token, _, _ = svc.Start(ctx, u.ID, "", "")
		if err := svc.End(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Resume(ctx, token); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("after sign-out: %v", err)
		}
		if _, err := svc.Resume(ctx, "forged"); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("forged token: %v", err)
		}
		t1, _, _ := svc.Start(ctx, u.ID, "", "")
		t2, _, _ := svc.Start(ctx, u.ID, "", "")
		svc.EndAll(ctx, u.ID)
		for _, tk := range []string{t1, t2} {
			if _, err := svc.Resume(ctx, tk); !errs.Is(err, errs.Unauthorized) {
				t.Errorf("after ending all: %v", err)
			}
		}
	})
}
