package user_test

import (
	"context"
	"testing"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// Who an actor is decides what every surface lets through: one table of
// the program itself, the secretariat, a focal point, a member and no one.
func TestActor(t *testing.T) {
	system := user.Actor{Role: user.Secretariat}
	secretariat := user.Actor{UserID: 1, Role: user.Secretariat}
	focal := user.Actor{UserID: 2, Role: user.Supporter, StakeholderID: 7, OrgRole: user.FocalPoint}
	member := user.Actor{UserID: 3, Role: user.Supporter, StakeholderID: 7, OrgRole: user.Member}
	nobody := user.Actor{}
	for _, c := range []struct {
		name                            string
		a                               user.Actor
		system, secretariat, focalPoint bool
		supports7, supports8, supports0 bool
		requireSecretariat              errs.Kind
		readVersion                     int // of ReadVersion(0, 5)
	}{
		{"the program", system, true, true, false, false, false, false, "", 5},
		{"the secretariat", secretariat, false, true, false, false, false, false, "", 0},
		{"a focal point", focal, false, false, true, true, false, false, errs.Forbidden, 0},
		{"a member", member, false, false, false, true, false, false, errs.Forbidden, 0},
		{"no one", nobody, false, false, false, false, false, false, errs.Unauthorized, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.a.IsSystem(); got != c.system {
				t.Errorf("IsSystem %t", got)
			}
			if got := c.a.IsSecretariat(); got != c.secretariat {
				t.Errorf("IsSecretariat %t", got)
			}
			if got := c.a.IsFocalPoint(); got != c.focalPoint {
				t.Errorf("IsFocalPoint %t", got)
			}
			if c.a.Supports(7) != c.supports7 || c.a.Supports(8) != c.supports8 || c.a.Supports(0) != c.supports0 {
				t.Errorf("Supports 7, 8, 0: %t %t %t", c.a.Supports(7), c.a.Supports(8), c.a.Supports(0))
			}
			if got := errs.KindOf(c.a.RequireSecretariat("cycles are run by the secretariat")); got != c.requireSecretariat {
				t.Errorf("RequireSecretariat: %q, want %q", got, c.requireSecretariat)
			}
			// A person's edit names the version it read, even 0, so that no
			// change is lost; only the program may edit what stands now.
			if got := c.a.ReadVersion(0, 5); got != c.readVersion {
				t.Errorf("ReadVersion(0, 5) = %d, want %d", got, c.readVersion)
			}
			if got := c.a.ReadVersion(3, 5); got != 3 {
				t.Errorf("ReadVersion(3, 5) = %d, want 3", got)
			}
			// The request carries the actor; the program and no one are
			// never signed in.
			got, ok := user.ActorFrom(user.WithActor(context.Background(), c.a))
			if ok != (c.a.UserID != 0) || (ok && got != c.a) {
				t.Errorf("ActorFrom: %+v %t", got, ok)
			}
		})
	}
	if _, ok := user.ActorFrom(context.Background()); ok {
		t.Error("a bare context has a signed-in actor")
	}
}
